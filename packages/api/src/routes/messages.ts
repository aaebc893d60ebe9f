import { createRoute, z } from "@hono/zod-openapi";
import { MessageDto } from "@tandem/contracts";
import { retryMessage } from "@tandem/core";
import { createRouter, errors, json, permit } from "../openapi.ts";

const IdParam = z.object({ id: z.string().min(1).max(64) });

export function messageRoutes() {
  const app = createRouter();

  // POST /api/v1/messages/{id}/retry — send a failed agent or bot message again
  app.openapi(
    createRoute({
      method: "post",
      path: "/messages/{id}/retry",
      tags: ["conversations"],
      ...permit("conversations.work"),
      request: { params: IdParam },
      responses: { 200: json(MessageDto, "Queued for sending again"), ...errors(401, 403, 404, 409) },
    }),
    async (c) => c.json(await retryMessage(c.get("ctx"), c.req.valid("param").id), 200),
  );

  return app;
}
