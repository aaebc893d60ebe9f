import { createRoute } from "@hono/zod-openapi";
import { InboxOptions } from "@tandem/contracts";
import { listInboxOptions } from "@tandem/core";
import { createRouter, errors, json, permit } from "../openapi.ts";

export function inboxRoutes() {
  const app = createRouter();

  // GET /api/v1/inbox/options — channels, members and tags for the inbox's filters and pickers
  app.openapi(
    createRoute({
      method: "get",
      path: "/inbox/options",
      tags: ["conversations"],
      ...permit("conversations.work"),
      responses: { 200: json(InboxOptions), ...errors(401, 403) },
    }),
    async (c) => c.json(await listInboxOptions(c.get("ctx")), 200),
  );

  return app;
}
