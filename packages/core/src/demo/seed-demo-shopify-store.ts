import { type Db, knowledgeSources, type ProductVariant, shopifyStores } from "@tandem/db";
import { and, eq } from "drizzle-orm";
import type { Keyring } from "../secrets/keyring.ts";
import type { ProductRecord } from "../shopify/catalog-query.ts";
import { ensureCatalogSource } from "../shopify/catalog-source.ts";
import { writeProducts } from "../shopify/write-products.ts";

/**
 * The demo's simulated Shopify store: the Shopify simulator's demo shop (`DEMO_SHOP` /
 * `DEMO_PRODUCTS` in `packages/simulator/src/shopify/demo.ts`), a Bangkok clothing and coffee shop
 * priced in THB with the "Linen Shirt" in S, M and L (L sold out), copied here as a finished sync
 * leaves it — so asking the demo bot "Do you have the linen shirt in M?" answers with the price and
 * stock and shows a product card, without any network or job.
 *
 * The platform ids are the ones the simulator gives the demo shop's products and variants (numbered
 * from its id bases in catalog order), so a later sync from the simulator updates these rows in place.
 */
export const DEMO_SHOPIFY_STORE = {
  domain: "tandem-demo.myshopify.com",
  name: "Tandem Demo Shop",
  currency: "THB",
  primaryDomainUrl: "https://tandem-demo.myshopify.com",
  /** The simulator's demo app token (`DEMO_SHOPIFY_APP.accessToken`). */
  accessToken: "shpat_tandemsimdemo00000000000000001",
  description: "Linen clothing and Thai specialty coffee from a small shop in Bangkok.",
} as const;

/** The simulator's first product and variant ids (`PRODUCT_ID_BASE`, `VARIANT_ID_BASE` + 1). */
const PRODUCT_ID_BASE = 8_000_000_000_000;
const VARIANT_ID_BASE = 45_000_000_000_000;

interface DemoVariant {
  title: string;
  price: string;
  stock: number;
  options?: Record<string, string>;
  /** Sold even when out of stock (a gift card: `inventoryPolicy: CONTINUE`). */
  continueSelling?: boolean;
}

interface DemoProduct {
  title: string;
  vendor: string;
  productType: string;
  tags: string[];
  description: string;
  variants: DemoVariant[];
}

const sizes = (price: string, stock: Record<string, number>): DemoVariant[] =>
  Object.entries(stock).map(([size, n]) => ({ title: size, price, stock: n, options: { Size: size } }));
const one = (price: string, stock: number): DemoVariant[] => [{ title: "Default Title", price, stock }];
const SHOP = "Tandem Demo Shop";
const ROASTERS = "Tandem Roasters";

export const DEMO_SHOPIFY_CATALOG: DemoProduct[] = [
  {
    title: "Linen Shirt",
    vendor: SHOP,
    productType: "Shirts",
    tags: ["linen", "summer", "shirts"],
    description:
      "A breathable long-sleeve shirt in washed European linen. Relaxed fit, mother-of-pearl buttons. Colour: natural.",
    variants: sizes("1290.00", { S: 4, M: 7, L: 0 }),
  },
  {
    title: "Oxford Shirt",
    vendor: SHOP,
    productType: "Shirts",
    tags: ["cotton", "shirts"],
    description: "Heavy cotton Oxford cloth, button-down collar, light blue.",
    variants: sizes("1490.00", { S: 2, M: 5, L: 3 }),
  },
  {
    title: "Indigo Tee",
    vendor: SHOP,
    productType: "T-Shirts",
    tags: ["cotton", "tees", "indigo"],
    description: "Hand-dyed indigo T-shirt in organic cotton. Every piece fades its own way.",
    variants: [
      ...sizes("590.00", { S: 10, M: 12, L: 8 }),
      { title: "XL", price: "650.00", stock: 0, options: { Size: "XL" } },
    ],
  },
  {
    title: "Fisherman Pants",
    vendor: SHOP,
    productType: "Pants",
    tags: ["cotton", "pants", "thai"],
    description: "Wrap-front Thai fisherman pants in soft cotton. One size fits most.",
    variants: [{ title: "One size", price: "450.00", stock: 20 }],
  },
  {
    title: "Canvas Tote",
    vendor: SHOP,
    productType: "Bags",
    tags: ["bags", "canvas"],
    description: "Sturdy 12 oz canvas tote with an inside pocket.",
    variants: one("390.00", 35),
  },
  {
    title: "Straw Hat",
    vendor: SHOP,
    productType: "Accessories",
    tags: ["summer", "hats"],
    description: "Wide-brim hat woven from natural straw.",
    variants: one("690.00", 0),
  },
  {
    title: "Doi Chang Coffee Beans",
    vendor: ROASTERS,
    productType: "Coffee",
    tags: ["coffee", "beans", "thai", "medium roast"],
    description: "Single-origin arabica from Doi Chang, Chiang Rai. Medium roast: brown sugar, cocoa, a little orange.",
    variants: [
      { title: "250 g", price: "320.00", stock: 40, options: { Weight: "250 g" } },
      { title: "1 kg", price: "1150.00", stock: 6, options: { Weight: "1 kg" } },
    ],
  },
  {
    title: "Espresso Blend",
    vendor: ROASTERS,
    productType: "Coffee",
    tags: ["coffee", "beans", "dark roast", "espresso"],
    description: "Dark roast for espresso and milk drinks: chocolate and toasted nuts.",
    variants: [
      { title: "250 g", price: "290.00", stock: 25, options: { Weight: "250 g" } },
      { title: "1 kg", price: "990.00", stock: 0, options: { Weight: "1 kg" } },
    ],
  },
  {
    title: "Cold Brew Bottle",
    vendor: ROASTERS,
    productType: "Coffee",
    tags: ["coffee", "cold brew", "drinks"],
    description: "Ready-to-drink cold brew, 500 ml, keep chilled.",
    variants: one("120.00", 48),
  },
  {
    title: "Pour-Over Dripper",
    vendor: ROASTERS,
    productType: "Brewing",
    tags: ["brewing", "ceramic"],
    description: "Ceramic cone dripper for one or two cups. Fits size 02 filters.",
    variants: [
      { title: "White", price: "850.00", stock: 5, options: { Color: "White" } },
      { title: "Black", price: "850.00", stock: 2, options: { Color: "Black" } },
    ],
  },
  {
    title: "Enamel Mug",
    vendor: SHOP,
    productType: "Accessories",
    tags: ["mugs", "camping"],
    description: "Enamel camping mug, 350 ml, with the Tandem logo.",
    variants: one("250.00", 60),
  },
  {
    title: "Gift Card",
    vendor: SHOP,
    productType: "Gift Cards",
    tags: ["gift"],
    description: "A gift card for the shop, delivered by email.",
    variants: [
      { title: "500", price: "500.00", stock: 0, continueSelling: true, options: { Amount: "500" } },
      { title: "1000", price: "1000.00", stock: 0, continueSelling: true, options: { Amount: "1000" } },
    ],
  },
];

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
      scopes: ["read_products", "read_inventory"],
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
  let variantId = VARIANT_ID_BASE;
  const records: ProductRecord[] = DEMO_SHOPIFY_CATALOG.map((demo, index) => {
    const handle = handleOf(demo.title);
    const variants: ProductVariant[] = demo.variants.map((v) => ({
      id: `gid://shopify/ProductVariant/${++variantId}`,
      title: v.title,
      sku: null,
      price: v.price,
      compareAtPrice: null,
      available: v.stock > 0 || Boolean(v.continueSelling),
      inventoryQuantity: v.stock,
      options: v.options ?? {},
    }));
    const prices = variants.map((v) => Number(v.price));
    return {
      platformId: `gid://shopify/Product/${PRODUCT_ID_BASE + index + 1}`,
      handle,
      title: demo.title,
      description: demo.description,
      vendor: demo.vendor,
      productType: demo.productType,
      tags: demo.tags,
      status: "ACTIVE",
      url: `${DEMO_SHOPIFY_STORE.primaryDomainUrl}/products/${handle}`,
      imageUrl: null,
      totalInventory: demo.variants.reduce((sum, v) => sum + v.stock, 0),
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
