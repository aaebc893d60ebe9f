import type { Ctx } from "../context.ts";
import { NonRetryableError } from "../jobs/errors.ts";
import type { ShopifyJobDeps, ShopifyWebhookEventRow } from "./handle-webhook-event.ts";
import type { ShopifyStoreRow } from "./shopify-client.ts";

/** The topics this hook applies: the catalog's. */
export const SHOPIFY_PRODUCT_TOPICS = [
  "products/create",
  "products/update",
  "products/delete",
  "inventory_levels/update",
  "bulk_operations/finish",
] as const;

/**
 * The catalog side's hook for product webhooks (`SHOPIFY_PRODUCT_TOPICS`), called by
 * `handleShopifyWebhookEvent` for an active store. The sync side replaces this body (stale deliveries
 * ignored by `event.triggeredAt`, the product fetched and written, its knowledge document updated).
 * Until then the event stays stored and unprocessed, with this error on it, and the nightly
 * reconcile or a resync brings the change.
 */
export async function applyProductWebhook(
  _ctx: Ctx,
  input: { store: ShopifyStoreRow; event: ShopifyWebhookEventRow },
  _deps: ShopifyJobDeps,
): Promise<void> {
  throw new NonRetryableError(
    `Product webhook ${input.event.topic} was stored but not applied: the catalog sync is not part of this build`,
  );
}
