import { createRoute, z } from "@hono/zod-openapi";
import { ErrorBody } from "@tandem/contracts";
import { clientIp } from "../middleware/request-context.ts";
import { createRouter, errors, json } from "../openapi.ts";
import { rawBody } from "../stacks/webhooks.ts";
import { answerChannelWebhook } from "../webhook-fast-path.ts";

const Params = z.object({ chatbotId: z.string().min(1).max(64) });

/**
 * The webhook LINE delivers a chatbot's events to (webhook stack: raw body, no cookies, no CORS).
 * LINE gives up after 2 s, so the events are only verified and stored before the 200; the
 * `process-inbound-event` jobs do the rest. On the node server these POSTs take the fast path
 * (`createApiListener`) with the same answers; this route serves `app.request()`.
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
      const answer = await answerChannelWebhook(c.get("runtime"), {
        type: "line",
        chatbotId: c.req.valid("param").chatbotId,
        rawBody: rawBody(c),
        header: (name) => c.req.header(name),
        requestId: c.get("requestId"),
        sourceAddress: clientIp(c),
      });
      return c.json(answer.json as { ok: true }, answer.status as 200);
    },
  );

  return app;
}
