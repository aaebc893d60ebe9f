import { createRoute, z } from "@hono/zod-openapi";
import { AnalyticsQuery, AnalyticsResponse, AnalyticsSettingsDto } from "@tandem/contracts";
import {
  getAnalytics,
  getAnalyticsSettings,
  getChatbotAnalytics,
  providerDeps,
  updateAnalyticsSettings,
} from "@tandem/core";
import { createRouter, errors, json, jsonBody, permit } from "../openapi.ts";

const ChatbotParam = z.object({ chatbotId: z.string().min(1).max(64) });

/** Analytics (OWNER, ADMIN): the workspace's and one chatbot's numbers, and the time zone of their days. */
export function analyticsRoutes() {
  const app = createRouter();

  // GET /api/v1/analytics — the workspace's numbers (optionally one chatbot / channel type), per chatbot too
  app.openapi(
    createRoute({
      method: "get",
      path: "/analytics",
      tags: ["analytics"],
      ...permit("analytics.read"),
      request: { query: AnalyticsQuery },
      responses: { 200: json(AnalyticsResponse), ...errors(400, 401, 403, 404) },
    }),
    async (c) => c.json(await getAnalytics(c.get("ctx"), c.req.valid("query"), providerDeps(c.get("runtime"))), 200),
  );

  // GET /api/v1/chatbots/{chatbotId}/analytics — one chatbot's numbers
  app.openapi(
    createRoute({
      method: "get",
      path: "/chatbots/{chatbotId}/analytics",
      tags: ["analytics"],
      ...permit("analytics.read"),
      request: { params: ChatbotParam, query: AnalyticsQuery.omit({ chatbotId: true }) },
      responses: { 200: json(AnalyticsResponse), ...errors(400, 401, 403, 404) },
    }),
    async (c) =>
      c.json(
        await getChatbotAnalytics(
          c.get("ctx"),
          c.req.valid("param").chatbotId,
          c.req.valid("query"),
          providerDeps(c.get("runtime")),
        ),
        200,
      ),
  );

  // GET /api/v1/settings/analytics — the time zone of the analytics' days
  app.openapi(
    createRoute({
      method: "get",
      path: "/settings/analytics",
      tags: ["settings"],
      ...permit("analytics.read"),
      responses: { 200: json(AnalyticsSettingsDto), ...errors(401, 403) },
    }),
    async (c) => c.json(await getAnalyticsSettings(c.get("ctx")), 200),
  );

  // PATCH /api/v1/settings/analytics — change it (audited; the daily rollups are rebuilt)
  app.openapi(
    createRoute({
      method: "patch",
      path: "/settings/analytics",
      tags: ["settings"],
      ...permit("settings.manage"),
      request: jsonBody(AnalyticsSettingsDto),
      responses: { 200: json(AnalyticsSettingsDto), ...errors(400, 401, 403) },
    }),
    async (c) => c.json(await updateAnalyticsSettings(c.get("ctx"), c.req.valid("json")), 200),
  );

  return app;
}
