import {
  DEMO_SHOPIFY_APP,
  DEMO_SHOPIFY_PRODUCTS,
  DEMO_SHOPIFY_SHOP,
  SIMULATED_SHOPIFY_ID_BASE,
} from "@tandem/contracts/demo-shopify-store";
import { type Db, knowledgeSources, type ProductVariant, shopifyStores } from "@tandem/db";
import { and, eq } from "drizzle-orm";
import { htmlToText } from "../extract/html-to-text.ts";
import type { Keyring } from "../secrets/keyring.ts";
import type { ProductRecord } from "../shopify/catalog-query.ts";
import { ensureCatalogSource } from "../shopify/catalog-source.ts";
import { writeProducts } from "../shopify/write-products.ts";

/**
 * The demo's simulated Shopify store (`@tandem/contracts/demo-shopify-store`, which the Shopify
 * simulator serves as its demo shop), a Bangkok clothing and coffee shop priced in THB with the
 * "Linen Shirt" in S, M and L (L sold out), written here as a finished sync leaves it (less the SKUs,
 * compare-at prices and pictures, which the next sync fills in) — so asking the demo bot "Do you have
 * the linen shirt in M?" answers with the price and stock and shows a product card, without any
 * network or job.
 *
 * The platform ids are the ones the simulator gives the demo shop's products and variants (numbered
 * from its id bases in catalog order), so a later sync from the simulator updates these rows in place.
 */
export const DEMO_SHOPIFY_STORE = {
  domain: DEMO_SHOPIFY_SHOP.domain,
  name: DEMO_SHOPIFY_SHOP.name,
  currency: DEMO_SHOPIFY_SHOP.currencyCode,
  primaryDomainUrl: DEMO_SHOPIFY_SHOP.primaryDomainUrl,
  accessToken: DEMO_SHOPIFY_APP.accessToken,
  description: DEMO_SHOPIFY_SHOP.description,
} as const;

/** The demo store's products, in the order the simulator numbers them. */
export const DEMO_SHOPIFY_CATALOG = DEMO_SHOPIFY_PRODUCTS;

/** The description's text on one line (its paragraphs joined by a space). */
const plainText = (html: string) => htmlToText(html).text.replace(/\s+/g, " ").trim();

const handleOf = (title: string) =>
  title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");

/**
 * Connects the demo store to a workspace with its catalog: the store row, one `product` row per
 * product, and the store's knowledge source ("Shopify: Tandem Demo Shop") with one ready, chunked
 * document per product — what a finished sync leaves. Idempotent: a workspace that already has the
 * demo shop is left alone. Runs in the caller's transaction when given one.
 */
export async function seedDemoShopifyStore(
  db: Db,
  input: { workspaceId: string; keyring: Keyring },
): Promise<{ storeId: string; created: boolean }> {
  const { workspaceId } = input;
  const [existing] = await db
    .select({ id: shopifyStores.id })
    .from(shopifyStores)
    .where(and(eq(shopifyStores.workspaceId, workspaceId), eq(shopifyStores.shopDomain, DEMO_SHOPIFY_STORE.domain)))
    .limit(1);
  if (existing) return { storeId: existing.id, created: false };

  const now = new Date();
  const [store] = await db
    .insert(shopifyStores)
    .values({
      workspaceId,
      shopDomain: DEMO_SHOPIFY_STORE.domain,
      authMethod: "access_token",
      accessTokenEncrypted: input.keyring.encrypt(DEMO_SHOPIFY_STORE.accessToken),
      accessTokenHint: `••••${DEMO_SHOPIFY_STORE.accessToken.slice(-4)}`,
      scopes: DEMO_SHOPIFY_APP.scopes,
      name: DEMO_SHOPIFY_STORE.name,
      currency: DEMO_SHOPIFY_STORE.currency,
      primaryDomainUrl: DEMO_SHOPIFY_STORE.primaryDomainUrl,
      metadata: { description: DEMO_SHOPIFY_STORE.description, simulated: true },
      status: "active",
      lastSyncedAt: now,
      syncState: {
        state: "succeeded",
        kind: "full",
        mode: "pages",
        done: DEMO_SHOPIFY_CATALOG.length,
        total: DEMO_SHOPIFY_CATALOG.length,
        startedAt: now.toISOString(),
        finishedAt: now.toISOString(),
        error: null,
      },
    })
    .returning();
  // What a finished sync leaves: the catalog source, and each product written as the sync writes it
  // (`writeProducts`: the row, and its document chunked in the sync's format).
  const source = await ensureCatalogSource(db, store!);
  let variantId = SIMULATED_SHOPIFY_ID_BASE.variant;
  const records: ProductRecord[] = DEMO_SHOPIFY_CATALOG.map((demo, index) => {
    const handle = handleOf(demo.title);
    const variants: ProductVariant[] = demo.variants.map((v) => ({
      id: `gid://shopify/ProductVariant/${++variantId}`,
      title: v.title,
      sku: null,
      price: v.price,
      compareAtPrice: null,
      available: v.inventoryQuantity > 0 || v.inventoryPolicy === "CONTINUE",
      inventoryQuantity: v.inventoryQuantity,
      options: v.options ?? {},
    }));
    const prices = variants.map((v) => Number(v.price));
    return {
      platformId: `gid://shopify/Product/${SIMULATED_SHOPIFY_ID_BASE.product + index + 1}`,
      handle,
      title: demo.title,
      description: plainText(demo.descriptionHtml),
      vendor: demo.vendor,
      productType: demo.productType,
      tags: demo.tags,
      status: "ACTIVE",
      url: `${DEMO_SHOPIFY_STORE.primaryDomainUrl}/products/${handle}`,
      imageUrl: null,
      totalInventory: demo.variants.reduce((sum, v) => sum + v.inventoryQuantity, 0),
      priceMin: Math.min(...prices).toFixed(2),
      priceMax: Math.max(...prices).toFixed(2),
      currency: DEMO_SHOPIFY_STORE.currency,
      available: variants.some((v) => v.available),
      variants,
      raw: {},
      updatedAtPlatform: now,
    };
  });
  await writeProducts(db, { store: store!, source }, records);
  await db
    .update(knowledgeSources)
    .set({ status: "ready", lastSyncedAt: now })
    .where(eq(knowledgeSources.id, source.id));
  return { storeId: store!.id, created: true };
}
