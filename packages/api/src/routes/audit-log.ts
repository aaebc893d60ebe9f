import { createRoute } from "@hono/zod-openapi";
import { AuditLogFilters, AuditLogQuery, AuditLogResponse } from "@tandem/contracts";
import { listAuditLog, listAuditLogFilters } from "@tandem/core";
import { createRouter, errors, json, permit } from "../openapi.ts";

/** The workspace's audit log (docs/audit-log.md), for OWNER and ADMIN (`audit.read`). */
export function auditLogRoutes() {
  const app = createRouter();

  // GET /api/v1/audit-log — who changed what, signed in or exported; newest first, filtered
  app.openapi(
    createRoute({
      method: "get",
      path: "/audit-log",
      tags: ["audit-log"],
      ...permit("audit.read"),
      description:
        "Newest first; pass `nextCursor` back as `cursor`. `actor`: a user id (their actions and their tokens'), a token id or `system`; `action`: exact, or a prefix ending with a dot (`channel.`); `from` inclusive, `to` exclusive. Secrets in `before` / `after` show as `••••`.",
      request: { query: AuditLogQuery },
      responses: { 200: json(AuditLogResponse), ...errors(400, 401, 403) },
    }),
    async (c) => c.json(await listAuditLog(c.get("ctx"), c.req.valid("query")), 200),
  );

  // GET /api/v1/audit-log/filters — the actions, entity types and actors the log holds
  app.openapi(
    createRoute({
      method: "get",
      path: "/audit-log/filters",
      tags: ["audit-log"],
      ...permit("audit.read"),
      responses: { 200: json(AuditLogFilters), ...errors(401, 403) },
    }),
    async (c) => c.json(await listAuditLogFilters(c.get("ctx")), 200),
  );

  return app;
}
