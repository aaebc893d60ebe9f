import { createRoute, z } from "@hono/zod-openapi";
import { MESSAGE_LOG_EXPORT_MAX_ROWS, MessageLogFilters, MessageLogQuery, MessageLogResponse } from "@tandem/contracts";
import { exportMessageLogCsv, listMessageLog } from "@tandem/core";
import { createRouter, errors, json, permit } from "../openapi.ts";

/** The message log (`/logs`): every message of the workspace, for OWNER and ADMIN (`logs.read`). */
export function messageLogRoutes() {
  const app = createRouter();

  // GET /api/v1/logs/messages — the workspace's messages newest first: filters, cursor pagination
  app.openapi(
    createRoute({
      method: "get",
      path: "/logs/messages",
      tags: ["logs"],
      ...permit("logs.read"),
      request: { query: MessageLogQuery },
      responses: { 200: json(MessageLogResponse), ...errors(400, 401, 403) },
    }),
    async (c) => c.json(await listMessageLog(c.get("ctx"), c.req.valid("query")), 200),
  );

  // GET /api/v1/logs/messages.csv — the same filters as CSV, streamed, up to MESSAGE_LOG_EXPORT_MAX_ROWS rows
  app.openapi(
    createRoute({
      method: "get",
      path: "/logs/messages.csv",
      tags: ["logs"],
      ...permit("logs.read"),
      request: { query: MessageLogFilters },
      responses: {
        200: {
          description: `UTF-8 CSV with a BOM, newest first; at most ${MESSAGE_LOG_EXPORT_MAX_ROWS} rows (a last line says when it stopped there)`,
          content: { "text/csv": { schema: z.string() } },
        },
        ...errors(400, 401, 403),
      },
    }),
    async (c) => {
      const { stream, fileName } = await exportMessageLogCsv(c.get("ctx"), c.req.valid("query"));
      return c.body(stream, 200, {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="${fileName}"`,
        "cache-control": "no-store",
        "x-row-limit": String(MESSAGE_LOG_EXPORT_MAX_ROWS),
      });
    },
  );

  return app;
}
