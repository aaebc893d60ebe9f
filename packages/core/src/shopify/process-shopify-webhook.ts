import { shopifyWebhookEvents } from "@tandem/db";
import { eq, sql } from "drizzle-orm";
import type { AppJobDeps } from "../app-deps.ts";
import type { Ctx } from "../context.ts";
import { defineJob, type JobContext } from "../jobs/define-job.ts";
import { describeError, isRetryable } from "../jobs/errors.ts";
import { handleShopifyWebhookEvent } from "./handle-webhook-event.ts";
import { SHOPIFY_WEBHOOK_JOB, ShopifyWebhookJobPayload } from "./jobs.ts";

/**
 * Applies one stored Shopify webhook (`shopify_webhook_event`, receive-webhook.ts) with
 * `handleShopifyWebhookEvent`. The event keeps its attempts and last error; `processed_at` is set
 * once it was applied. An event whose store was deleted meanwhile (shop/redact) is gone: nothing to do.
 */
export const processShopifyWebhook = defineJob({
  name: SHOPIFY_WEBHOOK_JOB,
  schema: ShopifyWebhookJobPayload,
  retry: { attempts: 5, backoff: { baseMs: 5_000, maxMs: 10 * 60_000 } },
  concurrency: 4,
  workspaceConcurrency: 2,
  handle: async ({ eventId }, job: JobContext<AppJobDeps>) => {
    const [event] = await job.db
      .update(shopifyWebhookEvents)
      .set({ attempts: sql`${shopifyWebhookEvents.attempts} + 1` })
      .where(eq(shopifyWebhookEvents.id, eventId))
      .returning();
    if (!event || event.processedAt) return;
    const ctx: Ctx = {
      db: job.db,
      workspaceId: event.workspaceId,
      actor: { type: "system" },
      log: job.log.child({ shopifyWebhookEventId: event.id, topic: event.topic }),
      queue: job.queue,
      realtime: job.realtime,
      channels: job.channels,
    };
    try {
      await handleShopifyWebhookEvent(ctx, event, job);
    } catch (error) {
      await job.db
        .update(shopifyWebhookEvents)
        .set({ error: describeError(error) })
        .where(eq(shopifyWebhookEvents.id, event.id));
      if (!isRetryable(error) || job.attempt >= job.maxAttempts) {
        ctx.log.warn({ err: error }, "a Shopify webhook could not be applied");
      }
      throw error;
    }
    await job.db
      .update(shopifyWebhookEvents)
      .set({ processedAt: new Date(), error: null })
      .where(eq(shopifyWebhookEvents.id, event.id));
  },
});
