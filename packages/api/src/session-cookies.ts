import { CSRF_COOKIE, SESSION_COOKIE } from "@tandem/contracts";
import { csrfTokenFor } from "@tandem/core";
import type { Context } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import type { AppEnv } from "./types.ts";

/**
 * The httpOnly session cookie and the readable CSRF cookie, both expiring with the session. Set at
 * sign-in and again whenever the session's expiry slides forward, so the browser keeps the cookie as
 * long as the server keeps the session. Returns the CSRF token.
 */
export function setSessionCookies(
  c: Context<AppEnv>,
  session: { token: string; sessionId: string; expiresAt: Date },
): string {
  const runtime = c.get("runtime");
  const secure = runtime.config.appUrl.startsWith("https://");
  const csrfToken = csrfTokenFor(runtime.authSecret, session.sessionId);
  setCookie(c, SESSION_COOKIE, session.token, {
    httpOnly: true,
    sameSite: "Lax",
    secure,
    path: "/",
    expires: session.expiresAt,
  });
  setCookie(c, CSRF_COOKIE, csrfToken, {
    httpOnly: false,
    sameSite: "Lax",
    secure,
    path: "/",
    expires: session.expiresAt,
  });
  return csrfToken;
}

export function clearSessionCookies(c: Context<AppEnv>): void {
  deleteCookie(c, SESSION_COOKIE, { path: "/" });
  deleteCookie(c, CSRF_COOKIE, { path: "/" });
}
