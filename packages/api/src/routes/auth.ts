import { createRoute, z } from "@hono/zod-openapi";
import {
  AcceptInvitationInput,
  ChangePasswordInput,
  ForgotPasswordInput,
  InvitationPreview,
  PasswordResetPreview,
  ResetPasswordInput,
  SESSION_COOKIE,
  SessionResponse,
  SetupInput,
  SetupStatus,
  SignInInput,
  SwitchWorkspaceInput,
} from "@tandem/contracts";
import {
  acceptInvitation,
  changePassword,
  csrfTokenFor,
  DomainError,
  getInvitationByToken,
  getPasswordReset,
  needsSetup,
  requestPasswordReset,
  resetPassword,
  resolveSession,
  revokeSession,
  setupFirstOwner,
  signIn,
  switchWorkspace,
} from "@tandem/core";
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import { assertSameOrigin, requireAuth } from "../middleware/auth.ts";
import { clientIp } from "../middleware/request-context.ts";
import { createRouter, errors, json, jsonBody } from "../openapi.ts";
import { clearSessionCookies, setSessionCookies } from "../session-cookies.ts";
import type { AppEnv } from "../types.ts";

/** Sets the session cookies and returns the session body. */
async function startSession(c: Context<AppEnv>, session: { token: string; expiresAt: Date; sessionId: string }) {
  const runtime = c.get("runtime");
  const csrfToken = setSessionCookies(c, session);
  const resolved = await resolveSession(runtime.database.db, session.token);
  if (!resolved) throw new DomainError("unauthenticated", "Session could not be started");
  return { user: resolved.user, workspace: resolved.workspace, role: resolved.role, csrfToken };
}

const requestMeta = (c: Context<AppEnv>) => ({
  ip: clientIp(c),
  userAgent: c.req.header("user-agent"),
  requestId: c.get("requestId"),
});

export function authRoutes() {
  const app = createRouter();

  // POST /api/auth/sign-in — email + password → session cookie
  app.openapi(
    createRoute({
      method: "post",
      path: "/sign-in",
      tags: ["auth"],
      request: jsonBody(SignInInput),
      responses: { 200: json(SessionResponse), ...errors(400, 401, 429) },
    }),
    async (c) => {
      assertSameOrigin(c);
      const runtime = c.get("runtime");
      const session = await signIn(
        { db: runtime.database.db, limiter: runtime.limiter },
        { ...c.req.valid("json"), ...requestMeta(c) },
      );
      return c.json(await startSession(c, session), 200);
    },
  );

  // POST /api/auth/sign-out — ends the current session (its sockets are disconnected)
  app.openapi(
    createRoute({
      method: "post",
      path: "/sign-out",
      tags: ["auth"],
      responses: { 204: { description: "Signed out" } },
    }),
    async (c) => {
      assertSameOrigin(c);
      const token = getCookie(c, SESSION_COOKIE);
      const runtime = c.get("runtime");
      if (token) await revokeSession({ db: runtime.database.db, realtime: runtime.realtime }, token, requestMeta(c));
      clearSessionCookies(c);
      return c.body(null, 204);
    },
  );

  // GET /api/auth/session — the current cookie session
  app.openapi(
    createRoute({
      method: "get",
      path: "/session",
      tags: ["auth"],
      responses: { 200: json(SessionResponse), ...errors(401) },
    }),
    async (c) => {
      const runtime = c.get("runtime");
      const token = getCookie(c, SESSION_COOKIE);
      const session = token ? await resolveSession(runtime.database.db, token, { ip: clientIp(c) }) : null;
      if (!session) throw new DomainError("unauthenticated", "Not signed in");
      if (session.renewed)
        setSessionCookies(c, { token: token!, sessionId: session.sessionId, expiresAt: session.expiresAt });
      return c.json(
        {
          user: session.user,
          workspace: session.workspace,
          role: session.role,
          csrfToken: csrfTokenFor(runtime.authSecret, session.sessionId),
        },
        200,
      );
    },
  );

  // POST /api/auth/switch-workspace — move the session to another of the caller's workspaces
  app.use("/switch-workspace", requireAuth);
  app.openapi(
    createRoute({
      method: "post",
      path: "/switch-workspace",
      tags: ["auth"],
      request: jsonBody(SwitchWorkspaceInput),
      responses: { 200: json(SessionResponse), ...errors(400, 401, 403, 404) },
    }),
    async (c) => {
      const auth = c.get("auth");
      if (auth.kind !== "session" || !auth.sessionId) {
        throw new DomainError("forbidden", "An API token belongs to one workspace: sign in to switch");
      }
      const session = await switchWorkspace(c.get("ctx"), {
        sessionId: auth.sessionId,
        workspaceId: c.req.valid("json").workspaceId,
      });
      return c.json(await startSession(c, session), 200);
    },
  );

  // GET /api/auth/setup — whether the first owner still has to be created
  app.openapi(
    createRoute({
      method: "get",
      path: "/setup",
      tags: ["auth"],
      responses: { 200: json(SetupStatus) },
    }),
    async (c) => c.json({ needsSetup: await needsSetup(c.get("runtime").database.db) }, 200),
  );

  // POST /api/auth/setup — first-run owner creation (only while no user exists)
  app.openapi(
    createRoute({
      method: "post",
      path: "/setup",
      tags: ["auth"],
      request: jsonBody(SetupInput),
      responses: { 200: json(SessionResponse), ...errors(400, 409) },
    }),
    async (c) => {
      assertSameOrigin(c);
      const session = await setupFirstOwner(c.get("runtime").database.db, {
        ...c.req.valid("json"),
        ...requestMeta(c),
      });
      return c.json(await startSession(c, session), 200);
    },
  );

  // GET /api/auth/invitations/{token} — what an invitation link is for
  app.openapi(
    createRoute({
      method: "get",
      path: "/invitations/{token}",
      tags: ["auth"],
      request: { params: z.object({ token: z.string().min(10).max(200) }) },
      responses: {
        200: json(InvitationPreview),
        ...errors(404),
      },
    }),
    async (c) => c.json(await getInvitationByToken(c.get("runtime").database.db, c.req.valid("param").token), 200),
  );

  // POST /api/auth/invitations/accept — join the workspace (creating the account if needed)
  app.openapi(
    createRoute({
      method: "post",
      path: "/invitations/accept",
      tags: ["auth"],
      request: jsonBody(AcceptInvitationInput),
      responses: { 200: json(SessionResponse), ...errors(400, 401, 404, 409, 429) },
    }),
    async (c) => {
      assertSameOrigin(c);
      const runtime = c.get("runtime");
      const session = await acceptInvitation(
        { db: runtime.database.db, log: runtime.log, limiter: runtime.limiter },
        { ...c.req.valid("json"), ...requestMeta(c) },
      );
      return c.json(await startSession(c, session), 200);
    },
  );

  // POST /api/auth/password — change one's password (session only); other sessions end
  app.openapi(
    createRoute({
      method: "post",
      path: "/password",
      tags: ["auth"],
      middleware: requireAuth,
      request: jsonBody(ChangePasswordInput),
      responses: { 204: { description: "Changed; every other session ended" }, ...errors(400, 401, 403, 429) },
    }),
    async (c) => {
      const auth = c.get("auth");
      const runtime = c.get("runtime");
      if (auth.kind !== "session" || !auth.sessionId) {
        throw new DomainError("forbidden", "Change the password from a signed-in session, not with an API token");
      }
      await changePassword(
        c.get("ctx"),
        { ...c.req.valid("json"), sessionId: auth.sessionId },
        { limiter: runtime.limiter, mail: runtime },
      );
      return c.body(null, 204);
    },
  );

  // POST /api/auth/password/forgot — mail a reset link; 202 whether or not the address has an account
  app.openapi(
    createRoute({
      method: "post",
      path: "/password/forgot",
      tags: ["auth"],
      request: jsonBody(ForgotPasswordInput),
      responses: {
        202: { description: "Accepted: an account with this address gets a link" },
        ...errors(400, 429, 503),
      },
    }),
    async (c) => {
      assertSameOrigin(c);
      const runtime = c.get("runtime");
      await requestPasswordReset(
        { limiter: runtime.limiter, mail: runtime },
        { ...c.req.valid("json"), ip: clientIp(c) },
      );
      return c.body(null, 202);
    },
  );

  // GET /api/auth/password/reset/{token} — what a reset link is for
  app.openapi(
    createRoute({
      method: "get",
      path: "/password/reset/{token}",
      tags: ["auth"],
      request: { params: z.object({ token: z.string().min(10).max(200) }) },
      responses: { 200: json(PasswordResetPreview), ...errors(404, 429) },
    }),
    async (c) => {
      const runtime = c.get("runtime");
      const preview = await getPasswordReset(
        { db: runtime.database.db, limiter: runtime.limiter },
        { token: c.req.valid("param").token, ip: clientIp(c) },
      );
      return c.json(preview, 200);
    },
  );

  // POST /api/auth/password/reset — set a new password with a mailed link; every session ends
  app.openapi(
    createRoute({
      method: "post",
      path: "/password/reset",
      tags: ["auth"],
      request: jsonBody(ResetPasswordInput),
      responses: { 204: { description: "Password set; sign in with it" }, ...errors(400, 404, 429) },
    }),
    async (c) => {
      assertSameOrigin(c);
      const runtime = c.get("runtime");
      await resetPassword(
        {
          db: runtime.database.db,
          log: runtime.log,
          limiter: runtime.limiter,
          mail: runtime,
          realtime: runtime.realtime,
        },
        { ...c.req.valid("json"), ...requestMeta(c) },
      );
      return c.body(null, 204);
    },
  );

  return app;
}
