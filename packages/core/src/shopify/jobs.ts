import { z } from "zod";
import { defineJob } from "../jobs/define-job.ts";
import { NonRetryableError } from "../jobs/errors.ts";

/**
 * The Shopify jobs' names, payloads and queue settings, shared by their producers and their handlers.
 *
 * - `shopify-sync` `{storeId, kind: "full"}`: the whole catalog (after a connect, a resync, the nightly
 *   reconcile). Its handler is the sync side's (`sync-store.ts`), defined as
 *   `defineJob({ ...shopifySyncJobSettings, handle })` and registered in `jobs/all-jobs.ts`. Producers
 *   enqueue `shopifySyncJob` below, which carries the same name, schema and settings.
 * - `shopify-webhook` `{eventId}`: one stored `shopify_webhook_event` (process-shopify-webhook.ts).
 */
export const SHOPIFY_SYNC_JOB = "shopify-sync";
export const SHOPIFY_WEBHOOK_JOB = "shopify-webhook";

export const ShopifySyncJobPayload = z.object({
  storeId: z.string().min(1).max(64),
  kind: z.literal("full"),
});
export type ShopifySyncJobPayload = z.infer<typeof ShopifySyncJobPayload>;

export const ShopifyWebhookJobPayload = z.object({ eventId: z.string().min(1).max(64) });
export type ShopifyWebhookJobPayload = z.infer<typeof ShopifyWebhookJobPayload>;

/** Everything of the sync job's definition but its handler; one workspace's syncs run one at a time. */
export const shopifySyncJobSettings = {
  name: SHOPIFY_SYNC_JOB,
  schema: ShopifySyncJobPayload,
  retry: { attempts: 5, backoff: { baseMs: 30_000, maxMs: 30 * 60_000 } },
  concurrency: 2,
  workspaceConcurrency: 1,
} as const;

/**
 * What producers enqueue the sync with (`queue.enqueue(shopifySyncJob, payload, …)`): the sync job's
 * name, schema and settings. The queue runs the registered definition of that name, never this handler.
 */
export const shopifySyncJob = defineJob({
  ...shopifySyncJobSettings,
  handle: () => {
    throw new NonRetryableError(`The "${SHOPIFY_SYNC_JOB}" handler is not registered in this build`);
  },
});
