import { createRoute } from "@hono/zod-openapi";
import { KNOWLEDGE_LIMITS, KnowledgeLimitsDto } from "@tandem/contracts";
import { createRouter, errors, json, permit } from "../openapi.ts";

/**
 * The upload limits of this server, so the dashboard checks each file before sending it
 * (docs/knowledge.md). The upload route checks again and answers 413 / 415 regardless.
 */
export function knowledgeLimitsRoutes() {
  const app = createRouter();

  // GET /api/v1/knowledge/limits — largest file (KNOWLEDGE_MAX_FILE_MB), files per request, PDF pages read
  app.openapi(
    createRoute({
      method: "get",
      path: "/knowledge/limits",
      tags: ["knowledge"],
      ...permit("chatbots.read"),
      responses: { 200: json(KnowledgeLimitsDto), ...errors(401, 403) },
    }),
    (c) =>
      c.json(
        {
          maxFileBytes: c.get("runtime").config.knowledge.maxFileBytes,
          filesPerUpload: KNOWLEDGE_LIMITS.filesPerUpload,
          maxPdfPages: KNOWLEDGE_LIMITS.maxPdfPages,
        },
        200,
      ),
  );

  return app;
}
