import { PUBLIC_HEADERS } from "@tandem/contracts";
import { addressBucket, DomainError, type RateLimitRule, type Runtime } from "@tandem/core";
import type { MiddlewareHandler } from "hono";
import { every } from "hono/combine";
import { cors } from "hono/cors";
import { createMiddleware } from "hono/factory";
import { PUBLIC_MAX_BODY_BYTES } from "../constants.ts";
import { limitBody } from "../middleware/body-limit.ts";
import { clientIp } from "../middleware/request-context.ts";
import { storableBody } from "../middleware/storable-input.ts";
import { withoutCookies } from "../middleware/without-cookies.ts";
import type { AppEnv } from "../types.ts";

/** Requests per client address (an IPv6 client by its /64) to the public API, across every route. */
export const PUBLIC_RATE_LIMIT: RateLimitRule = { limit: 300, windowMs: 60_000 };

/** Headers a public caller sends: its credential (`X-API-Key`, or the widget's `X-Visitor-Token`). */
export const PUBLIC_CREDENTIAL_HEADERS = { apiKey: "X-API-Key", visitorToken: "X-Visitor-Token" } as const;
export type PublicCredential = keyof typeof PUBLIC_CREDENTIAL_HEADERS;

export interface PublicStackOptions {
  rateLimit?: RateLimitRule;
}

/**
 * The stack of the website widget and the public chat API: `/api/v1/public/*` (audience.ts), called
 * by browsers on customers' sites and by customers' servers.
 *
 * - CORS open to any origin, without credentials (`Access-Control-Allow-Origin: *`, never
 *   `…-Allow-Credentials`): a widget on any site may call, and no browser ever sends it cookies;
 *   `Retry-After` and `X-Request-Id` are readable by the page;
 * - no cookie is read and none is set (the `Cookie` header is removed, a `Set-Cookie` dropped), no
 *   CSRF check: nothing here acts on a browser's ambient credentials;
 * - `PUBLIC_RATE_LIMIT` per client address (429 with `Retry-After`), counted in the shared limiter
 *   (Redis with several processes); preflights are answered before it and not counted;
 * - body up to `PUBLIC_MAX_BODY_BYTES` (413), no NUL or lone surrogate in a JSON body (400);
 * - errors in the shared shape `{ error: { code, message, requestId } }`.
 *
 * Who is calling is each route's business, declared with `publicCredential(…)` in its `createRoute`:
 * the chatbot's API key or the widget's visitor token (the widget issue writes those checks). A route
 * here without one is open to the internet.
 */
export function publicStack(runtime: Runtime, options: PublicStackOptions = {}): MiddlewareHandler<AppEnv> {
  const rule = options.rateLimit ?? PUBLIC_RATE_LIMIT;
  return every(
    cors({
      origin: "*",
      allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE"],
      allowHeaders: [
        "Content-Type",
        "X-Request-Id",
        ...Object.values(PUBLIC_CREDENTIAL_HEADERS),
        // The widget's session, when it asks the config endpoint for a (new) visitor token.
        PUBLIC_HEADERS.visitorSession,
      ],
      exposeHeaders: ["Retry-After", "X-Request-Id"],
      maxAge: 600,
    }),
    withoutCookies,
    limitPerAddress(runtime, rule),
    limitBody(PUBLIC_MAX_BODY_BYTES),
    storableBody,
  );
}

const limitPerAddress = (runtime: Runtime, rule: RateLimitRule) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const verdict = await runtime.limiter.hit(`public:ip:${addressBucket(clientIp(c))}`, rule);
    if (!verdict.allowed) {
      throw new DomainError("rate_limited", "Too many requests from this address. Try again later.", {
        retryAfterSeconds: verdict.retryAfterSeconds,
      });
    }
    await next();
  });

/**
 * Spread into a public route's `createRoute`: the credential it takes — checked by `check`, which sets
 * what the route needs on the context — and its OpenAPI security entry.
 */
export const publicCredential = (credential: PublicCredential, check: MiddlewareHandler<AppEnv>) => ({
  middleware: check,
  security: [{ [credential]: [] }],
});
