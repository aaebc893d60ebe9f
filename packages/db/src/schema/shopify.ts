import { relations, sql } from "drizzle-orm";
import { boolean, index, jsonb, numeric, pgEnum, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, idColumn, tstz, updatedAt } from "./columns.ts";
import { workspaces } from "./identity.ts";

/**
 * Shopify stores and their catalog, kept as synced copies (full sync plus webhook updates). Products
 * are the structured truth for prices and availability; the knowledge base holds one document per
 * product for retrieval. Prices are numeric and read as strings, so no cent is lost to floats.
 */

export const shopifyStoreStatus = pgEnum("shopify_store_status", ["active", "syncing", "error", "disconnected"]);

export interface ProductVariant {
  id: string;
  title: string;
  sku?: string | null;
  price: string;
  compareAtPrice?: string | null;
  available: boolean;
  inventoryQuantity?: number | null;
  options?: Record<string, string>;
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
    accessTokenEncrypted: text("access_token_encrypted").notNull(),
    accessTokenHint: text("access_token_hint"),
    webhookSecretEncrypted: text("webhook_secret_encrypted"),
    name: text("name"),
    currency: text("currency"),
    primaryDomainUrl: text("primary_domain_url"),
    metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
    status: shopifyStoreStatus("status").notNull().default("active"),
    lastSyncedAt: tstz("last_synced_at"),
    syncError: text("sync_error"),
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

export const shopifyStoresRelations = relations(shopifyStores, ({ one, many }) => ({
  workspace: one(workspaces, { fields: [shopifyStores.workspaceId], references: [workspaces.id] }),
  products: many(products),
}));

export const productsRelations = relations(products, ({ one }) => ({
  store: one(shopifyStores, { fields: [products.storeId], references: [shopifyStores.id] }),
}));
