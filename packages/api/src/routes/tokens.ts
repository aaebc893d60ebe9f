import { createRoute, z } from "@hono/zod-openapi";
import { ApiTokenCreated, ApiTokenDto, CreateApiTokenInput, page } from "@tandem/contracts";
import { createApiToken, listApiTokens, revokeApiToken } from "@tandem/core";
import { createRouter, errors, json, jsonBody, permit } from "../openapi.ts";

export function tokenRoutes() {
  const app = createRouter();

  // GET /api/v1/tokens — the caller's personal API tokens (hints only)
  app.openapi(
    createRoute({
      method: "get",
      path: "/tokens",
      tags: ["account"],
      ...permit("account.manage"),
      responses: { 200: json(page(ApiTokenDto)), ...errors(401) },
    }),
    async (c) => c.json({ data: await listApiTokens(c.get("ctx")), nextCursor: null }, 200),
  );

  // POST /api/v1/tokens — create a token; the plaintext is in this response only
  app.openapi(
    createRoute({
      method: "post",
      path: "/tokens",
      tags: ["account"],
      ...permit("account.manage"),
      request: jsonBody(CreateApiTokenInput),
      responses: { 201: json(ApiTokenCreated, "Token created"), ...errors(400, 401) },
    }),
    async (c) => c.json(await createApiToken(c.get("ctx"), c.req.valid("json")), 201),
  );

  // DELETE /api/v1/tokens/{id} — revoke one of the caller's tokens
  app.openapi(
    createRoute({
      method: "delete",
      path: "/tokens/{id}",
      tags: ["account"],
      ...permit("account.manage"),
      request: { params: z.object({ id: z.string().min(1).max(64) }) },
      responses: { 204: { description: "Revoked" }, ...errors(401, 404) },
    }),
    async (c) => {
      await revokeApiToken(c.get("ctx"), c.req.valid("param").id);
      return c.body(null, 204);
    },
  );

  return app;
}
