import { createRoute } from "@hono/zod-openapi";
import {
  ProviderSettingsDto,
  TestProviderInput,
  TestProviderResult,
  UpdateProviderSettingsInput,
} from "@tandem/contracts";
import { getProviderSettings, providerDeps, testProvider, updateProviderSettings } from "@tandem/core";
import { createRouter, errors, json, jsonBody, permit } from "../openapi.ts";

export function providerSettingsRoutes() {
  const app = createRouter();

  // GET /api/v1/settings/provider — the default chatbot's provider settings; keys as masked hints only
  app.openapi(
    createRoute({
      method: "get",
      path: "/settings/provider",
      tags: ["providers"],
      ...permit("providers.manage"),
      responses: { 200: json(ProviderSettingsDto), ...errors(401, 403) },
    }),
    async (c) => c.json(await getProviderSettings(c.get("ctx"), providerDeps(c.get("runtime"))), 200),
  );

  // PUT /api/v1/settings/provider — switch provider, store its key encrypted, set model and prompt
  app.openapi(
    createRoute({
      method: "put",
      path: "/settings/provider",
      tags: ["providers"],
      ...permit("providers.manage"),
      description:
        '`apiKey` and `baseUrl` apply to the chosen provider\'s stored credential: omitted → kept, `null` or `""` → cleared, a value → replaced. Unknown `{variables}` in `systemPrompt` answer 400 `invalid_prompt_template` with one `details` entry per variable. Creates the default chatbot when the workspace has none.',
      request: jsonBody(UpdateProviderSettingsInput),
      responses: { 200: json(ProviderSettingsDto), ...errors(400, 401, 403) },
    }),
    async (c) =>
      c.json(await updateProviderSettings(c.get("ctx"), c.req.valid("json"), providerDeps(c.get("runtime"))), 200),
  );

  // POST /api/v1/providers/test — one tiny request to the provider; the verdict is in `ok` (200 either way)
  app.openapi(
    createRoute({
      method: "post",
      path: "/providers/test",
      tags: ["providers"],
      ...permit("providers.manage"),
      request: jsonBody(TestProviderInput),
      responses: {
        200: json(TestProviderResult, "The verdict: ok, or the provider error code"),
        ...errors(400, 401, 403),
      },
    }),
    async (c) => c.json(await testProvider(c.get("ctx"), c.req.valid("json"), providerDeps(c.get("runtime"))), 200),
  );

  return app;
}
