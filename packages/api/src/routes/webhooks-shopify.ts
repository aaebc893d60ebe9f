import { createRoute, z } from "@hono/zod-openapi";
import { ErrorBody } from "@tandem/contracts";
import { DomainError, receiveShopifyWebhook } from "@tandem/core";
import { createRouter, errors, json } from "../openapi.ts";
import { rawBody } from "../stacks/webhooks.ts";

/**
 * Shopify's webhooks for every connected store (webhook stack: raw body up to the webhook limit, no
 * cookies). Shopify waits 5 s, so deliveries are only verified and stored before the 200; the
 * `shopify-webhook` job applies them (core/src/shopify/receive-webhook.ts).
 */
export function shopifyWebhookRoutes() {
  const app = createRouter();

  // POST /api/webhooks/shopify — signed deliveries: verified, deduplicated, stored, answered 200
  app.openapi(
    createRoute({
      method: "post",
      path: "/shopify",
      tags: ["webhooks"],
      security: [],
      description:
        "Headers: `X-Shopify-Topic`, `X-Shopify-Shop-Domain`, `X-Shopify-Hmac-Sha256` (base64 HMAC-SHA256 of the raw body with the app's secret), `X-Shopify-Webhook-Id` (deduplication), `X-Shopify-Triggered-At`. A repeated delivery is answered 200 and stored once.",
      responses: {
        200: json(z.object({ ok: z.literal(true) }), "Stored, or already stored"),
        401: json(ErrorBody, "Missing or invalid signature: nothing was stored"),
        ...errors(400, 413),
      },
    }),
    async (c) => {
      const runtime = c.get("runtime");
      if (!runtime.queue) throw new DomainError("queue_unavailable", "The job queue is not running in this process");
      await receiveShopifyWebhook(
        {
          db: runtime.database.db,
          log: runtime.log,
          keyring: runtime.keyring,
          config: runtime.config,
          queue: runtime.queue,
        },
        { rawBody: rawBody(c), header: (name) => c.req.header(name) },
      );
      return c.json({ ok: true as const }, 200);
    },
  );

  return app;
}
