import { createRoute, z } from "@hono/zod-openapi";
import {
  MeResponse,
  RevokedSessions,
  SessionList,
  UpdateProfileInput,
  UserDto,
  WorkspaceMembershipList,
} from "@tandem/contracts";
import {
  csrfTokenFor,
  listSessions,
  listWorkspaces,
  permissionsOf,
  revokeOtherSessions,
  revokeOwnSession,
  updateProfile,
} from "@tandem/core";
import { createRouter, errors, json, jsonBody, permit } from "../openapi.ts";
import { clearSessionCookies } from "../session-cookies.ts";

export function meRoutes() {
  const app = createRouter();

  // GET /api/v1/me — the caller's user, workspace, role and permissions
  app.openapi(
    createRoute({
      method: "get",
      path: "/me",
      tags: ["account"],
      responses: { 200: json(MeResponse), ...errors(401) },
    }),
    async (c) => {
      const auth = c.get("auth");
      return c.json(
        {
          user: auth.user,
          workspace: auth.workspace,
          role: auth.role,
          permissions: permissionsOf(auth.role),
          ...(auth.sessionId ? { csrfToken: csrfTokenFor(c.get("runtime").authSecret, auth.sessionId) } : {}),
        },
        200,
      );
    },
  );

  // PATCH /api/v1/me — the caller's own profile (their name)
  app.openapi(
    createRoute({
      method: "patch",
      path: "/me",
      tags: ["account"],
      ...permit("account.manage"),
      description: "Renames the signed-in person (not possible with an API token). Audited as `user.update_profile`.",
      request: { ...jsonBody(UpdateProfileInput) },
      responses: { 200: json(UserDto), ...errors(400, 401, 403) },
    }),
    async (c) => c.json(await updateProfile(c.get("ctx"), c.req.valid("json")), 200),
  );

  // GET /api/v1/me/sessions — where the caller is signed in: device, address, started, last seen
  app.openapi(
    createRoute({
      method: "get",
      path: "/me/sessions",
      tags: ["account"],
      ...permit("account.manage"),
      responses: { 200: json(SessionList), ...errors(401) },
    }),
    async (c) => c.json({ data: await listSessions(c.get("ctx"), { currentSessionId: c.get("auth").sessionId }) }, 200),
  );

  // POST /api/v1/me/sessions/revoke-others — sign out everywhere but here
  app.openapi(
    createRoute({
      method: "post",
      path: "/me/sessions/revoke-others",
      tags: ["account"],
      ...permit("account.manage"),
      responses: { 200: json(RevokedSessions), ...errors(401) },
    }),
    async (c) => c.json(await revokeOtherSessions(c.get("ctx"), { currentSessionId: c.get("auth").sessionId }), 200),
  );

  // DELETE /api/v1/me/sessions/{id} — sign one of the caller's sessions out (the current one too)
  app.openapi(
    createRoute({
      method: "delete",
      path: "/me/sessions/{id}",
      tags: ["account"],
      ...permit("account.manage"),
      request: { params: z.object({ id: z.string().min(1).max(64) }) },
      responses: { 204: { description: "Signed out" }, ...errors(401, 404) },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      await revokeOwnSession(c.get("ctx"), { sessionId: id });
      if (id === c.get("auth").sessionId) clearSessionCookies(c);
      return c.body(null, 204);
    },
  );

  // GET /api/v1/me/workspaces — the workspaces the caller belongs to (the workspace switcher)
  app.openapi(
    createRoute({
      method: "get",
      path: "/me/workspaces",
      tags: ["account"],
      ...permit("account.manage"),
      responses: { 200: json(WorkspaceMembershipList), ...errors(401) },
    }),
    async (c) => c.json({ data: await listWorkspaces(c.get("ctx")) }, 200),
  );

  return app;
}
