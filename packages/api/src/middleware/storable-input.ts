import { DomainError, findUnstorable } from "@tandem/core";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../types.ts";

/**
 * One rule at the edge for text PostgreSQL cannot store (core/src/storable-text.ts): a NUL in the
 * path or the query (`%00`), or a NUL or lone surrogate in a JSON body (`\u0000`, `\ud83d`), is
 * refused with 400 `invalid_input` before any route runs — not discovered by the database as a 500
 * halfway through a verb. The details name where (`path`, `query`, `body.<field>`) with the code
 * `invalid_characters`.
 *
 * Two middlewares, because the audiences differ (stacks/): every request follows `storableUrl`;
 * `storableBody` is in the admin and public stacks only. Platform webhooks keep their bodies: they are
 * authenticated by a signature over the exact bytes, and a customer's message is stored cleaned
 * rather than refused (receive-webhook.ts).
 */
const NUL_ESCAPE = /%00/i;
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\b/i;

const MESSAGE = "The request contains a NUL character or half of a surrogate pair, which cannot be stored";

function refuse(where: string): never {
  throw new DomainError("invalid_input", MESSAGE, {
    details: [{ path: where, message: MESSAGE, code: "invalid_characters" }],
  });
}

/** `%00` in the path or the query: 400. */
export const storableUrl = createMiddleware<AppEnv>(async (c, next) => {
  const url = c.req.url;
  const queryStart = url.indexOf("?");
  const path = queryStart < 0 ? url : url.slice(0, queryStart);
  if (NUL_ESCAPE.test(path)) refuse("path");
  if (queryStart >= 0 && NUL_ESCAPE.test(url.slice(queryStart))) refuse("query");
  await next();
});

/** `\u0000` or a lone surrogate escape in a JSON body: 400. */
export const storableBody = createMiddleware<AppEnv>(async (c, next) => {
  const type = c.req.header("content-type") ?? "";
  const hasBody = c.req.method !== "GET" && c.req.method !== "HEAD";
  // Routes read JSON bodies only (a body of another type fails their validation, unread).
  if (hasBody && JSON_TYPE.test(type)) {
    // Read once here; Hono keeps the text for the route's own parsing.
    const body = await c.req.text();
    if (body.includes("\\u")) {
      // Only escapes can carry NUL or a lone surrogate into JSON (raw ones are invalid JSON or U+FFFD).
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        // Malformed JSON: the route answers `invalid_json`.
      }
      const found = parsed === undefined ? null : findUnstorable(parsed);
      if (found !== null) refuse(found ? `body.${found}` : "body");
    }
  }
  await next();
});
