import {
  rooms,
  type ShopifyStoreDto,
  type ShopifySyncDto,
  type ShopifyUpdatedEvent,
  SOCKET_EVENTS,
} from "@tandem/contracts";
import { type Db, knowledgeSources, products, type ShopifySyncState, shopifyStores } from "@tandem/db";
import { and, count, eq, isNull } from "drizzle-orm";
import type { Logger } from "../logger.ts";
import type { RealtimePublisher } from "../realtime.ts";

type StoreRow = typeof shopifyStores.$inferSelect;

/** The sync state without its internal bookkeeping (runner, heartbeat, bulk operation). */
export function shopifySyncDto(state: ShopifySyncState): ShopifySyncDto {
  return {
    state: state.state,
    kind: state.kind,
    mode: state.mode,
    done: state.done,
    total: state.total,
    startedAt: state.startedAt,
    finishedAt: state.finishedAt,
    error: state.error,
  };
}

export function shopifyStoreDto(
  store: StoreRow,
  extra: { productCount: number; knowledgeSourceId: string | null },
): ShopifyStoreDto {
  return {
    id: store.id,
    shopDomain: store.shopDomain,
    name: store.name,
    currency: store.currency,
    primaryDomainUrl: store.primaryDomainUrl,
    authMethod: store.authMethod,
    credentialHint: store.accessTokenHint,
    scopes: store.scopes,
    webhooks: {
      verified: store.webhookSecretEncrypted !== null,
      topics: store.webhookSubscriptions.map((s) => s.topic),
      error: store.webhookError,
    },
    status: store.status,
    statusReason: store.statusReason,
    productCount: extra.productCount,
    lastSyncedAt: store.lastSyncedAt?.toISOString() ?? null,
    sync: shopifySyncDto(store.syncState),
    knowledgeSourceId: extra.knowledgeSourceId,
    createdAt: store.createdAt.toISOString(),
  };
}

export async function loadShopifyStoreDto(db: Db, store: StoreRow): Promise<ShopifyStoreDto> {
  const [[counted], [source]] = await Promise.all([
    db
      .select({ n: count() })
      .from(products)
      .where(and(eq(products.storeId, store.id), isNull(products.deletedAt))),
    db
      .select({ id: knowledgeSources.id })
      .from(knowledgeSources)
      .where(and(eq(knowledgeSources.shopifyStoreId, store.id), isNull(knowledgeSources.deletedAt)))
      .limit(1),
  ]);
  return shopifyStoreDto(store, { productCount: counted?.n ?? 0, knowledgeSourceId: source?.id ?? null });
}

/**
 * Sends `shopify:updated` with the store as it is now to its workspace room. A live update that
 * cannot be sent is logged, never the caller's failure.
 */
export async function publishShopifyUpdate(
  deps: { db: Db; realtime?: RealtimePublisher | undefined; log: Logger },
  storeId: string,
): Promise<void> {
  if (!deps.realtime) return;
  try {
    const [store] = await deps.db.select().from(shopifyStores).where(eq(shopifyStores.id, storeId));
    if (!store) return;
    const event: ShopifyUpdatedEvent = { storeId, store: await loadShopifyStoreDto(deps.db, store) };
    deps.realtime.emit(rooms.workspace(store.workspaceId), SOCKET_EVENTS.shopifyUpdated, event);
  } catch (err) {
    deps.log.warn({ err, storeId }, "could not publish a Shopify store update");
  }
}
