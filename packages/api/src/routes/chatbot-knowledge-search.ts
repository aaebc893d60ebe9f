import { createRoute, z } from "@hono/zod-openapi";
import { KnowledgeSearchInput, KnowledgeSearchResponse } from "@tandem/contracts";
import { providerDeps, searchKnowledge } from "@tandem/core";
import { createRouter, errors, json, jsonBody, permit } from "../openapi.ts";

const ChatbotParam = z.object({ chatbotId: z.string().min(1).max(64) });

/**
 * Retrieval testing. `knowledge.manage` (OWNER, ADMIN), not `chatbots.read`: it is a tool for the
 * people who curate the knowledge, each search spends the workspace's embedding credential, and its
 * answer shows every passage with its scores, including those the filters would keep from agents'
 * view of a bot's answers.
 */
export function chatbotKnowledgeSearchRoutes() {
  const app = createRouter();

  // POST /api/v1/chatbots/{chatbotId}/knowledge/search — ranked passages exactly as the bot would retrieve them
  app.openapi(
    createRoute({
      method: "post",
      path: "/chatbots/{chatbotId}/knowledge/search",
      tags: ["chatbots", "knowledge"],
      ...permit("knowledge.manage"),
      description:
        "Runs the chatbot's retrieval for `query`: full-text and (with pgvector and an embedding model) vector candidates fused by reciprocal rank fusion, with the chatbot's FAQ entries, filters and similarity threshold. `mode` is `full_text` with a `vectorNote` when the vector path did not run. `limit` replaces the chatbot's `maxResults`.",
      request: { params: ChatbotParam, ...jsonBody(KnowledgeSearchInput) },
      responses: { 200: json(KnowledgeSearchResponse), ...errors(400, 401, 403, 404) },
    }),
    async (c) =>
      c.json(
        await searchKnowledge(
          c.get("ctx"),
          providerDeps(c.get("runtime")),
          c.req.valid("param").chatbotId,
          c.req.valid("json"),
        ),
        200,
      ),
  );

  return app;
}
