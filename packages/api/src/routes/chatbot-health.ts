import { createRoute, z } from "@hono/zod-openapi";
import { ChatbotHealthDto } from "@tandem/contracts";
import { getChatbotHealth } from "@tandem/core";
import { createRouter, errors, json, permit } from "../openapi.ts";

const ChatbotParam = z.object({ chatbotId: z.string().min(1).max(64) });

/** A chatbot's health (seed S2's health check): every member who reads chatbots. */
export function chatbotHealthRoutes() {
  const app = createRouter();

  // GET /api/v1/chatbots/{chatbotId}/health — status from the last hour's errors, with its database, vector search, LLM and channels
  app.openapi(
    createRoute({
      method: "get",
      path: "/chatbots/{chatbotId}/health",
      tags: ["chatbots"],
      ...permit("chatbots.read"),
      description:
        "`status` is `degraded` over 5 recorded errors (failed generations, sends, embeddings) in the last hour and `unhealthy` over 10; a channel needing reconnection makes it at least `degraded`. `uptime` is this server process's, in seconds.",
      request: { params: ChatbotParam },
      responses: { 200: json(ChatbotHealthDto), ...errors(401, 403, 404) },
    }),
    async (c) =>
      c.json(
        await getChatbotHealth(c.get("ctx"), {
          chatbotId: c.req.valid("param").chatbotId,
          startedAt: c.get("runtime").startedAt,
        }),
        200,
      ),
  );

  return app;
}
