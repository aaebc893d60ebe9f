import { rooms, type ShopifyStoreDto, type ShopifyUpdatedEvent, SOCKET_EVENTS } from "@tandem/contracts";
import { type Db, knowledgeSources, products, shopifyStores } from "@tandem/db";
import { and, count, eq, isNull } from "drizzle-orm";
import type { Config } from "../config.ts";
import type { RealtimePublisher } from "../realtime.ts";
import type { ShopifyStoreRow } from "./shopify-client.ts";

/** Whether webhooks of this store can be verified: its own secret, or the public app's for an OAuth install. */
export const storeHasWebhookSecret = (store: ShopifyStoreRow, config: Pick<Config, "shopifyApp">) =>
  store.authMethod === "oauth" ? Boolean(config.shopifyApp) : Boolean(store.webhookSecretEncrypted);

/** A store as the API shows it: no token or secret, a hint of the credential. */
export async function loadShopifyStoreDto(
  db: Db,
  store: ShopifyStoreRow,
  config: Pick<Config, "shopifyApp">,
): Promise<ShopifyStoreDto> {
  const [[products_], [source]] = await Promise.all([
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
  const sync = store.syncState;
  return {
    id: store.id,
    shopDomain: store.shopDomain,
    name: store.name,
    currency: store.currency,
    primaryDomainUrl: store.primaryDomainUrl,
    authMethod: store.authMethod,
    credentialHint:
      store.authMethod === "client_credentials" && store.clientId
        ? `••••${store.clientId.slice(-4)}`
        : store.accessTokenHint,
    scopes: store.scopes,
    webhooks: {
      verified: storeHasWebhookSecret(store, config),
      topics: store.webhookSubscriptions.map((s) => s.topic),
      error: store.webhookError,
    },
    status: store.status,
    statusReason: store.statusReason,
    productCount: products_?.n ?? 0,
    lastSyncedAt: store.lastSyncedAt?.toISOString() ?? null,
    sync: {
      state: sync.state,
      kind: sync.kind,
      mode: sync.mode,
      done: sync.done,
      total: sync.total,
      startedAt: sync.startedAt,
      finishedAt: sync.finishedAt,
      error: sync.error,
    },
    knowledgeSourceId: source?.id ?? null,
    createdAt: store.createdAt.toISOString(),
  };
}

/**
 * Sends `shopify:updated` to the workspace room with the store as it is now (null once it is gone).
 * Call it after the change committed; a failure is logged, never the caller's.
 */
export async function publishShopifyUpdate(
  deps: {
    db: Db;
    realtime?: RealtimePublisher | undefined;
    log: { warn: (o: object, m: string) => void };
    config: Pick<Config, "shopifyApp">;
  },
  event: { workspaceId: string; storeId: string },
): Promise<void> {
  if (!deps.realtime) return;
  try {
    const [row] = await deps.db.select().from(shopifyStores).where(eq(shopifyStores.id, event.storeId));
    const payload: ShopifyUpdatedEvent = {
      storeId: event.storeId,
      store: row ? await loadShopifyStoreDto(deps.db, row, deps.config) : null,
    };
    deps.realtime.emit(rooms.workspace(event.workspaceId), SOCKET_EVENTS.shopifyUpdated, payload);
  } catch (err) {
    deps.log.warn({ err, storeId: event.storeId }, "could not publish a Shopify store update");
  }
}
