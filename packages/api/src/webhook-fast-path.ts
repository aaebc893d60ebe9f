import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { getRequestListener } from "@hono/node-server";
import { clientAddress, DomainError, type Runtime } from "@tandem/core";
import { receiveMessengerWebhook } from "@tandem/core/channels/messenger/receive-webhook";
import { WEBHOOK_MAX_BODY_BYTES } from "./constants.ts";
import { statusForCode } from "./error-codes.ts";
import { errorBody } from "./errors.ts";
import { requestAborted } from "./http-server.ts";
import { tooLarge } from "./middleware/body-limit.ts";

/**
 * What `POST /api/webhooks/messenger` answers, shared by the Hono route and the fast path below:
 * 200 `EVENT_RECEIVED` once the events are stored; 401 for a bad signature (Meta's retries then show
 * in its dashboard), 503 when this server has no FB_APP_SECRET (misconfigured, not the caller), and
 * the shared code table for the rest (400 invalid JSON or shape). Unknown errors are thrown.
 */
export async function answerMessengerWebhook(
  runtime: Runtime,
  input: {
    rawBody: Uint8Array;
    signature: string | null | undefined;
    requestId: string;
    /** The client's address (`clientAddress`): bad signatures are counted per sender, rate-limited. */
    sourceAddress: string | undefined;
  },
): Promise<{ status: number; json?: unknown; text?: string }> {
  try {
    await receiveMessengerWebhook(
      {
        db: runtime.database.db,
        config: runtime.config,
        log: runtime.log,
        queue: runtime.queue,
        limiter: runtime.limiter,
      },
      { rawBody: input.rawBody, signature: input.signature, sourceAddress: input.sourceAddress },
    );
    return { status: 200, text: "EVENT_RECEIVED" };
  } catch (error) {
    const answer = webhookErrorAnswer(runtime, error, input.requestId);
    if (!answer) throw error;
    return answer;
  }
}

/**
 * A webhook's answer to a domain error, with the status from the one table (error-codes.ts): a bad
 * signature is 401 (Meta's retries then show up in its dashboard), a server without FB_APP_SECRET
 * 503 — it is misconfigured, not the caller — and logged. Null for anything else, a code without a
 * status included: the caller's 500, logged with the request id.
 */
export function webhookErrorAnswer(
  runtime: Pick<Runtime, "log">,
  error: unknown,
  requestId: string,
): { status: number; json: ReturnType<typeof errorBody> } | null {
  if (!(error instanceof DomainError)) return null;
  const status = statusForCode(error.code);
  if (status === undefined) return null;
  if (status >= 500) runtime.log.error({ code: error.code, requestId }, error.message);
  return { status, json: errorBody(error.code, error.message, requestId, error.details) };
}

const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{8,100}$/;
const MESSENGER_WEBHOOK = "/api/webhooks/messenger";

/**
 * The API's node:http listener: Hono for everything, except Meta's webhook POSTs, which take a path
 * of their own. They are the hottest route by far (a busy Page sends thousands a minute, and each
 * must be acknowledged within seconds), and Hono's Web Request/Response wrapping, stream-based body
 * limit and middleware chain cost more than verifying and storing the events: reading the body
 * straight into a buffer lets one embedded process acknowledge about half as many again per second
 * (bench/messenger-webhook). Same answers as the Hono route (`answerMessengerWebhook`), the webhook
 * stack's body limit (413, `WEBHOOK_MAX_BODY_BYTES`), the same request id header and error shape;
 * GET (verification) and the data-deletion callback stay in Hono.
 */
export function createApiListener(runtime: Runtime, fetch: (request: Request) => Response | Promise<Response>) {
  const hono = getRequestListener(fetch);
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method === "POST" && (req.url === MESSENGER_WEBHOOK || req.url?.startsWith(`${MESSENGER_WEBHOOK}?`))) {
      void messengerWebhookFastPath(runtime, req, res);
      return;
    }
    void hono(req, res);
  };
}

async function messengerWebhookFastPath(runtime: Runtime, req: IncomingMessage, res: ServerResponse) {
  const incoming = req.headers["x-request-id"];
  const requestId = typeof incoming === "string" && VALID_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  const started = performance.now();
  const send = (status: number, payload: { json?: unknown; text?: string }) => {
    const body = payload.text ?? JSON.stringify(payload.json);
    res.writeHead(status, {
      "content-type": payload.text !== undefined ? "text/plain; charset=UTF-8" : "application/json",
      "x-request-id": requestId,
    });
    res.end(body);
    const level = status >= 500 ? "error" : status >= 400 ? "info" : "debug";
    runtime.log[level](
      { requestId, method: "POST", path: MESSENGER_WEBHOOK, status, ms: Math.round(performance.now() - started) },
      "request",
    );
  };
  try {
    const rawBody = await readBody(req, WEBHOOK_MAX_BODY_BYTES);
    if (!rawBody) {
      // The rest of the body is not read: close the connection once the answer is out.
      res.shouldKeepAlive = false;
      return send(413, { json: errorBody("payload_too_large", tooLarge(WEBHOOK_MAX_BODY_BYTES).message, requestId) });
    }
    const signature = req.headers["x-hub-signature-256"];
    const answer = await answerMessengerWebhook(runtime, {
      rawBody,
      signature: typeof signature === "string" ? signature : null,
      requestId,
      sourceAddress: clientAddress(req, runtime.config.trustProxy),
    });
    send(answer.status, answer);
  } catch (err) {
    if (requestAborted(req)) {
      // The client hung up, or was cut off by the request deadline, before its body was complete.
      runtime.log.warn(
        { requestId, path: MESSENGER_WEBHOOK, method: "POST", ms: Math.round(performance.now() - started) },
        "request aborted before its body was complete",
      );
      return;
    }
    runtime.log.error({ err, requestId, path: MESSENGER_WEBHOOK, method: "POST" }, "unhandled error");
    if (res.headersSent) return res.destroy();
    send(500, {
      json: errorBody("internal_error", "Something went wrong. Quote the request id when reporting it.", requestId),
    });
  }
}

/** The body as one buffer, or null once it passes `limit` bytes (a declared length over it is refused unread). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners("data");
        req.pause();
        resolve(null);
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(size > limit ? null : Buffer.concat(chunks, size)));
    req.on("error", reject);
    req.on("close", () => {
      if (!req.complete) reject(new Error("the request was aborted before its body was complete"));
    });
  });
}
