import { createRoute } from "@hono/zod-openapi";
import {
  BotSettingsDto,
  ProviderSettingsDto,
  TestProviderInput,
  TestProviderResult,
  UpdateBotSettingsInput,
  UpdateProviderSettingsInput,
} from "@tandem/contracts";
import {
  getBotSettings,
  getProviderSettings,
  providerDeps,
  testProvider,
  updateBotSettings,
  updateProviderSettings,
} from "@tandem/core";
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

  // GET /api/v1/settings/bot — the default chatbot's brand variables, guardrails and memory (effective values)
  app.openapi(
    createRoute({
      method: "get",
      path: "/settings/bot",
      tags: ["providers"],
      ...permit("providers.manage"),
      responses: { 200: json(BotSettingsDto), ...errors(401, 403) },
    }),
    async (c) => c.json(await getBotSettings(c.get("ctx")), 200),
  );

  // PUT /api/v1/settings/bot — replace them; the next reply uses them
  app.openapi(
    createRoute({
      method: "put",
      path: "/settings/bot",
      tags: ["providers"],
      ...permit("providers.manage"),
      description:
        "Replaces the prompt variables (`{brand_name}`, `{tone}`, `{do_list}`, `{dont_list}`, `{policy_snippets}`), the guardrails and the memory settings of the default chatbot, creating it when the workspace has none.",
      request: jsonBody(UpdateBotSettingsInput),
      responses: { 200: json(BotSettingsDto), ...errors(400, 401, 403) },
    }),
    async (c) => c.json(await updateBotSettings(c.get("ctx"), c.req.valid("json")), 200),
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
