import { createRoute } from "@hono/zod-openapi";
import { MarkedRead, NotificationList, NotificationParam, NotificationQuery } from "@tandem/contracts";
import { listNotifications, markNotificationsRead } from "@tandem/core";
import { createRouter, errors, json, permit } from "../openapi.ts";

/**
 * The caller's own notifications (docs/inbox.md, "Mentions"): @mentions in internal notes, kept
 * until read so a member who was offline still sees them. Nobody reads another member's.
 */
export function notificationRoutes() {
  const app = createRouter();

  // GET /api/v1/notifications — my notifications, unread only unless `?unread=false`, newest first
  app.openapi(
    createRoute({
      method: "get",
      path: "/notifications",
      tags: ["notifications"],
      ...permit("conversations.work"),
      request: { query: NotificationQuery },
      responses: { 200: json(NotificationList), ...errors(400, 401, 403) },
    }),
    async (c) => c.json(await listNotifications(c.get("ctx"), c.req.valid("query")), 200),
  );

  // POST /api/v1/notifications/:id/read — mark one of mine read
  app.openapi(
    createRoute({
      method: "post",
      path: "/notifications/{id}/read",
      tags: ["notifications"],
      ...permit("conversations.work"),
      request: { params: NotificationParam },
      responses: { 200: json(MarkedRead, "How many changed (0 when it was read already)"), ...errors(401, 403, 404) },
    }),
    async (c) => c.json(await markNotificationsRead(c.get("ctx"), { id: c.req.valid("param").id }), 200),
  );

  // POST /api/v1/notifications/read — mark all of mine read
  app.openapi(
    createRoute({
      method: "post",
      path: "/notifications/read",
      tags: ["notifications"],
      ...permit("conversations.work"),
      responses: { 200: json(MarkedRead, "How many changed"), ...errors(401, 403) },
    }),
    async (c) => c.json(await markNotificationsRead(c.get("ctx"), {}), 200),
  );

  return app;
}
