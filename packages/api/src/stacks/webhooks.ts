import type { Context, MiddlewareHandler } from "hono";
import { every } from "hono/combine";
import { createMiddleware } from "hono/factory";
import { WEBHOOK_MAX_BODY_BYTES } from "../constants.ts";
import { tooLarge } from "../middleware/body-limit.ts";
import { withoutCookies } from "../middleware/without-cookies.ts";
import type { AppEnv } from "../types.ts";

/**
 * The stack of platform webhooks: `/api/webhooks/*` and `/api/v1/integrations/{provider}/{id}/webhook`
 * (audience.ts). A platform authenticates with a signature over the exact bytes it sent, so:
 *
 * - the body is read once, up to `WEBHOOK_MAX_BODY_BYTES` (413 past it), and handed to the route as
 *   it arrived: `rawBody(c)`. The route's own `c.req.text()` / `json()` read the same bytes;
 * - no cookie is read and no session looked up (the `Cookie` header is removed), and no CORS headers
 *   are sent — a browser has no business here;
 * - a NUL or lone surrogate in the body is not refused: the signature covers it and a customer's
 *   message must not be lost; the verb stores it cleaned (receive-webhook.ts). A NUL in the URL is
 *   refused as everywhere (app.ts).
 *
 * Meta's busiest route, `POST /api/webhooks/messenger`, does not come through Hono at all on the node
 * server: `createApiListener` (webhook-fast-path.ts) reads its body with the same limit and answers it
 * with the same verb; this stack serves it for `app.request()` and every other webhook.
 */
export function webhookStack(): MiddlewareHandler<AppEnv> {
  return every(withoutCookies, readRawBody(WEBHOOK_MAX_BODY_BYTES));
}

/** The body exactly as received, for a webhook route's signature check. */
export function rawBody(c: Context<AppEnv>): Uint8Array {
  const body = c.get("rawBody");
  if (!body) throw new Error(`${c.req.path} is not behind the webhook stack: its raw body was not kept`);
  return body;
}

const EMPTY = new Uint8Array(0);

const readRawBody = (maxBytes: number) =>
  createMiddleware<AppEnv>(async (c, next) => {
    // A declared length over the limit is refused unread.
    if (Number(c.req.header("content-length")) > maxBytes) throw tooLarge(maxBytes);
    const stream = c.req.raw.body;
    const bytes = stream ? await readUpTo(stream, maxBytes) : EMPTY;
    if (!bytes) throw tooLarge(maxBytes);
    c.set("rawBody", bytes);
    // The stream is consumed: the route's own body readers get the same bytes.
    if (stream) c.req.raw = new Request(c.req.raw, { body: bytes });
    await next();
  });

/** The whole stream as one array, or null as soon as it passes `limit` bytes (the rest is not read). */
async function readUpTo(stream: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array<ArrayBuffer> | null> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    // Left unread, as Hono's own body limit does: cancelling could reset the socket before the 413.
    if (size > limit) return null;
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
