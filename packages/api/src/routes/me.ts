import { createRoute } from "@hono/zod-openapi";
import { MeResponse } from "@tandem/contracts";
import { csrfTokenFor, permissionsOf } from "@tandem/core";
import { createRouter, errors, json } from "../openapi.ts";

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
  return app;
}
