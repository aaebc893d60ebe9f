import { shopifyStores, shopifyWebhookEvents } from "@tandem/db";
import { and, eq, sql } from "drizzle-orm";
import type { AppJobDeps } from "../app-deps.ts";
import { defineJob, type JobContext } from "../jobs/define-job.ts";
import { describeError, isRetryable } from "../jobs/errors.ts";
import { applyProductWebhook, PRODUCT_WEBHOOK_TOPICS } from "./apply-product-webhook.ts";
import { SHOPIFY_WEBHOOK_JOB, ShopifyWebhookJobPayload } from "./jobs.ts";

type StoreRow = typeof shopifyStores.$inferSelect;
type EventRow = typeof shopifyWebhookEvents.$inferSelect;

/** What applying one webhook topic takes; the answer (if any) is logged. */
export type ShopifyWebhookHandler = (
  deps: JobContext<AppJobDeps>,
  store: StoreRow,
  event: EventRow,
) => Promise<string | undefined>;

/**
 * Who applies which topic. The catalog's topics are the sync side's; the connection's (`app/uninstalled`,
 * the privacy topics) are added by the connection side beside them.
 */
export const shopifyWebhookHandlers: Record<string, ShopifyWebhookHandler> = {
  ...Object.fromEntries(PRODUCT_WEBHOOK_TOPICS.map((topic) => [topic, applyProductWebhook])),
  "bulk_operations/finish": noteBulkOperationFinished,
};

/**
 * Applies one stored `shopify_webhook_event` (the ingress verified, deduplicated and stored it): its
 * topic's handler runs, then `processed_at` is set. A failure counts an attempt and keeps the error
 * on the row; one that may pass (Shopify throttling or down, the database) is retried by the queue.
 * An event already processed, or of a store gone or disconnected, is a no-op.
 */
export const processShopifyWebhook = defineJob({
  name: SHOPIFY_WEBHOOK_JOB,
  schema: ShopifyWebhookJobPayload,
  retry: { attempts: 5, backoff: { baseMs: 2_000, maxMs: 5 * 60_000 } },
  concurrency: 4,
  workspaceConcurrency: 2,
  handle: async ({ eventId }, ctx: JobContext<AppJobDeps>) => {
    const [row] = await ctx.db
      .select({ event: shopifyWebhookEvents, store: shopifyStores })
      .from(shopifyWebhookEvents)
      .innerJoin(shopifyStores, eq(shopifyStores.id, shopifyWebhookEvents.storeId))
      .where(eq(shopifyWebhookEvents.id, eventId));
    if (!row || row.event.processedAt) return;
    const { event, store } = row;
    const handler = shopifyWebhookHandlers[event.topic];
    try {
      const outcome =
        !handler || (store.status === "disconnected" && PRODUCT_WEBHOOK_TOPICS.includes(event.topic as never))
          ? "ignored"
          : await handler(ctx, store, event);
      await ctx.db
        .update(shopifyWebhookEvents)
        .set({ processedAt: new Date(), attempts: sql`${shopifyWebhookEvents.attempts} + 1`, error: null })
        .where(eq(shopifyWebhookEvents.id, eventId));
      ctx.log.info({ eventId, topic: event.topic, outcome: outcome ?? "done" }, "Shopify webhook applied");
    } catch (error) {
      await ctx.db
        .update(shopifyWebhookEvents)
        .set({ attempts: sql`${shopifyWebhookEvents.attempts} + 1`, error: describeError(error) })
        .where(eq(shopifyWebhookEvents.id, eventId));
      if (isRetryable(error) && ctx.attempt < ctx.maxAttempts) throw error;
      ctx.log.warn({ err: error, eventId, topic: event.topic }, "a Shopify webhook could not be applied");
    }
  },
});

/** `bulk_operations/finish`: the sync waiting on that operation reads its result now instead of at its next poll. */
async function noteBulkOperationFinished(deps: JobContext<AppJobDeps>, store: StoreRow, event: EventRow) {
  const id = (event.payload as { admin_graphql_api_id?: unknown }).admin_graphql_api_id;
  if (typeof id !== "string") return "ignored";
  const rows = await deps.db
    .update(shopifyStores)
    .set({
      syncState: sql`${shopifyStores.syncState} || ${JSON.stringify({ bulkFinishedAt: new Date().toISOString() })}::jsonb`,
    })
    .where(and(eq(shopifyStores.id, store.id), sql`${shopifyStores.syncState}->>'bulkOperationId' = ${id}`))
    .returning({ id: shopifyStores.id });
  return rows.length ? "sync notified" : "no sync waits for it";
}
