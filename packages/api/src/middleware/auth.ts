import { CSRF_HEADER, SESSION_COOKIE } from "@tandem/contracts";
import { csrfTokenFor, DomainError, resolveApiToken, resolveSession, safeEqual } from "@tandem/core";
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import { setSessionCookies } from "../session-cookies.ts";
import type { AppEnv, AuthState } from "../types.ts";
import { clientIp } from "./request-context.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Same-origin check for cookie-authenticated mutations: a browser always sends Origin on cross-site
 * POSTs; it must be the app's own origin (APP_URL) or the origin the request was addressed to.
 */
export function assertSameOrigin(c: Context<AppEnv>): void {
  const origin = c.req.header("origin");
  if (!origin) {
    if (c.req.header("sec-fetch-site") === "cross-site")
      throw new DomainError("origin_not_allowed", "Cross-site request refused");
    return;
  }
  if (!isSameOrigin(origin, c.get("runtime").config.appOrigin, c.req.header("host"))) {
    throw new DomainError("origin_not_allowed", "Cross-origin request refused");
  }
}

/** A browser's `Origin` is the app's own (APP_URL) or the origin the request was addressed to (`Host`). */
export function isSameOrigin(origin: string, appOrigin: string, host: string | undefined): boolean {
  return origin === appOrigin || (host !== undefined && (origin === `http://${host}` || origin === `https://${host}`));
}

async function authenticate(c: Context<AppEnv>): Promise<AuthState | null> {
  const runtime = c.get("runtime");
  const db = runtime.database.db;
  const authorization = c.req.header("authorization");
  if (authorization) {
    const [scheme, token] = authorization.split(" ");
    if (scheme?.toLowerCase() !== "bearer" || !token) return null;
    const identity = await resolveApiToken(db, token.trim());
    if (!identity) return null;
    return { kind: "token", ...identity };
  }
  const cookie = getCookie(c, SESSION_COOKIE);
  if (!cookie) return null;
  const session = await resolveSession(db, cookie, { ip: clientIp(c) });
  if (!session) return null;
  if (session.renewed)
    setSessionCookies(c, { token: cookie, sessionId: session.sessionId, expiresAt: session.expiresAt });
  return {
    kind: "session",
    user: session.user,
    workspace: session.workspace,
    memberId: session.memberId,
    role: session.role,
    sessionId: session.sessionId,
  };
}

/** Requires a session cookie or a personal API token; cookie mutations must carry the CSRF token. */
export const requireAuth = createMiddleware<AppEnv>(async (c, next) => {
  const auth = await authenticate(c);
  if (!auth) throw new DomainError("unauthenticated", "Sign in or send a valid API token");
  if (auth.kind === "session" && !SAFE_METHODS.has(c.req.method)) {
    assertSameOrigin(c);
    const sent = c.req.header(CSRF_HEADER) ?? "";
    const expected = csrfTokenFor(c.get("runtime").authSecret, auth.sessionId!);
    if (!safeEqual(sent, expected)) throw new DomainError("csrf_failed", "Missing or invalid CSRF token");
  }
  const runtime = c.get("runtime");
  c.set("auth", auth);
  c.set("ctx", {
    db: runtime.database.db,
    workspaceId: auth.workspace.id,
    actor:
      auth.kind === "token"
        ? { type: "token", userId: auth.user.id, memberId: auth.memberId, role: auth.role, tokenId: auth.tokenId! }
        : { type: "user", userId: auth.user.id, memberId: auth.memberId, role: auth.role },
    log: runtime.log.child({ requestId: c.get("requestId"), workspaceId: auth.workspace.id }),
    requestId: c.get("requestId"),
    ip: clientIp(c),
    userAgent: c.req.header("user-agent"),
    queue: runtime.queue ?? undefined,
    realtime: runtime.realtime,
    channels: runtime.channels,
  });
  await next();
});
