/**
 * The demo's Shopify store, in one place for both sides of it: the Shopify simulator serves it
 * (`packages/simulator/src/shopify/demo.ts`), and the demo seed (`packages/core/src/demo`) writes it
 * into the demo workspace as a finished sync from the simulator would, so the demo bot can answer
 * "Do you have the linen shirt in M?" without a network or a job. Plain data with no imports: the
 * simulator depends on nothing of ours but this package, and core must not depend on the simulator.
 */

export interface DemoShopifyVariant {
  title: string;
  sku?: string;
  price: string;
  compareAtPrice?: string;
  inventoryQuantity: number;
  /** `CONTINUE`: sold even when out of stock (a gift card). */
  inventoryPolicy?: "DENY" | "CONTINUE";
  /** Option name → value, e.g. `{Size: "M"}`. */
  options?: Record<string, string>;
}

export interface DemoShopifyProduct {
  title: string;
  vendor: string;
  productType: string;
  tags: string[];
  descriptionHtml: string;
  /** Paths below the simulator's Shopify mount (`/_cdn/…`), which draws the pictures itself. */
  images: { url: string; altText: string }[];
  variants: DemoShopifyVariant[];
}

/** The custom app whose credentials reach the demo store. */
export const DEMO_SHOPIFY_APP = {
  clientId: "3f1c0b7e9a2d4c6e8b0a1f2e3d4c5b6a",
  clientSecret: "shpss_tandemsimdemo0000000000000001",
  /** An admin-created custom app's token: does not expire. */
  accessToken: "shpat_tandemsimdemo00000000000000001",
  name: "Tandem",
  scopes: ["read_products", "read_inventory"],
};

/** A small Bangkok clothing and coffee shop priced in THB. */
export const DEMO_SHOPIFY_SHOP = {
  domain: "tandem-demo.myshopify.com",
  name: "Tandem Demo Shop",
  currencyCode: "THB",
  primaryDomainUrl: "https://tandem-demo.myshopify.com",
  description: "Linen clothing and Thai specialty coffee from a small shop in Bangkok.",
  contactEmail: "hello@tandem-demo.example",
} as const;

/**
 * The simulator numbers products and variants from these (the first product is `PRODUCT + 1`), in the
 * order it is given them: the demo catalog's ids follow `DEMO_SHOPIFY_PRODUCTS`' order.
 */
export const SIMULATED_SHOPIFY_ID_BASE = { product: 8_000_000_000_000, variant: 45_000_000_000_000 } as const;

const img = (name: string, altText: string) => ({ url: `/_cdn/${name}.svg`, altText });
const sizes = (prefix: string, price: string, stock: Record<string, number>): DemoShopifyVariant[] =>
  Object.entries(stock).map(([size, quantity]) => ({
    title: size,
    sku: `${prefix}-${size}`,
    price,
    inventoryQuantity: quantity,
    options: { Size: size },
  }));

/** Twelve products; the "Linen Shirt" comes in S, M and L, L sold out. */
export const DEMO_SHOPIFY_PRODUCTS: DemoShopifyProduct[] = [
  {
    title: "Linen Shirt",
    vendor: "Tandem Demo Shop",
    productType: "Shirts",
    tags: ["linen", "summer", "shirts"],
    descriptionHtml:
      "<p>A breathable long-sleeve shirt in washed European linen. Relaxed fit, mother-of-pearl buttons.</p><p>Colour: natural.</p>",
    images: [img("linen-shirt", "Linen Shirt in natural")],
    variants: sizes("LIN", "1290.00", { S: 4, M: 7, L: 0 }),
  },
  {
    title: "Oxford Shirt",
    vendor: "Tandem Demo Shop",
    productType: "Shirts",
    tags: ["cotton", "shirts"],
    descriptionHtml: "<p>Heavy cotton Oxford cloth, button-down collar, light blue.</p>",
    images: [img("oxford-shirt", "Oxford Shirt in light blue")],
    variants: sizes("OXF", "1490.00", { S: 2, M: 5, L: 3 }),
  },
  {
    title: "Indigo Tee",
    vendor: "Tandem Demo Shop",
    productType: "T-Shirts",
    tags: ["cotton", "tees", "indigo"],
    descriptionHtml: "<p>Hand-dyed indigo T-shirt in organic cotton. Every piece fades its own way.</p>",
    images: [img("indigo-tee", "Indigo Tee")],
    variants: sizes("TEE", "590.00", { S: 10, M: 12, L: 8, XL: 0 }).map((v) =>
      v.title === "XL" ? { ...v, price: "650.00" } : v,
    ),
  },
  {
    title: "Fisherman Pants",
    vendor: "Tandem Demo Shop",
    productType: "Pants",
    tags: ["cotton", "pants", "thai"],
    descriptionHtml: "<p>Wrap-front Thai fisherman pants in soft cotton. One size fits most.</p>",
    images: [img("fisherman-pants", "Fisherman Pants in charcoal")],
    variants: [{ title: "One size", sku: "FSH-OS", price: "450.00", compareAtPrice: "550.00", inventoryQuantity: 20 }],
  },
  {
    title: "Canvas Tote",
    vendor: "Tandem Demo Shop",
    productType: "Bags",
    tags: ["bags", "canvas"],
    descriptionHtml: "<p>Sturdy 12 oz canvas tote with an inside pocket.</p>",
    images: [img("canvas-tote", "Canvas Tote")],
    variants: [{ title: "Default Title", sku: "TOTE-1", price: "390.00", inventoryQuantity: 35 }],
  },
  {
    title: "Straw Hat",
    vendor: "Tandem Demo Shop",
    productType: "Accessories",
    tags: ["summer", "hats"],
    descriptionHtml: "<p>Wide-brim hat woven from natural straw.</p>",
    images: [img("straw-hat", "Straw Hat")],
    variants: [{ title: "Default Title", sku: "HAT-1", price: "690.00", inventoryQuantity: 0 }],
  },
  {
    title: "Doi Chang Coffee Beans",
    vendor: "Tandem Roasters",
    productType: "Coffee",
    tags: ["coffee", "beans", "thai", "medium roast"],
    descriptionHtml:
      "<p>Single-origin arabica from Doi Chang, Chiang Rai. Medium roast: brown sugar, cocoa, a little orange.</p>",
    images: [img("doi-chang-beans", "Doi Chang Coffee Beans")],
    variants: [
      { title: "250 g", sku: "DC-250", price: "320.00", inventoryQuantity: 40, options: { Weight: "250 g" } },
      { title: "1 kg", sku: "DC-1000", price: "1150.00", inventoryQuantity: 6, options: { Weight: "1 kg" } },
    ],
  },
  {
    title: "Espresso Blend",
    vendor: "Tandem Roasters",
    productType: "Coffee",
    tags: ["coffee", "beans", "dark roast", "espresso"],
    descriptionHtml: "<p>Dark roast for espresso and milk drinks: chocolate and toasted nuts.</p>",
    images: [img("espresso-blend", "Espresso Blend")],
    variants: [
      { title: "250 g", sku: "ESP-250", price: "290.00", inventoryQuantity: 25, options: { Weight: "250 g" } },
      { title: "1 kg", sku: "ESP-1000", price: "990.00", inventoryQuantity: 0, options: { Weight: "1 kg" } },
    ],
  },
  {
    title: "Cold Brew Bottle",
    vendor: "Tandem Roasters",
    productType: "Coffee",
    tags: ["coffee", "cold brew", "drinks"],
    descriptionHtml: "<p>Ready-to-drink cold brew, 500 ml, keep chilled.</p>",
    images: [img("cold-brew", "Cold Brew Bottle")],
    variants: [{ title: "Default Title", sku: "CB-500", price: "120.00", inventoryQuantity: 48 }],
  },
  {
    title: "Pour-Over Dripper",
    vendor: "Tandem Roasters",
    productType: "Brewing",
    tags: ["brewing", "ceramic"],
    descriptionHtml: "<p>Ceramic cone dripper for one or two cups. Fits size 02 filters.</p>",
    images: [img("pour-over-dripper", "Pour-Over Dripper")],
    variants: [
      { title: "White", sku: "DRP-W", price: "850.00", inventoryQuantity: 5, options: { Color: "White" } },
      { title: "Black", sku: "DRP-B", price: "850.00", inventoryQuantity: 2, options: { Color: "Black" } },
    ],
  },
  {
    title: "Enamel Mug",
    vendor: "Tandem Demo Shop",
    productType: "Accessories",
    tags: ["mugs", "camping"],
    descriptionHtml: "<p>Enamel camping mug, 350 ml, with the Tandem logo.</p>",
    images: [img("enamel-mug", "Enamel Mug")],
    variants: [{ title: "Default Title", sku: "MUG-1", price: "250.00", inventoryQuantity: 60 }],
  },
  {
    title: "Gift Card",
    vendor: "Tandem Demo Shop",
    productType: "Gift Cards",
    tags: ["gift"],
    descriptionHtml: "<p>A gift card for the shop, delivered by email.</p>",
    images: [img("gift-card", "Gift Card")],
    variants: [
      { title: "500", price: "500.00", inventoryQuantity: 0, inventoryPolicy: "CONTINUE", options: { Amount: "500" } },
      {
        title: "1000",
        price: "1000.00",
        inventoryQuantity: 0,
        inventoryPolicy: "CONTINUE",
        options: { Amount: "1000" },
      },
    ],
  },
];
