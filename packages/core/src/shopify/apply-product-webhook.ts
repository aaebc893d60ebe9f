import { products, shopifyStores } from "@tandem/db";
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Ctx } from "../context.ts";
import { publishKnowledgeUpdate } from "../knowledge/publish-knowledge-update.ts";
import { scheduleEmbeddingsAfter } from "../knowledge/schedule-embeddings-after.ts";
import { flushChunkSearchIndex } from "../maintenance/database-maintenance.ts";
import { type CatalogShop, fetchProduct, productGid } from "./catalog-query.ts";
import { ensureCatalogSource } from "./catalog-source.ts";
import type { ShopifyJobDeps, ShopifyWebhookEventRow } from "./handle-webhook-event.ts";
import { type ShopifyStoreRow, shopifyAdminApi } from "./shopify-client.ts";
import { publishShopifyUpdate } from "./store-to-dto.ts";
import { type CatalogTarget, removeProducts, writeProducts } from "./write-products.ts";

/** The catalog's topics, applied here (`handleShopifyWebhookEvent` dispatches them for a connected store). */
export const SHOPIFY_PRODUCT_TOPICS = [
  "products/create",
  "products/update",
  "products/delete",
  "inventory_levels/update",
  "bulk_operations/finish",
] as const;

export type ProductWebhookOutcome = "updated" | "deleted" | "stale" | "unknown_product" | "bulk_noted" | "bulk_unknown";

/**
 * Applies one product webhook (`products/create|update|delete`, `inventory_levels/update`). The
 * REST-style payload only names the product: it is read fresh with GraphQL `product(id)`, so a
 * delivery that arrives late or twice writes the current state, never an older one. A payload
 * triggered before the product's stored `updated_at_platform` is stale and ignored without a call, and
 * a fresh read older than the stored copy changes nothing. A product Shopify no longer has is
 * removed with its document. The document is chunked again in the same transaction, so the next
 * bot answer already uses the change.
 */
export async function applyProductWebhook(
  ctx: Ctx,
  input: { store: ShopifyStoreRow; event: ShopifyWebhookEventRow },
  deps: ShopifyJobDeps,
): Promise<void> {
  const outcome = await applyCatalogEvent(deps, input.store, input.event);
  ctx.log.info({ storeId: input.store.id, topic: input.event.topic, outcome }, "Shopify catalog webhook applied");
}

async function applyCatalogEvent(
  deps: ShopifyJobDeps,
  store: ShopifyStoreRow,
  event: Pick<ShopifyWebhookEventRow, "topic" | "payload" | "triggeredAt">,
): Promise<ProductWebhookOutcome> {
  const payload = event.payload as Record<string, unknown>;
  if (event.topic === "bulk_operations/finish") return noteBulkOperationFinished(deps, store, payload);
  const platformId = await productIdOf(deps, store, event.topic, payload);
  if (!platformId) return "unknown_product";
  const [stored] = await deps.db
    .select({ id: products.id, updatedAtPlatform: products.updatedAtPlatform, deletedAt: products.deletedAt })
    .from(products)
    .where(and(eq(products.storeId, store.id), eq(products.platformId, platformId)));
  const sentAt = eventTime(event, payload);
  if (stored?.updatedAtPlatform && sentAt && sentAt < stored.updatedAtPlatform) return "stale";

  const source = await ensureCatalogSource(deps.db, store);
  const target: CatalogTarget = {
    store: { id: store.id, workspaceId: store.workspaceId },
    source: { id: source.id, chatbotId: source.chatbotId },
  };
  const shop: CatalogShop = { currency: store.currency, primaryDomainUrl: store.primaryDomainUrl };
  const api = shopifyAdminApi(deps, store);
  const fresh = await fetchProduct(api, platformId, shop);
  let outcome: ProductWebhookOutcome;
  if (!fresh) {
    if (stored && !stored.deletedAt) await removeProducts(deps.db, target, [stored.id]);
    outcome = "deleted";
  } else {
    const { written } = await writeProducts(deps.db, target, [fresh]);
    outcome = written ? "updated" : "stale";
  }
  if (outcome !== "stale") {
    await flushChunkSearchIndex(deps.db).catch((err) => deps.log.warn({ err }, "could not flush the chunk index"));
    await publishKnowledgeUpdate(deps, { workspaceId: store.workspaceId, sourceId: source.id }).catch(() => {});
    await scheduleEmbeddingsAfter(deps, { workspaceId: store.workspaceId, sourceId: source.id });
    await publishShopifyUpdate(deps, { workspaceId: store.workspaceId, storeId: store.id });
  }
  return outcome;
}

/** The product a webhook is about; an inventory level names an inventory item, found in the stored variants. */
async function productIdOf(
  deps: ShopifyJobDeps,
  store: ShopifyStoreRow,
  topic: string,
  payload: Record<string, unknown>,
): Promise<string | null> {
  if (topic.startsWith("products/")) {
    const gid = payload.admin_graphql_api_id ?? payload.id;
    return typeof gid === "string" || typeof gid === "number" ? productGid(gid) : null;
  }
  const item = payload.inventory_item_id;
  if (typeof item !== "string" && typeof item !== "number") return null;
  const itemGid = String(item).startsWith("gid://") ? String(item) : `gid://shopify/InventoryItem/${item}`;
  const [row] = await deps.db
    .select({ platformId: products.platformId })
    .from(products)
    .where(
      and(
        eq(products.storeId, store.id),
        isNull(products.deletedAt),
        sql`${products.variants} @> ${JSON.stringify([{ inventoryItemId: itemGid }])}::jsonb`,
      ),
    )
    .limit(1);
  return row?.platformId ?? null;
}

/** When Shopify says the change happened: `X-Shopify-Triggered-At`, else the payload's `updated_at`. */
function eventTime(event: Pick<ShopifyWebhookEventRow, "triggeredAt">, payload: Record<string, unknown>): Date | null {
  if (event.triggeredAt) return event.triggeredAt;
  const at = typeof payload.updated_at === "string" ? new Date(payload.updated_at) : null;
  return at && Number.isFinite(at.getTime()) ? at : null;
}

/** `bulk_operations/finish`: the sync waiting on that operation reads its result now instead of at its next poll. */
async function noteBulkOperationFinished(
  deps: ShopifyJobDeps,
  store: ShopifyStoreRow,
  payload: Record<string, unknown>,
): Promise<ProductWebhookOutcome> {
  const id = payload.admin_graphql_api_id;
  if (typeof id !== "string") return "bulk_unknown";
  const rows = await deps.db
    .update(shopifyStores)
    .set({
      syncState: sql`${shopifyStores.syncState} || ${JSON.stringify({ bulkFinishedAt: new Date().toISOString() })}::jsonb`,
    })
    .where(and(eq(shopifyStores.id, store.id), sql`${shopifyStores.syncState}->>'bulkOperationId' = ${id}`))
    .returning({ id: shopifyStores.id });
  return rows.length ? "bulk_noted" : "bulk_unknown";
}
