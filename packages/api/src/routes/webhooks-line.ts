import { createRoute, z } from "@hono/zod-openapi";
import { ErrorBody } from "@tandem/contracts";
import { receiveChannelWebhook } from "@tandem/core/inbound/receive-channel-webhook";
import { clientIp } from "../middleware/request-context.ts";
import { createRouter, errors, json } from "../openapi.ts";
import { rawBody } from "../stacks/webhooks.ts";
import { webhookErrorAnswer } from "../webhook-fast-path.ts";

const Params = z.object({ chatbotId: z.string().min(1).max(64) });

/**
 * The webhook LINE delivers a chatbot's events to (webhook stack: raw body, no cookies, no CORS).
 * LINE gives up after 2 s, so the events are only verified and stored before the 200; the
 * `process-inbound-event` jobs do the rest.
 */
export function lineWebhookRoutes() {
  const app = createRouter();

  // POST /api/v1/integrations/line/{chatbotId}/webhook — signed events: stored durably, answered 200 before any processing
  app.openapi(
    createRoute({
      method: "post",
      path: "/integrations/line/{chatbotId}/webhook",
      tags: ["webhooks"],
      security: [],
      description:
        "Body: LINE's `{destination, events: [...]}`, signed with `x-line-signature` (the channel secret). Empty `events` (LINE's connectivity check) is answered 200.",
      request: { params: Params },
      responses: {
        200: json(z.object({ ok: z.literal(true) }), "Stored (or nothing to store)"),
        401: json(ErrorBody, "Missing or invalid signature: nothing was stored"),
        404: json(ErrorBody, "No such chatbot, or it has no LINE channel: nothing was stored"),
        ...errors(400, 413),
      },
    }),
    async (c) => {
      const runtime = c.get("runtime");
      try {
        await receiveChannelWebhook(
          {
            db: runtime.database.db,
            log: runtime.log,
            limiter: runtime.limiter,
            queue: runtime.queue,
            channels: runtime.channels,
          },
          {
            type: "line",
            chatbotId: c.req.valid("param").chatbotId,
            rawBody: rawBody(c),
            header: (name) => c.req.header(name),
            sourceAddress: clientIp(c),
          },
        );
        return c.json({ ok: true as const }, 200);
      } catch (error) {
        const answer = webhookErrorAnswer(runtime, error, c.get("requestId"));
        if (!answer) throw error;
        return c.json(answer.json, answer.status as 401);
      }
    },
  );

  return app;
}
