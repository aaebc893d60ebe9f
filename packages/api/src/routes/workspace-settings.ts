import { createRoute } from "@hono/zod-openapi";
import { InboxSettingsDto, UpdateInboxSettingsInput } from "@tandem/contracts";
import { getInboxSettings, updateInboxSettings } from "@tandem/core";
import { createRouter, errors, json, jsonBody, permit } from "../openapi.ts";

/** Workspace-wide settings: every member reads how the inbox behaves; OWNER and ADMIN change it. */
export function workspaceSettingsRoutes() {
  const app = createRouter();

  // GET /api/v1/settings/inbox — how the inbox behaves (assign on reply)
  app.openapi(
    createRoute({
      method: "get",
      path: "/settings/inbox",
      tags: ["settings"],
      ...permit("conversations.work"),
      responses: { 200: json(InboxSettingsDto), ...errors(401, 403) },
    }),
    async (c) => c.json(await getInboxSettings(c.get("ctx")), 200),
  );

  // PATCH /api/v1/settings/inbox — change them (audited)
  app.openapi(
    createRoute({
      method: "patch",
      path: "/settings/inbox",
      tags: ["settings"],
      ...permit("settings.manage"),
      request: jsonBody(UpdateInboxSettingsInput),
      responses: { 200: json(InboxSettingsDto), ...errors(400, 401, 403) },
    }),
    async (c) => c.json(await updateInboxSettings(c.get("ctx"), c.req.valid("json")), 200),
  );

  return app;
}
