import { z } from "zod";
import { page } from "./common.ts";

/**
 * The Shopify integration's API (`/api/v1/integrations/shopify/...`; reads for members with
 * `chatbots.read`, mutations OWNER/ADMIN with `integrations.manage`, audited) and the product cards a
 * bot message can carry on every channel (docs/shopify.md).
 *
 * A store is connected one of three ways (`ShopifyAuthMethod`); its catalog is copied into `product`
 * rows (the truth for prices and stock) and into one knowledge document per product (what retrieval
 * finds), kept current by webhooks and a nightly reconcile.
 */

/** The Admin API version every call uses (Shopify versions are quarterly; one pinned constant). */
export const SHOPIFY_API_VERSION = "2026-10";

/** The access scopes Tandem needs; the connection check refuses a token without them. */
export const SHOPIFY_REQUIRED_SCOPES = ["read_products", "read_inventory"] as const;

/** Webhook topics Tandem subscribes to on connect (and removes on disconnect). */
export const SHOPIFY_WEBHOOK_TOPICS = [
  "products/create",
  "products/update",
  "products/delete",
  "inventory_levels/update",
  "app/uninstalled",
  "bulk_operations/finish",
] as const;

/** The mandatory privacy topics (configured in the app, not subscribed): a bad signature answers 401. */
export const SHOPIFY_PRIVACY_TOPICS = ["customers/data_request", "customers/redact", "shop/redact"] as const;

/** Above this many products a full sync uses a bulk operation (JSONL) instead of pages of 100. */
export const SHOPIFY_BULK_THRESHOLD = 2000;

/**
 * - `access_token`: an Admin API access token of a custom app (`shpat_…`), plus optionally the app's
 *   API secret so webhooks can be verified (without it the store is kept current by the nightly
 *   reconcile and manual resyncs only).
 * - `client_credentials`: a Dev Dashboard app's client id and secret; Tandem asks for a token with the
 *   client-credentials grant and asks again before the 24-hour token expires. The secret signs webhooks.
 * - `oauth`: the install flow of a public app (`SHOPIFY_API_KEY` / `SHOPIFY_API_SECRET` on the server).
 */
export const ShopifyAuthMethod = z.enum(["access_token", "client_credentials", "oauth"]);
export type ShopifyAuthMethod = z.infer<typeof ShopifyAuthMethod>;

const MYSHOPIFY = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

/**
 * A shop's `*.myshopify.com` domain from what a person types: `example`, `example.myshopify.com`,
 * `https://example.myshopify.com/admin`, any case. Null when it is not one (a custom domain such as
 * `shop.example.com` is not: Shopify's API only answers on the myshopify domain).
 */
export function normalizeShopDomain(input: string): string | null {
  let s = input.trim().toLowerCase();
  s = s.replace(/^https?:\/\//, "").replace(/[/?#].*$/, "");
  if (/^[a-z0-9][a-z0-9-]*$/.test(s)) s = `${s}.myshopify.com`;
  return MYSHOPIFY.test(s) ? s : null;
}

export const ShopDomain = z
  .string()
  .trim()
  .min(1, "enter the shop's domain")
  .max(255)
  .transform((v, ctx) => {
    const domain = normalizeShopDomain(v);
    if (!domain) {
      ctx.addIssue({ code: "custom", message: "enter the shop's myshopify.com domain, such as example.myshopify.com" });
      return z.NEVER;
    }
    return domain;
  });

/** `POST /api/v1/integrations/shopify/connect` (OAuth starts at `GET …/oauth/start?shop=`). */
export const ConnectShopifyInput = z.discriminatedUnion("method", [
  z.strictObject({
    method: z.literal("access_token"),
    shopDomain: ShopDomain,
    accessToken: z.string().trim().min(1, "enter the Admin API access token").max(500),
    /** The app's API secret key: verifies webhooks. Optional. */
    apiSecret: z.string().trim().min(1).max(500).optional(),
  }),
  z.strictObject({
    method: z.literal("client_credentials"),
    shopDomain: ShopDomain,
    clientId: z.string().trim().min(1, "enter the client id").max(500),
    clientSecret: z.string().trim().min(1, "enter the client secret").max(500),
  }),
]);
export type ConnectShopifyInput = z.infer<typeof ConnectShopifyInput>;

export const ShopifyStoreStatus = z.enum(["active", "syncing", "error", "disconnected"]);
export type ShopifyStoreStatus = z.infer<typeof ShopifyStoreStatus>;

/** A sync's progress, live over the socket (`shopify:updated`) and in the store's DTO. */
export const ShopifySyncDto = z.object({
  state: z.enum(["idle", "running", "succeeded", "failed"]),
  /** `full`: the whole catalog (connect, resync, nightly reconcile); `webhook`: one product. */
  kind: z.enum(["full", "webhook"]).nullable(),
  /** `pages`: GraphQL pages of 100; `bulk`: a bulk operation (large catalogs). */
  mode: z.enum(["pages", "bulk"]).nullable(),
  /** Products written so far, and the catalog's size when known. */
  done: z.number().int(),
  total: z.number().int().nullable(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  /** Why the last sync failed, readable; null otherwise. */
  error: z.string().nullable(),
});
export type ShopifySyncDto = z.infer<typeof ShopifySyncDto>;

export const ShopifyStoreDto = z.object({
  id: z.string(),
  shopDomain: z.string(),
  name: z.string().nullable(),
  currency: z.string().nullable(),
  /** The storefront's address (`primaryDomain.url`). */
  primaryDomainUrl: z.string().nullable(),
  authMethod: ShopifyAuthMethod,
  /** The last characters of the token or client id, never the secret itself. */
  credentialHint: z.string().nullable(),
  scopes: z.array(z.string()),
  /** Webhooks can be verified (a secret is known) and were registered. */
  webhooks: z.object({ verified: z.boolean(), topics: z.array(z.string()), error: z.string().nullable() }),
  status: ShopifyStoreStatus,
  statusReason: z.string().nullable(),
  productCount: z.number().int(),
  lastSyncedAt: z.string().nullable(),
  sync: ShopifySyncDto,
  /** The knowledge source holding one document per product. */
  knowledgeSourceId: z.string().nullable(),
  createdAt: z.string(),
});
export type ShopifyStoreDto = z.infer<typeof ShopifyStoreDto>;

/** `GET /api/v1/integrations/shopify`: the workspace's stores (at most one per shop domain). */
export const ShopifyStoreListDto = z.object({
  stores: z.array(ShopifyStoreDto),
  /** The server can run the OAuth install (`SHOPIFY_API_KEY` and `SHOPIFY_API_SECRET` are set). */
  oauthAvailable: z.boolean(),
  /** Where Shopify must send webhooks (`APP_URL/api/webhooks/shopify`). */
  webhookUrl: z.string(),
});
export type ShopifyStoreListDto = z.infer<typeof ShopifyStoreListDto>;

export const ProductVariantDto = z.object({
  id: z.string(),
  title: z.string(),
  sku: z.string().nullable(),
  /** Decimal strings in the store's currency: no cent lost to floats. */
  price: z.string(),
  compareAtPrice: z.string().nullable(),
  available: z.boolean(),
  inventoryQuantity: z.number().int().nullable(),
  options: z.record(z.string(), z.string()),
});
export type ProductVariantDto = z.infer<typeof ProductVariantDto>;

/** `GET /api/v1/integrations/shopify/{id}/products?q=&cursor=` (and what `{products}` is built from). */
export const ProductDto = z.object({
  id: z.string(),
  storeId: z.string(),
  platformId: z.string(),
  title: z.string(),
  handle: z.string().nullable(),
  description: z.string().nullable(),
  vendor: z.string().nullable(),
  productType: z.string().nullable(),
  tags: z.array(z.string()),
  url: z.string().nullable(),
  imageUrl: z.string().nullable(),
  currency: z.string().nullable(),
  priceMin: z.string().nullable(),
  priceMax: z.string().nullable(),
  available: z.boolean(),
  totalInventory: z.number().int().nullable(),
  variants: z.array(ProductVariantDto),
  updatedAt: z.string(),
});
export type ProductDto = z.infer<typeof ProductDto>;

/** `GET …/shopify/{id}/products`: `q` matches title, vendor, type, handle, a tag or a SKU; by title. */
export const ShopifyProductListQuery = z.object({
  q: z.string().trim().max(200).optional(),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
export const ShopifyProductListResponse = page(ProductDto);
export type ShopifyProductListResponse = z.infer<typeof ShopifyProductListResponse>;

/**
 * A product a bot message recommends, as every channel shows it: Messenger a generic-template
 * carousel, LINE a carousel message, the widget cards, the public API structured data beside the text.
 * Channels that cannot show cards get the text alone (it names the products).
 */
export const ProductCard = z.object({
  productId: z.string(),
  title: z.string(),
  /** Price as the store formats it with its currency, e.g. "฿1,290.00" or "$24.00 – $28.00". */
  priceText: z.string(),
  price: z.string().nullable(),
  currency: z.string().nullable(),
  available: z.boolean(),
  /** An https image (the product's first), or null. */
  imageUrl: z.string().nullable(),
  /** The product page on the storefront ("View" button), or null. */
  url: z.string().nullable(),
  /** The variant the customer asked about, when one matched (e.g. "M / Natural"). */
  variantTitle: z.string().nullable(),
});
export type ProductCard = z.infer<typeof ProductCard>;

/** At most this many cards on one message (Messenger's generic template and LINE's carousel take 10). */
export const MAX_PRODUCT_CARDS = 10;

/** `shopify:updated`, to the workspace room: a store's status or sync moved, or it was removed. */
export interface ShopifyUpdatedEvent {
  storeId: string;
  store: ShopifyStoreDto | null;
}
