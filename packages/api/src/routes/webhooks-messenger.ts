import { createRoute, z } from "@hono/zod-openapi";
import { ErrorBody } from "@tandem/contracts";
import { answerVerification, DomainError, recordVerification } from "@tandem/core";
import { getDataDeletionStatus, requestMessengerDataDeletion } from "@tandem/core/channels/messenger/data-deletion";
import type { Context } from "hono";
import type { errorBody } from "../errors.ts";
import { clientIp } from "../middleware/request-context.ts";
import { createRouter, errors, json } from "../openapi.ts";
import { rawBody } from "../stacks/webhooks.ts";
import type { AppEnv } from "../types.ts";
import { answerMessengerWebhook, webhookErrorAnswer } from "../webhook-fast-path.ts";

/** Meta calls these, authenticated by signatures rather than sessions (mounted at `/api/webhooks`). */
function webhookError(c: Context<AppEnv>, error: unknown) {
  const answer = webhookErrorAnswer(c.get("runtime"), error, c.get("requestId"));
  if (!answer) throw error;
  return c.json(answer.json, answer.status as 401);
}

const VerifyQuery = z.object({
  "hub.mode": z.string().optional(),
  "hub.verify_token": z.string().optional(),
  "hub.challenge": z.string().optional(),
});

const text = (description: string) => ({ description, content: { "text/plain": { schema: z.string() } } });

export function messengerWebhookRoutes() {
  const app = createRouter();

  // GET /api/webhooks/messenger — Meta's subscription check: echo the challenge if the verify token matches
  app.openapi(
    createRoute({
      method: "get",
      path: "/messenger",
      tags: ["webhooks"],
      security: [],
      request: { query: VerifyQuery },
      responses: { 200: text("The challenge, echoed"), 403: text("Wrong mode or verify token") },
    }),
    async (c) => {
      const query = c.req.valid("query");
      const runtime = c.get("runtime");
      const outcome = answerVerification(runtime.config.facebook.verifyToken, {
        mode: query["hub.mode"],
        token: query["hub.verify_token"],
        challenge: query["hub.challenge"],
      });
      // Remembered for the channels page ("verified by Meta at…", or why it failed).
      await recordVerification(runtime.database.db, outcome, runtime.log);
      return outcome.ok ? c.text(outcome.challenge, 200) : c.text("Forbidden", 403);
    },
  );

  // POST /api/webhooks/messenger — signed events: stored durably, answered 200 before any processing
  app.openapi(
    createRoute({
      method: "post",
      path: "/messenger",
      tags: ["webhooks"],
      security: [],
      description: 'Body: Meta\'s `{object: "page", entry: [...]}`, signed with `X-Hub-Signature-256`.',
      responses: {
        200: text("EVENT_RECEIVED"),
        401: json(ErrorBody, "Missing or invalid signature: nothing was stored"),
        503: json(ErrorBody, "FB_APP_SECRET is not set on this server"),
        ...errors(400, 413),
      },
    }),
    // The node server answers these in `createApiListener` (webhook-fast-path.ts) with the same
    // `answerMessengerWebhook`; this route serves `app.request()` callers and documents the endpoint.
    async (c) => {
      const answer = await answerMessengerWebhook(c.get("runtime"), {
        rawBody: rawBody(c),
        signature: c.req.header("x-hub-signature-256"),
        requestId: c.get("requestId"),
        sourceAddress: clientIp(c),
      });
      if (answer.text !== undefined) return c.text(answer.text, 200);
      // 400 and 413 are in `errors(400, 413)`; the typed route lists 401 and 503 explicitly.
      return c.json(answer.json as ReturnType<typeof errorBody>, answer.status as 401) as never;
    },
  );

  // POST /api/webhooks/messenger/data-deletion — Meta's data-deletion callback (`signed_request`)
  app.openapi(
    createRoute({
      method: "post",
      path: "/messenger/data-deletion",
      tags: ["webhooks"],
      security: [],
      description: "Form or JSON body with `signed_request`; erases the user's Messenger data in every workspace.",
      responses: {
        200: json(z.object({ url: z.string(), confirmation_code: z.string() })),
        401: json(ErrorBody, "Missing or invalid signed_request"),
        503: json(ErrorBody, "FB_APP_SECRET is not set on this server"),
        ...errors(400),
      },
    }),
    async (c) => {
      const runtime = c.get("runtime");
      try {
        const result = await requestMessengerDataDeletion(
          { db: runtime.database.db, config: runtime.config, log: runtime.log, realtime: runtime.realtime },
          { signedRequest: await readSignedRequest(c) },
        );
        return c.json(result, 200);
      } catch (error) {
        return webhookError(c, error);
      }
    },
  );

  // GET /api/webhooks/messenger/data-deletion/{code} — the status page Meta links the user to
  app.openapi(
    createRoute({
      method: "get",
      path: "/messenger/data-deletion/{code}",
      tags: ["webhooks"],
      security: [],
      request: { params: z.object({ code: z.string().min(1).max(100) }) },
      responses: {
        200: {
          description: "The request's status",
          content: {
            "application/json": {
              schema: z.object({
                confirmationCode: z.string(),
                status: z.enum(["pending", "completed", "failed"]),
                requestedAt: z.string(),
                completedAt: z.string().nullable(),
              }),
            },
            "text/html": { schema: z.string() },
          },
        },
        ...errors(404),
      },
      description: "JSON by default; a short HTML page for a browser (`Accept: text/html`).",
    }),
    async (c) => {
      const status = await getDataDeletionStatus(
        { db: c.get("runtime").database.db },
        { code: c.req.valid("param").code },
      );
      // Meta shows the person this URL: a browser gets a page, API clients the JSON.
      if (prefersHtml(c.req.header("accept"))) return c.html(deletionStatusPage(status), 200);
      return c.json(status, 200);
    },
  );

  return app;
}

/** Meta posts a form (`signed_request=…`); a JSON body with the same field is accepted too. */
async function readSignedRequest(c: Context<AppEnv>): Promise<string> {
  const body = await c.req.text();
  let value: unknown;
  if ((c.req.header("content-type") ?? "").includes("application/json")) {
    try {
      value = (JSON.parse(body) as { signed_request?: unknown }).signed_request;
    } catch {
      throw new DomainError("invalid_json", "The request body is not valid JSON");
    }
  } else {
    value = new URLSearchParams(body).get("signed_request");
  }
  if (typeof value !== "string" || !value) {
    throw new DomainError("invalid_input", "The body must carry a signed_request");
  }
  return value;
}

const prefersHtml = (accept: string | undefined) =>
  Boolean(accept && /text\/html/.test(accept) && !/^application\/json/.test(accept));

const STATUS_TEXT = {
  pending: "Your data is being deleted.",
  completed: "Your data has been deleted.",
  failed: "Deleting your data failed. Contact the business you wrote to, with the confirmation code below.",
} as const;

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** The page a person sees after asking Facebook to delete their data: status and confirmation code only. */
function deletionStatusPage(status: Awaited<ReturnType<typeof getDataDeletionStatus>>): string {
  const when = status.completedAt ?? status.requestedAt;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>Data deletion request</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:4rem auto;padding:0 1rem;color:#111}
code{background:#f3f3f3;padding:.1rem .3rem;border-radius:.25rem}small{color:#555}</style></head>
<body><h1>Data deletion request</h1>
<p data-status="${status.status}">${STATUS_TEXT[status.status]}</p>
<p>Confirmation code: <code>${escapeHtml(status.confirmationCode)}</code></p>
<p><small>${status.completedAt ? "Completed" : "Requested"} ${escapeHtml(when)} (UTC).</small></p>
</body></html>`;
}
