import { relations, sql } from "drizzle-orm";
import { boolean, index, integer, jsonb, numeric, pgEnum, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, idColumn, tstz, updatedAt } from "./columns.ts";
import { workspaces } from "./identity.ts";

/**
 * Shopify stores and their catalog, kept as synced copies (full sync plus webhook updates). Products
 * are the structured truth for prices and availability; the knowledge base holds one document per
 * product for retrieval. Prices are numeric and read as strings, so no cent is lost to floats.
 */

export const shopifyStoreStatus = pgEnum("shopify_store_status", ["active", "syncing", "error", "disconnected"]);
export const shopifyAuthMethod = pgEnum("shopify_auth_method", ["access_token", "client_credentials", "oauth"]);

/** A sync's progress as `ShopifySyncDto` says it (contracts/shopify.ts). */
export interface ShopifySyncState {
  state: "idle" | "running" | "succeeded" | "failed";
  kind: "full" | "webhook" | null;
  mode: "pages" | "bulk" | null;
  done: number;
  total: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
  /** A running bulk operation's GID, so a restarted worker picks it up instead of starting another. */
  bulkOperationId?: string | null;
  /** Set by the `bulk_operations/finish` webhook: the waiting sync reads the result at once. */
  bulkFinishedAt?: string | null;
  /** Who runs the sync (its job key): a second run of the same job resumes, any other waits its turn. */
  runner?: string | null;
  /** Written at every step of a running sync; a `running` state without one for 2 minutes has crashed. */
  heartbeatAt?: string | null;
}

/** A webhook subscription Tandem made (removed on disconnect). */
export interface ShopifyWebhookSubscription {
  topic: string;
  id: string;
}

export interface ProductVariant {
  id: string;
  title: string;
  sku?: string | null;
  price: string;
  compareAtPrice?: string | null;
  available: boolean;
  inventoryQuantity?: number | null;
  options?: Record<string, string>;
  /** `gid://shopify/InventoryItem/…`: how an `inventory_levels/update` webhook finds its product. */
  inventoryItemId?: string | null;
}

export const shopifyStores = pgTable(
  "shopify_store",
  {
    id: idColumn("shopifyStore"),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    /** `example.myshopify.com`, lower-cased. */
    shopDomain: text("shop_domain").notNull(),
    authMethod: shopifyAuthMethod("auth_method").notNull().default("access_token"),
    accessTokenEncrypted: text("access_token_encrypted").notNull(),
    accessTokenHint: text("access_token_hint"),
    /**
     * When the token expires (client credentials: 24 h; an expiring offline token of an OAuth install:
     * 1 h; both renewed before), null when it does not.
     */
    accessTokenExpiresAt: tstz("access_token_expires_at"),
    /**
     * OAuth installs with an expiring offline token: the refresh token (encrypted; Shopify replaces it
     * at every refresh) and when it expires (90 days after it was issued). Null for tokens that do not
     * expire and for the other ways of connecting.
     */
    refreshTokenEncrypted: text("refresh_token_encrypted"),
    refreshTokenExpiresAt: tstz("refresh_token_expires_at"),
    /** Client credentials: the app's client id (plain) and secret (encrypted; it also signs webhooks). */
    clientId: text("client_id"),
    clientSecretEncrypted: text("client_secret_encrypted"),
    /** The secret webhooks are signed with (the app's API secret / client secret), encrypted. */
    webhookSecretEncrypted: text("webhook_secret_encrypted"),
    scopes: text("scopes").array().notNull().default(sql`'{}'::text[]`),
    webhookSubscriptions: jsonb("webhook_subscriptions").$type<ShopifyWebhookSubscription[]>().notNull().default([]),
    webhookError: text("webhook_error"),
    statusReason: text("status_reason"),
    syncState: jsonb("sync_state").$type<ShopifySyncState>().notNull().default({
      state: "idle",
      kind: null,
      mode: null,
      done: 0,
      total: null,
      startedAt: null,
      finishedAt: null,
      error: null,
    }),
    name: text("name"),
    currency: text("currency"),
    primaryDomainUrl: text("primary_domain_url"),
    metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
    status: shopifyStoreStatus("status").notNull().default("active"),
    lastSyncedAt: tstz("last_synced_at"),
    syncError: text("sync_error"),
    disconnectedAt: tstz("disconnected_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("shopify_store_workspace_domain_key").on(t.workspaceId, t.shopDomain)],
);

export const products = pgTable(
  "product",
  {
    id: idColumn("product"),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    storeId: text("store_id")
      .notNull()
      .references(() => shopifyStores.id, { onDelete: "cascade" }),
    /** Shopify GID, `gid://shopify/Product/123`. */
    platformId: text("platform_id").notNull(),
    handle: text("handle"),
    title: text("title").notNull(),
    description: text("description"),
    vendor: text("vendor"),
    productType: text("product_type"),
    tags: text("tags").array().notNull().default(sql`'{}'::text[]`),
    status: text("status"),
    url: text("url"),
    imageUrl: text("image_url"),
    totalInventory: integer("total_inventory"),
    priceMin: numeric("price_min", { precision: 14, scale: 4 }),
    priceMax: numeric("price_max", { precision: 14, scale: 4 }),
    currency: text("currency"),
    available: boolean("available").notNull().default(true),
    variants: jsonb("variants").$type<ProductVariant[]>().notNull().default([]),
    raw: jsonb("raw").$type<Record<string, unknown>>().notNull().default({}),
    updatedAtPlatform: tstz("updated_at_platform"),
    deletedAt: tstz("deleted_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("product_store_platform_id_key").on(t.storeId, t.platformId),
    index("product_workspace_idx").on(t.workspaceId),
  ],
);

/**
 * Shopify webhooks received: deduplicated on `X-Shopify-Webhook-Id` per store, kept for the job that
 * applies them (a product's `X-Shopify-Triggered-At` older than what we hold is ignored as stale).
 */
export const shopifyWebhookEvents = pgTable(
  "shopify_webhook_event",
  {
    id: idColumn("shopifyWebhookEvent"),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    storeId: text("store_id")
      .notNull()
      .references(() => shopifyStores.id, { onDelete: "cascade" }),
    webhookId: text("webhook_id").notNull(),
    topic: text("topic").notNull(),
    triggeredAt: tstz("triggered_at"),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull().default({}),
    receivedAt: createdAt(),
    processedAt: tstz("processed_at"),
    attempts: integer("attempts").notNull().default(0),
    error: text("error"),
  },
  (t) => [
    uniqueIndex("shopify_webhook_event_store_webhook_key").on(t.storeId, t.webhookId),
    index("shopify_webhook_event_received_idx").on(t.receivedAt),
  ],
);

export const shopifyStoresRelations = relations(shopifyStores, ({ one, many }) => ({
  workspace: one(workspaces, { fields: [shopifyStores.workspaceId], references: [workspaces.id] }),
  products: many(products),
}));

export const productsRelations = relations(products, ({ one }) => ({
  store: one(shopifyStores, { fields: [products.storeId], references: [shopifyStores.id] }),
}));
