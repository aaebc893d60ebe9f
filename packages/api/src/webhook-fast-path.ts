import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { getRequestListener } from "@hono/node-server";
import { clientAddress, DomainError, type Runtime, reportError, tracingEnabled } from "@tandem/core";
import type { ChannelType } from "@tandem/core/channels/adapter";
import { receiveMessengerWebhook } from "@tandem/core/channels/messenger/receive-webhook";
import { receiveChannelWebhook } from "@tandem/core/inbound/receive-channel-webhook";
import { WEBHOOK_MAX_BODY_BYTES } from "./constants.ts";
import { statusForCode } from "./error-codes.ts";
import { errorBody } from "./errors.ts";
import { requestAborted } from "./http-server.ts";
import { tooLarge } from "./middleware/body-limit.ts";
import { traceServerRequest } from "./middleware/trace-request.ts";

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
 * What a per-channel webhook (`POST /api/v1/integrations/{type}/{chatbotId}/webhook`, LINE's) answers,
 * shared by its Hono route and the fast path below: 200 `{ok: true}` once the events are stored, the
 * shared code table for the rest (401 bad signature, 404 no such chatbot or channel, 400 bad JSON).
 */
export async function answerChannelWebhook(
  runtime: Runtime,
  input: {
    type: ChannelType;
    chatbotId: string;
    rawBody: Uint8Array;
    header(name: string): string | undefined;
    requestId: string;
    sourceAddress: string | undefined;
  },
): Promise<{ status: number; json: unknown }> {
  try {
    await receiveChannelWebhook(
      {
        db: runtime.database.db,
        log: runtime.log,
        limiter: runtime.limiter,
        queue: runtime.queue,
        channels: runtime.channels,
      },
      {
        type: input.type,
        chatbotId: input.chatbotId,
        rawBody: input.rawBody,
        header: input.header,
        sourceAddress: input.sourceAddress,
      },
    );
    return { status: 200, json: { ok: true } };
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
 * A per-channel webhook, with a chatbot id the route's own validation would accept as is (no escapes):
 * anything else goes to Hono, which answers it.
 */
const CHANNEL_WEBHOOK = /^\/api\/v1\/integrations\/([a-z]+)\/([A-Za-z0-9_-]{1,64})\/webhook(?:\?|$)/;

type Answer = { status: number; json?: unknown; text?: string };
type AnswerFor = (input: {
  rawBody: Uint8Array;
  requestId: string;
  sourceAddress: string | undefined;
}) => Promise<Answer>;

/**
 * The API's node:http listener: Hono for everything, except the platforms' webhook POSTs — Meta's
 * `/api/webhooks/messenger` and the per-channel `/api/v1/integrations/{type}/{chatbotId}/webhook` of
 * every adapter that has one (LINE's) —, which take a path of their own. They are the hottest routes by
 * far (a busy Page or LINE account sends thousands a minute, and each must be acknowledged within
 * seconds; LINE gives up after 2 s), and Hono's Web Request/Response wrapping, stream-based body limit
 * and middleware chain cost more than verifying and storing the events: reading the body straight into
 * a buffer lets one embedded process acknowledge about half as many again per second
 * (bench/messenger-webhook). Same answers as the Hono routes (`answerMessengerWebhook`,
 * `answerChannelWebhook`), the webhook stack's body limit (413, `WEBHOOK_MAX_BODY_BYTES`), the same
 * request id header and error shape, no cookie read; GET (verification) and the data-deletion callback
 * stay in Hono.
 */
export function createApiListener(runtime: Runtime, fetch: (request: Request) => Response | Promise<Response>) {
  const hono = getRequestListener(fetch);
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method === "POST" && req.url) {
      if (req.url === MESSENGER_WEBHOOK || req.url.startsWith(`${MESSENGER_WEBHOOK}?`)) {
        const signature = req.headers["x-hub-signature-256"];
        void webhookFastPath(runtime, req, res, { path: MESSENGER_WEBHOOK, route: MESSENGER_WEBHOOK }, (input) =>
          answerMessengerWebhook(runtime, { ...input, signature: typeof signature === "string" ? signature : null }),
        );
        return;
      }
      const channel = CHANNEL_WEBHOOK.exec(req.url);
      const adapter = channel ? runtime.channels.find(channel[1] as ChannelType) : undefined;
      if (channel && adapter?.inbound?.secretOf) {
        const path = req.url.split("?")[0]!;
        const route = `/api/v1/integrations/${adapter.type}/:chatbotId/webhook`;
        void webhookFastPath(runtime, req, res, { path, route }, (input) =>
          answerChannelWebhook(runtime, {
            ...input,
            type: adapter.type,
            chatbotId: channel[2]!,
            header: (name) => headerOf(req, name),
          }),
        );
        return;
      }
    }
    void hono(req, res);
  };
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(", ") : value;
}

/** The fast path's request, in a server span while tracing is on (as `traceRequest` does for Hono). */
function webhookFastPath(
  runtime: Runtime,
  req: IncomingMessage,
  res: ServerResponse,
  at: { path: string; route: string },
  answerFor: AnswerFor,
): Promise<void> {
  const incoming = req.headers["x-request-id"];
  const requestId = typeof incoming === "string" && VALID_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  if (!tracingEnabled()) return answerFastPath(runtime, req, res, at.path, requestId, answerFor);
  return traceServerRequest(
    "POST",
    (name) => headerOf(req, name),
    async () => {
      await answerFastPath(runtime, req, res, at.path, requestId, answerFor);
      return { status: res.statusCode, route: at.route, requestId };
    },
  );
}

async function answerFastPath(
  runtime: Runtime,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  requestId: string,
  answerFor: AnswerFor,
): Promise<void> {
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
      { requestId, method: "POST", path, status, ms: Math.round(performance.now() - started) },
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
    const answer = await answerFor({
      rawBody,
      requestId,
      sourceAddress: clientAddress(req, runtime.config.trustProxy),
    });
    send(answer.status, answer);
  } catch (err) {
    if (requestAborted(req)) {
      // The client hung up, or was cut off by the request deadline, before its body was complete.
      runtime.log.warn(
        { requestId, path, method: "POST", ms: Math.round(performance.now() - started) },
        "request aborted before its body was complete",
      );
      return;
    }
    runtime.log.error({ err, requestId, path, method: "POST" }, "unhandled error");
    reportError(err, { requestId, method: "POST", route: path });
    if (res.headersSent) {
      res.destroy();
      return;
    }
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
