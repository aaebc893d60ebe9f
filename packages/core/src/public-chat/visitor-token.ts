import { randomBytes } from "node:crypto";
import { PUBLIC_CHAT_LIMITS, type VisitorTokenDto } from "@tandem/contracts";
import { hmac, safeEqual } from "../auth/crypto.ts";
import { DomainError } from "../errors.ts";

/**
 * The widget's visitor token: a short-lived credential for one widget session, bound to the chatbot,
 * the session and the page origin it was issued to. Stateless — `vt1.{payload}.{mac}`, the payload
 * base64url JSON, the MAC an HMAC-SHA256 of it under the server's auth secret — so any web process
 * checks it without a lookup, and a leaked token is useless on another site or after
 * `visitorTokenTtlSeconds`. The session id itself (`ws_…`, 128 random bits) is minted here, never
 * chosen by the page, so a visitor cannot pick another visitor's session.
 */

const VERSION = "vt1";
export const WIDGET_SESSION_PREFIX = "ws_";

export interface VisitorClaims {
  chatbotId: string;
  sessionId: string;
  /** The page origin (`https://shop.example.com`) the token was issued to. */
  origin: string;
  /** Seconds since the epoch. */
  expiresAt: number;
}

export const newWidgetSessionId = () => `${WIDGET_SESSION_PREFIX}${randomBytes(16).toString("base64url")}`;

export const isWidgetSessionId = (value: string) => /^ws_[A-Za-z0-9_-]{22}$/.test(value);

const mac = (secret: string, payload: string) => hmac(secret, `widget-visitor:${payload}`);

export function issueVisitorToken(
  secret: string,
  claims: Omit<VisitorClaims, "expiresAt">,
  now = new Date(),
): VisitorTokenDto {
  const expiresAt = Math.floor(now.getTime() / 1000) + PUBLIC_CHAT_LIMITS.visitorTokenTtlSeconds;
  const payload = Buffer.from(JSON.stringify({ ...claims, expiresAt } satisfies VisitorClaims)).toString("base64url");
  return {
    sessionId: claims.sessionId,
    token: `${VERSION}.${payload}.${mac(secret, payload)}`,
    expiresAt: new Date(expiresAt * 1000).toISOString(),
  };
}

/**
 * The claims of a valid, unexpired token for `chatbotId`; anything else is a 401 `invalid_visitor_token`
 * (`visitor_token_expired` for a genuine but expired one, so the widget knows to refresh). The caller
 * checks the request's `Origin` against `claims.origin`.
 */
export function verifyVisitorToken(
  secret: string,
  token: string | null | undefined,
  chatbotId: string,
  now = new Date(),
): VisitorClaims {
  const parts = token?.split(".") ?? [];
  if (parts.length !== 3 || parts[0] !== VERSION || (token?.length ?? 0) > 2000) throw invalidToken();
  const [, payload, signature] = parts as [string, string, string];
  if (!safeEqual(signature, mac(secret, payload))) throw invalidToken();
  let claims: VisitorClaims;
  try {
    claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as VisitorClaims;
  } catch {
    throw invalidToken();
  }
  if (claims.chatbotId !== chatbotId || typeof claims.sessionId !== "string") throw invalidToken();
  if (claims.expiresAt * 1000 <= now.getTime()) {
    throw new DomainError(
      "visitor_token_expired",
      "The visitor token has expired: ask the config endpoint for a new one.",
    );
  }
  return claims;
}

const invalidToken = () => new DomainError("invalid_visitor_token", "The visitor token is not valid for this chatbot.");
