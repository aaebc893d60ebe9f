import { createRoute, z } from "@hono/zod-openapi";
import {
  CreateCredentialInput,
  NamedCredentialDto,
  NamedCredentialListResponse,
  TestCredentialInput,
  TestProviderResult,
  UpdateCredentialInput,
} from "@tandem/contracts";
import {
  createCredential,
  deleteCredential,
  listCredentials,
  providerDeps,
  testCredential,
  updateCredential,
} from "@tandem/core";
import { createRouter, errors, json, jsonBody, permit } from "../openapi.ts";

const CredentialParam = z.object({ credentialId: z.string().min(1).max(64) });

/** The workspace's named provider credentials (OWNER, ADMIN): keys are write-only, read back as hints. */
export function providerCredentialRoutes() {
  const app = createRouter();

  // GET /api/v1/providers/credentials — every credential, with the chatbots using it
  app.openapi(
    createRoute({
      method: "get",
      path: "/providers/credentials",
      tags: ["providers"],
      ...permit("providers.manage"),
      responses: { 200: json(NamedCredentialListResponse), ...errors(401, 403) },
    }),
    async (c) => c.json(await listCredentials(c.get("ctx")), 200),
  );

  // POST /api/v1/providers/credentials — a new named credential, its key encrypted
  app.openapi(
    createRoute({
      method: "post",
      path: "/providers/credentials",
      tags: ["providers"],
      ...permit("providers.manage"),
      description:
        "Names are unique in the workspace (409 `credential_name_taken`). Hosted providers need `apiKey`, OPENAI_COMPATIBLE needs `baseUrl` (400 naming the field).",
      request: jsonBody(CreateCredentialInput),
      responses: { 201: json(NamedCredentialDto, "Created"), ...errors(400, 401, 403, 409) },
    }),
    async (c) => c.json(await createCredential(c.get("ctx"), c.req.valid("json"), providerDeps(c.get("runtime"))), 201),
  );

  // PATCH /api/v1/providers/credentials/{credentialId} — rename, replace the key, base URL or default model
  app.openapi(
    createRoute({
      method: "patch",
      path: "/providers/credentials/{credentialId}",
      tags: ["providers"],
      ...permit("providers.manage"),
      description:
        '`apiKey` and `baseUrl`: omitted → kept, `null` or `""` → cleared, a value → replaced. Changing the base URL of a credential with a key needs the key again (400 `api_key_required`).',
      request: { params: CredentialParam, ...jsonBody(UpdateCredentialInput) },
      responses: { 200: json(NamedCredentialDto), ...errors(400, 401, 403, 404, 409) },
    }),
    async (c) =>
      c.json(
        await updateCredential(
          c.get("ctx"),
          c.req.valid("param").credentialId,
          c.req.valid("json"),
          providerDeps(c.get("runtime")),
        ),
        200,
      ),
  );

  // DELETE /api/v1/providers/credentials/{credentialId} — refused while a chatbot uses it
  app.openapi(
    createRoute({
      method: "delete",
      path: "/providers/credentials/{credentialId}",
      tags: ["providers"],
      ...permit("providers.manage"),
      request: { params: CredentialParam },
      responses: { 204: { description: "Deleted" }, ...errors(401, 403, 404, 409) },
    }),
    async (c) => {
      await deleteCredential(c.get("ctx"), c.req.valid("param").credentialId);
      return c.body(null, 204);
    },
  );

  // POST /api/v1/providers/credentials/{credentialId}/test — one tiny request with the stored key
  app.openapi(
    createRoute({
      method: "post",
      path: "/providers/credentials/{credentialId}/test",
      tags: ["providers"],
      ...permit("providers.manage"),
      request: { params: CredentialParam, ...jsonBody(TestCredentialInput) },
      responses: {
        200: json(TestProviderResult, "The verdict: ok, or the provider error code"),
        ...errors(400, 401, 403, 404),
      },
    }),
    async (c) =>
      c.json(
        await testCredential(
          c.get("ctx"),
          c.req.valid("param").credentialId,
          c.req.valid("json"),
          providerDeps(c.get("runtime")),
        ),
        200,
      ),
  );

  return app;
}
