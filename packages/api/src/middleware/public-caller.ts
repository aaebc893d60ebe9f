import { PUBLIC_HEADERS } from "@tandem/contracts";
import {
  assertWidgetOrigin,
  authenticateChatbotKey,
  DomainError,
  publicChatbot,
  type RateLimitRule,
  verifyVisitorToken,
} from "@tandem/core";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv, PublicCaller } from "../types.ts";
import { pageOrigin } from "./page-origin.ts";

/**
 * Who calls a public chat route (`/api/v1/public/chat/{chatbotId}/…`):
 * - `api`: a developer's server with the chatbot's key in `X-API-Key`;
 * - `visitor`: the widget in a browser, with the visitor token the config endpoint issued in
 *   `X-Visitor-Token`. The request's `Origin` must be the token's, and still allowed by the chatbot's
 *   domains (they may have changed since the token was issued).
 * Each kind has its own rate limit (per key, per visitor session), on top of the stack's per address.
 * The caller (`PublicCaller`, types.ts) is on `c.get("publicCaller")`.
 */

export const PUBLIC_KEY_RATE_LIMIT: RateLimitRule = { limit: 600, windowMs: 60_000 };
export const PUBLIC_VISITOR_RATE_LIMIT: RateLimitRule = { limit: 60, windowMs: 60_000 };

export interface PublicCallerOptions {
  accept: PublicCaller["kind"][];
  keyRateLimit?: RateLimitRule;
  visitorRateLimit?: RateLimitRule;
}

/** Sets `c.get("publicCaller")`, or refuses: 401 without a valid credential, 403 for a foreign origin, 429. */
export const publicCaller = (options: PublicCallerOptions) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const runtime = c.get("runtime");
    const chatbotId = c.req.param("chatbotId") ?? "";
    const apiKey = c.req.header(PUBLIC_HEADERS.apiKey);
    const token = c.req.header(PUBLIC_HEADERS.visitorToken);
    let caller: PublicCaller;
    if (apiKey !== undefined && options.accept.includes("api")) {
      const chatbot = await authenticateChatbotKey(runtime.database.db, apiKey);
      // A key of another chatbot is no key for this one.
      if (chatbot.id !== chatbotId)
        throw new DomainError("invalid_api_key", "The API key is not valid for this chatbot.");
      await limit(c, `public:key:${chatbot.id}`, options.keyRateLimit ?? PUBLIC_KEY_RATE_LIMIT);
      caller = { kind: "api", chatbot };
    } else if (token !== undefined && options.accept.includes("visitor")) {
      const claims = verifyVisitorToken(runtime.authSecret, token, chatbotId);
      const origin = pageOrigin(c);
      if (origin !== claims.origin) {
        throw new DomainError("origin_not_allowed", "This visitor token was issued to another site.");
      }
      const chatbot = await publicChatbot(runtime.database.db, chatbotId);
      // The domains and the status as they are now: `testing` serves the dashboard's preview only,
      // `inactive` nobody (core public-chat/widget-origin.ts).
      assertWidgetOrigin(chatbot, origin, runtime.config.appOrigin);
      await limit(
        c,
        `public:visitor:${chatbot.id}:${claims.sessionId}`,
        options.visitorRateLimit ?? PUBLIC_VISITOR_RATE_LIMIT,
      );
      caller = { kind: "visitor", chatbot, sessionId: claims.sessionId, origin };
    } else {
      const names = options.accept.map((k) => (k === "api" ? PUBLIC_HEADERS.apiKey : PUBLIC_HEADERS.visitorToken));
      throw new DomainError("unauthenticated", `Send ${names.join(" or ")}.`);
    }
    c.set("publicCaller", caller);
    await next();
  });

async function limit(c: Context<AppEnv>, key: string, rule: RateLimitRule) {
  const verdict = await c.get("runtime").limiter.hit(key, rule);
  if (!verdict.allowed) {
    throw new DomainError("rate_limited", "Too many requests. Try again later.", {
      retryAfterSeconds: verdict.retryAfterSeconds,
    });
  }
}
