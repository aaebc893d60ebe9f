import { type Db, documents, knowledgeSources, type ProductVariant, products, shopifyStores } from "@tandem/db";
import { and, eq } from "drizzle-orm";
import { chunkText } from "../knowledge/chunk-text.ts";
import { replaceChunks } from "../knowledge/write-chunks.ts";
import type { Keyring } from "../secrets/keyring.ts";

/**
 * The demo's simulated Shopify store: a small clothing catalog (prices in THB, the "Linen Shirt" in
 * S, M and L with L sold out), so asking the demo bot "Do you have the linen shirt in M?" answers
 * with the price and stock and shows a product card, without any network.
 *
 * The shop domain and products mirror the Shopify simulator's demo catalog: once the store is synced
 * from the simulator, the sync overwrites these rows (same platform ids).
 */
export const DEMO_SHOP = {
  domain: "tandem-demo.myshopify.com",
  name: "Tandem Demo Shop",
  currency: "THB",
  primaryDomainUrl: "https://tandem-demo.myshopify.com",
  accessToken: "shpat_simdemo0000000000000000000001",
  description: "Linen shirts, cotton tees and everyday basics, shipped from Bangkok.",
} as const;

interface DemoProduct {
  id: number;
  title: string;
  handle: string;
  productType: string;
  tags: string[];
  description: string;
  /** [size or title, price, inventory] — inventory 0 is sold out. */
  variants: [string, string, number][];
}

export const DEMO_SHOPIFY_CATALOG: DemoProduct[] = [
  {
    id: 9000000001,
    title: "Linen Shirt",
    handle: "linen-shirt",
    productType: "Shirts",
    tags: ["linen", "summer"],
    description: "A breathable, relaxed-fit shirt in washed European linen. Natural colour.",
    variants: [
      ["S", "1290.00", 8],
      ["M", "1290.00", 5],
      ["L", "1290.00", 0],
    ],
  },
  {
    id: 9000000002,
    title: "Oxford Shirt",
    handle: "oxford-shirt",
    productType: "Shirts",
    tags: ["cotton", "office"],
    description: "A button-down Oxford cotton shirt for the office and the weekend. Light blue.",
    variants: [
      ["S", "1190.00", 4],
      ["M", "1190.00", 6],
      ["L", "1190.00", 3],
    ],
  },
  {
    id: 9000000003,
    title: "Cotton Tee",
    handle: "cotton-tee",
    productType: "T-Shirts",
    tags: ["cotton", "summer"],
    description: "A heavyweight organic cotton t-shirt with a boxy fit. White.",
    variants: [
      ["S", "490.00", 20],
      ["M", "490.00", 25],
      ["L", "490.00", 12],
    ],
  },
  {
    id: 9000000004,
    title: "Linen Trousers",
    handle: "linen-trousers",
    productType: "Trousers",
    tags: ["linen", "summer"],
    description: "Drawstring trousers in the same washed linen as the Linen Shirt. Sand colour.",
    variants: [
      ["M", "1590.00", 3],
      ["L", "1690.00", 2],
    ],
  },
  {
    id: 9000000005,
    title: "Canvas Tote",
    handle: "canvas-tote",
    productType: "Bags",
    tags: ["accessories"],
    description: "A sturdy canvas tote with an inner pocket.",
    variants: [["Default Title", "350.00", 40]],
  },
  {
    id: 9000000006,
    title: "Straw Hat",
    handle: "straw-hat",
    productType: "Hats",
    tags: ["accessories", "summer"],
    description: "A wide-brim hand-woven straw hat.",
    variants: [["Default Title", "690.00", 0]],
  },
];

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
    .where(and(eq(shopifyStores.workspaceId, workspaceId), eq(shopifyStores.shopDomain, DEMO_SHOP.domain)))
    .limit(1);
  if (existing) return { storeId: existing.id, created: false };

  const now = new Date();
  const [store] = await db
    .insert(shopifyStores)
    .values({
      workspaceId,
      shopDomain: DEMO_SHOP.domain,
      authMethod: "access_token",
      accessTokenEncrypted: input.keyring.encrypt(DEMO_SHOP.accessToken),
      accessTokenHint: `••••${DEMO_SHOP.accessToken.slice(-4)}`,
      scopes: ["read_products", "read_inventory"],
      name: DEMO_SHOP.name,
      currency: DEMO_SHOP.currency,
      primaryDomainUrl: DEMO_SHOP.primaryDomainUrl,
      metadata: { description: DEMO_SHOP.description, simulated: true },
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
  const [source] = await db
    .insert(knowledgeSources)
    .values({
      workspaceId,
      type: "shopify",
      shopifyStoreId: store!.id,
      name: `Shopify: ${DEMO_SHOP.name}`,
      status: "ready",
      lastSyncedAt: now,
    })
    .returning();

  for (const demo of DEMO_SHOPIFY_CATALOG) {
    const variants: ProductVariant[] = demo.variants.map(([title, price, stock], i) => ({
      id: `gid://shopify/ProductVariant/${demo.id}${i + 1}`,
      title,
      sku: `${demo.handle.toUpperCase()}-${title === "Default Title" ? "ONE" : title}`,
      price,
      compareAtPrice: null,
      available: stock > 0,
      inventoryQuantity: stock,
      options: title === "Default Title" ? ({} as Record<string, string>) : { Size: title },
    }));
    const prices = variants.map((v) => Number(v.price));
    const [product] = await db
      .insert(products)
      .values({
        workspaceId,
        storeId: store!.id,
        platformId: `gid://shopify/Product/${demo.id}`,
        handle: demo.handle,
        title: demo.title,
        description: demo.description,
        vendor: DEMO_SHOP.name,
        productType: demo.productType,
        tags: demo.tags,
        status: "ACTIVE",
        url: `${DEMO_SHOP.primaryDomainUrl}/products/${demo.handle}`,
        imageUrl: null,
        totalInventory: demo.variants.reduce((sum, [, , stock]) => sum + stock, 0),
        priceMin: Math.min(...prices).toFixed(2),
        priceMax: Math.max(...prices).toFixed(2),
        currency: DEMO_SHOP.currency,
        available: variants.some((v) => v.available),
        variants,
        updatedAtPlatform: now,
      })
      .returning();
    const sizes = variants.filter((v) => v.title !== "Default Title").map((v) => v.title);
    const content = [
      `# ${demo.title}`,
      demo.description,
      `Type: ${demo.productType}. Tags: ${demo.tags.join(", ")}.`,
      sizes.length ? `Sizes: ${sizes.join(", ")}.` : "",
    ]
      .filter(Boolean)
      .join("\n\n");
    const [document] = await db
      .insert(documents)
      .values({
        workspaceId,
        sourceId: source!.id,
        productId: product!.id,
        title: demo.title,
        mimeType: "text/markdown",
        documentType: "product",
        tags: demo.tags,
        content,
        sizeBytes: Buffer.byteLength(content),
        status: "ready",
        progress: 100,
        language: "en",
        sourceUrl: product!.url,
      })
      .returning();
    await replaceChunks(db, document!, null, chunkText(content));
  }
  return { storeId: store!.id, created: true };
}
