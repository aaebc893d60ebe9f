/**
 * In-memory world of the fake Shopify platform: apps (client id and secret, scopes, allowed redirect
 * URLs), shops with their catalogs, the access tokens shops issued to apps (with expiry), OAuth codes,
 * webhook subscriptions, bulk operations, the cost buckets of each app on each shop, and injected faults.
 * Ids are Shopify-sized integers shown as `gid://shopify/{Type}/{n}` on GraphQL and as numbers on REST
 * payloads.
 */
import { randomBytes } from "node:crypto";
import { SIMULATED_SHOPIFY_ID_BASE } from "@tandem/contracts/demo-shopify-store";

export const SHOPIFY_SCOPES_DEFAULT = ["read_products", "read_inventory"] as const;

export interface ShopifyAppInput {
  clientId: string;
  clientSecret: string;
  name?: string;
  /** Scopes the app is granted (client credentials) or may ask for (OAuth). */
  scopes?: string[];
  /** OAuth `redirect_uri`s the app allows; empty or absent: any. */
  redirectUrls?: string[];
  /** Where the mandatory privacy webhooks go (the app's compliance URL). */
  privacyWebhookUrl?: string;
}

export type SimShopifyApp = Required<Omit<ShopifyAppInput, "privacyWebhookUrl">> & { privacyWebhookUrl?: string };

export interface VariantInput {
  id?: number;
  title?: string;
  sku?: string | null;
  price: string;
  compareAtPrice?: string | null;
  inventoryQuantity?: number;
  /** `CONTINUE`: sellable when out of stock. Default `DENY`. */
  inventoryPolicy?: "DENY" | "CONTINUE";
  /** Option name → value, e.g. `{Size: "M"}`. */
  options?: Record<string, string>;
}

export interface ProductInput {
  id?: number;
  title: string;
  handle?: string;
  status?: "ACTIVE" | "DRAFT" | "ARCHIVED";
  vendor?: string;
  productType?: string;
  tags?: string[];
  descriptionHtml?: string;
  /** https URLs, or paths below the simulator's `/shopify` mount (`/_cdn/…`) resolved per request. */
  images?: { url: string; altText?: string | null }[];
  variants?: VariantInput[];
}

export interface SimVariant {
  id: number;
  title: string;
  sku: string | null;
  price: string;
  compareAtPrice: string | null;
  inventoryQuantity: number;
  inventoryPolicy: "DENY" | "CONTINUE";
  inventoryItemId: number;
  selectedOptions: { name: string; value: string }[];
  position: number;
  createdAt: string;
  updatedAt: string;
}

export interface SimProduct {
  id: number;
  title: string;
  handle: string;
  status: "ACTIVE" | "DRAFT" | "ARCHIVED";
  vendor: string;
  productType: string;
  tags: string[];
  descriptionHtml: string;
  images: { id: number; url: string; altText: string | null }[];
  options: { id: number; name: string; values: string[] }[];
  variants: SimVariant[];
  createdAt: string;
  updatedAt: string;
}

export interface ShopInput {
  domain: string;
  name: string;
  currencyCode?: string;
  primaryDomainUrl?: string;
  description?: string | null;
  contactEmail?: string;
  products?: ProductInput[];
  /** Adds this many generated products (see `generateProducts`). */
  generateProducts?: number;
}

export interface ThrottleSettings {
  maximumAvailable: number;
  restoreRate: number;
  /** A single query costing more is refused with MAX_COST_EXCEEDED (Shopify's limit is 1000). */
  maxQueryCost: number;
}

export interface SimShop {
  id: number;
  domain: string;
  name: string;
  currencyCode: string;
  primaryDomainUrl: string;
  description: string | null;
  contactEmail: string;
  products: Map<number, SimProduct>;
  /** Handles in use, so a new product gets a unique one without scanning the catalog. */
  handles: Set<string>;
  throttle: ThrottleSettings;
}

export interface SimToken {
  token: string;
  shop: string;
  clientId: string;
  scopes: string[];
  /** Epoch ms; null: never expires (an admin-created custom app's token). */
  expiresAt: number | null;
  grant: "seeded" | "client_credentials" | "authorization_code" | "refresh_token";
}

/**
 * A refresh token that came with an expiring offline access token. Using it issues a new access token
 * and a new refresh token; the used one keeps working until its replacement is used (so an app that
 * lost the answer can try again), for at most 30 days after its first use, as Shopify does since
 * 2026-08-28.
 */
export interface SimRefreshToken {
  token: string;
  shop: string;
  clientId: string;
  scopes: string[];
  /** Epoch ms (Shopify: 90 days after it was issued). */
  expiresAt: number;
  /** Revoked by the control API or an uninstall. */
  revoked: boolean;
  /** Its first use (epoch ms), null while unused. */
  usedAt: number | null;
  /** The refresh token it was exchanged for; set once, since that one's first use retires this one. */
  parent: string | null;
}

/** Why Shopify refuses a refresh token, as the simulator answers it (`invalid_grant`). */
export type RefreshRefusal = "unknown" | "expired" | "revoked" | "retired";

/** Shopify's recovery window for a refresh token already used once. */
const REFRESH_RETRY_WINDOW_MS = 30 * 24 * 3600_000;

export const WEBHOOK_TOPICS = [
  "products/create",
  "products/update",
  "products/delete",
  "inventory_levels/update",
  "app/uninstalled",
  "bulk_operations/finish",
  "shop/update",
] as const;
export const PRIVACY_TOPICS = ["customers/data_request", "customers/redact", "shop/redact"] as const;
export type ShopifyTopic = (typeof WEBHOOK_TOPICS)[number] | (typeof PRIVACY_TOPICS)[number];

/** `products/update` ↔ `PRODUCTS_UPDATE`. */
export const topicEnum = (topic: string) => topic.replace("/", "_").toUpperCase();
export const topicFromEnum = (value: string) =>
  WEBHOOK_TOPICS.find((topic) => topicEnum(topic) === value) ?? value.toLowerCase().replace("_", "/");

export interface SimSubscription {
  id: number;
  shop: string;
  clientId: string;
  topic: (typeof WEBHOOK_TOPICS)[number];
  uri: string;
  format: "JSON";
  createdAt: string;
  updatedAt: string;
}

export type BulkStatus = "CREATED" | "RUNNING" | "COMPLETED" | "FAILED" | "CANCELED";

export interface SimBulkOperation {
  id: number;
  shop: string;
  clientId: string;
  query: string;
  status: BulkStatus;
  errorCode: string | null;
  objectCount: number;
  rootObjectCount: number;
  fileSize: number;
  createdAt: string;
  completedAt: string | null;
  /** The result file's absolute URL once COMPLETED. */
  url: string | null;
  /** The JSONL result, served at `url`. */
  result: string | null;
}

export const SHOPIFY_FAULT_KINDS = ["http_429", "http_500", "http_502", "http_503", "throttled"] as const;
export const SHOPIFY_FAULT_TARGETS = ["graphql", "oauth", "any"] as const;

export interface ShopifyFault {
  kind: (typeof SHOPIFY_FAULT_KINDS)[number];
  on: (typeof SHOPIFY_FAULT_TARGETS)[number];
  /** Only calls to this shop; default any shop. */
  shop?: string;
  times: number;
  /** `Retry-After` of an injected 429 (seconds, default 2). */
  retryAfterSeconds?: number;
  /** Wait this long before answering. */
  delayMs?: number;
}

export interface ShopifySettings {
  /** Lifetime of client-credentials tokens (Shopify: 86,399 s). */
  tokenTtlSeconds: number;
  /** Lifetime of expiring offline tokens (`expiring=1` and the refresh grant; Shopify: 3,600 s). */
  offlineTokenTtlSeconds: number;
  /** Lifetime of their refresh tokens (Shopify: 90 days, 7,776,000 s). */
  refreshTokenTtlSeconds: number;
  /** Waits before each retry of a failed webhook delivery; its length is the number of retries. */
  webhookRetryDelaysMs: number[];
  /** How long the platform waits for a webhook answer (Shopify: 5 s). */
  webhookTimeoutMs: number;
  /** How long a bulk operation runs before it completes. */
  bulkDelayMs: number;
  /** Show an install page on `/admin/oauth/authorize` instead of redirecting at once. */
  oauthPrompt: boolean;
}

export const DEFAULT_SETTINGS: ShopifySettings = {
  tokenTtlSeconds: 86_399,
  offlineTokenTtlSeconds: 3_600,
  refreshTokenTtlSeconds: 7_776_000,
  webhookRetryDelaysMs: [200, 1_000, 3_000],
  webhookTimeoutMs: 5_000,
  bulkDelayMs: 50,
  oauthPrompt: false,
};

export const DEFAULT_THROTTLE: ThrottleSettings = { maximumAvailable: 1000, restoreRate: 50, maxQueryCost: 1000 };

export interface ShopifyStateSeed {
  apps?: ShopifyAppInput[];
  shops?: ShopInput[];
  /** Tokens that exist from the start (e.g. a custom app's Admin API access token). */
  tokens?: TokenInput[];
  settings?: Partial<ShopifySettings>;
}

export interface TokenInput {
  shop: string;
  clientId: string;
  accessToken?: string;
  scopes?: string[];
  /** Seconds until the token expires; absent: never. */
  expiresInSeconds?: number;
}

/** Shared with the demo seed, which gives the demo catalog the ids this numbering gives it. */
const PRODUCT_ID_BASE = SIMULATED_SHOPIFY_ID_BASE.product;
const VARIANT_ID_BASE = SIMULATED_SHOPIFY_ID_BASE.variant;
const ID_BASE = 30_000_000_000_000;

export class ShopifyState {
  apps = new Map<string, SimShopifyApp>();
  shops = new Map<string, SimShop>();
  tokens = new Map<string, SimToken>();
  refreshTokens = new Map<string, SimRefreshToken>();
  codes = new Map<string, { shop: string; clientId: string; scopes: string[]; expiresAt: number }>();
  subscriptions: SimSubscription[] = [];
  bulkOperations = new Map<number, SimBulkOperation>();
  /** `${shop}|${clientId}` → points available at `at`. */
  buckets = new Map<string, { available: number; at: number }>();
  faults: ShopifyFault[] = [];
  settings: ShopifySettings;
  readonly now: () => number;
  private nextProductId = PRODUCT_ID_BASE;
  private nextVariantId = VARIANT_ID_BASE;
  private nextId = ID_BASE;

  constructor(
    private readonly seed: ShopifyStateSeed = {},
    now: () => number = Date.now,
  ) {
    this.now = now;
    this.settings = { ...DEFAULT_SETTINGS, ...seed.settings };
    this.applySeed();
  }

  reset(): void {
    this.apps.clear();
    this.shops.clear();
    this.tokens.clear();
    this.refreshTokens.clear();
    this.codes.clear();
    this.subscriptions = [];
    this.bulkOperations.clear();
    this.buckets.clear();
    this.faults = [];
    this.settings = { ...DEFAULT_SETTINGS, ...this.seed.settings };
    this.nextProductId = PRODUCT_ID_BASE;
    this.nextVariantId = VARIANT_ID_BASE;
    this.nextId = ID_BASE;
    this.applySeed();
  }

  private applySeed(): void {
    for (const app of this.seed.apps ?? []) this.addApp(app);
    for (const shop of this.seed.shops ?? []) this.addShop(shop);
    for (const token of this.seed.tokens ?? []) this.issueToken(token, "seeded");
  }

  iso(ms = this.now()): string {
    return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  newId(): number {
    return ++this.nextId;
  }

  addApp(input: ShopifyAppInput): SimShopifyApp {
    const app: SimShopifyApp = {
      clientId: input.clientId,
      clientSecret: input.clientSecret,
      name: input.name ?? "Simulated app",
      scopes: input.scopes ?? [...SHOPIFY_SCOPES_DEFAULT],
      redirectUrls: input.redirectUrls ?? [],
      ...(input.privacyWebhookUrl ? { privacyWebhookUrl: input.privacyWebhookUrl } : {}),
    };
    this.apps.set(app.clientId, app);
    return app;
  }

  addShop(input: ShopInput): SimShop {
    const existing = this.shops.get(input.domain);
    const shop: SimShop = {
      id: existing?.id ?? this.newId(),
      domain: input.domain,
      name: input.name,
      currencyCode: input.currencyCode ?? "USD",
      primaryDomainUrl: input.primaryDomainUrl ?? `https://${input.domain}`,
      description: input.description ?? null,
      contactEmail: input.contactEmail ?? `owner@${input.domain}`,
      products: existing?.products ?? new Map(),
      handles: existing?.handles ?? new Set(),
      throttle: existing?.throttle ?? { ...DEFAULT_THROTTLE },
    };
    this.shops.set(shop.domain, shop);
    for (const product of input.products ?? []) this.addProduct(shop, product);
    if (input.generateProducts) this.addGeneratedProducts(shop, input.generateProducts);
    return shop;
  }

  /** Adds `count` generated products, numbered after the shop's current catalog so titles stay unique. */
  addGeneratedProducts(shop: SimShop, count: number): void {
    for (const product of generateProducts(count, shop.products.size + 1)) this.addProduct(shop, product);
  }

  addProduct(shop: SimShop, input: ProductInput): SimProduct {
    const at = this.iso();
    const id = input.id ?? ++this.nextProductId;
    const variantsIn = input.variants?.length ? input.variants : [{ price: "0.00" }];
    const optionNames = [...new Set(variantsIn.flatMap((v) => Object.keys(v.options ?? {})))];
    const product: SimProduct = {
      id,
      title: input.title,
      handle: input.handle ?? uniqueHandle(shop, input.title),
      status: input.status ?? "ACTIVE",
      vendor: input.vendor ?? shop.name,
      productType: input.productType ?? "",
      tags: input.tags ?? [],
      descriptionHtml: input.descriptionHtml ?? "",
      images: (input.images ?? []).map((image) => ({
        id: this.newId(),
        url: image.url,
        altText: image.altText ?? null,
      })),
      options: optionNames.length
        ? optionNames.map((name) => ({
            id: this.newId(),
            name,
            values: [...new Set(variantsIn.map((v) => v.options?.[name]).filter((v): v is string => Boolean(v)))],
          }))
        : [{ id: this.newId(), name: "Title", values: ["Default Title"] }],
      variants: [],
      createdAt: at,
      updatedAt: at,
    };
    product.variants = variantsIn.map((variant, index) => this.makeVariant(variant, index + 1, at));
    const replaced = shop.products.get(product.id);
    if (replaced) shop.handles.delete(replaced.handle);
    shop.products.set(product.id, product);
    shop.handles.add(product.handle);
    return product;
  }

  removeProduct(shop: SimShop, id: number): SimProduct | undefined {
    const product = shop.products.get(id);
    if (!product) return undefined;
    shop.products.delete(id);
    shop.handles.delete(product.handle);
    return product;
  }

  makeVariant(input: VariantInput, position: number, at: string): SimVariant {
    const selectedOptions = Object.entries(input.options ?? {}).map(([name, value]) => ({ name, value }));
    return {
      id: input.id ?? ++this.nextVariantId,
      title: input.title ?? (selectedOptions.map((o) => o.value).join(" / ") || "Default Title"),
      sku: input.sku ?? null,
      price: money(input.price),
      compareAtPrice: input.compareAtPrice ? money(input.compareAtPrice) : null,
      inventoryQuantity: input.inventoryQuantity ?? 0,
      inventoryPolicy: input.inventoryPolicy ?? "DENY",
      inventoryItemId: this.newId(),
      selectedOptions: selectedOptions.length ? selectedOptions : [{ name: "Title", value: "Default Title" }],
      position,
      createdAt: at,
      updatedAt: at,
    };
  }

  issueToken(input: TokenInput, grant: SimToken["grant"]): SimToken {
    const app = this.apps.get(input.clientId);
    const token: SimToken = {
      token: input.accessToken ?? `shpat_${randomBytes(16).toString("hex")}`,
      shop: input.shop,
      clientId: input.clientId,
      scopes: input.scopes ?? app?.scopes ?? [...SHOPIFY_SCOPES_DEFAULT],
      expiresAt: input.expiresInSeconds === undefined ? null : this.now() + input.expiresInSeconds * 1000,
      grant,
    };
    this.tokens.set(token.token, token);
    return token;
  }

  /** An expiring offline access token (`expiring=1`) and its refresh token. */
  issueExpiringToken(
    input: { shop: string; clientId: string; scopes: string[] },
    grant: "authorization_code" | "refresh_token",
    parent: string | null = null,
  ): { access: SimToken; refresh: SimRefreshToken } {
    const access = this.issueToken({ ...input, expiresInSeconds: this.settings.offlineTokenTtlSeconds }, grant);
    const refresh: SimRefreshToken = {
      token: `shprt_${randomBytes(16).toString("hex")}`,
      shop: input.shop,
      clientId: input.clientId,
      scopes: access.scopes,
      expiresAt: this.now() + this.settings.refreshTokenTtlSeconds * 1000,
      revoked: false,
      usedAt: null,
      parent,
    };
    this.refreshTokens.set(refresh.token, refresh);
    return { access, refresh };
  }

  /**
   * The refresh grant: a new access token and refresh token for `value`, or why Shopify refuses it.
   * Using a refresh token retires the one it replaced.
   */
  refresh(
    shop: string,
    clientId: string,
    value: string,
  ): { access: SimToken; refresh: SimRefreshToken } | { refused: RefreshRefusal } {
    const current = this.refreshTokens.get(value);
    const now = this.now();
    if (!current || current.shop !== shop || current.clientId !== clientId) return { refused: "unknown" };
    if (current.revoked) return { refused: "revoked" };
    if (current.expiresAt <= now) return { refused: "expired" };
    const replaced = [...this.refreshTokens.values()].some((t) => t.parent === value && t.usedAt !== null);
    if (replaced || (current.usedAt !== null && now - current.usedAt > REFRESH_RETRY_WINDOW_MS)) {
      return { refused: "retired" };
    }
    current.usedAt ??= now;
    return this.issueExpiringToken({ shop, clientId, scopes: current.scopes }, "refresh_token", value);
  }

  /** Revokes every access and refresh token the app holds on the shop (an uninstall). */
  revokeApp(shop: string, clientId: string): void {
    for (const [value, token] of this.tokens) {
      if (token.shop === shop && token.clientId === clientId) this.tokens.delete(value);
    }
    for (const token of this.refreshTokens.values()) {
      if (token.shop === shop && token.clientId === clientId) token.revoked = true;
    }
  }

  /** The token if the shop issued it and it has not expired. */
  validToken(shop: string, value: string | undefined): SimToken | undefined {
    const token = value ? this.tokens.get(value) : undefined;
    if (!token || token.shop !== shop) return undefined;
    if (token.expiresAt !== null && token.expiresAt <= this.now()) return undefined;
    return token;
  }

  /** Points available now in the app's bucket on the shop (restored since the last call). */
  bucket(shop: SimShop, clientId: string): { available: number; at: number } {
    const key = `${shop.domain}|${clientId}`;
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { available: shop.throttle.maximumAvailable, at: now };
    const restored = bucket.available + ((now - bucket.at) / 1000) * shop.throttle.restoreRate;
    const next = { available: Math.min(shop.throttle.maximumAvailable, restored), at: now };
    this.buckets.set(key, next);
    return next;
  }

  /** Takes a matching fault's next occurrence, if any. */
  takeFault(on: "graphql" | "oauth", shop: string): ShopifyFault | undefined {
    const fault = this.faults.find(
      (f) => (f.on === on || f.on === "any") && (!f.shop || f.shop === shop) && f.times > 0,
    );
    if (!fault) return undefined;
    fault.times -= 1;
    if (fault.times <= 0) this.faults = this.faults.filter((f) => f !== fault);
    return fault;
  }
}

export function money(value: string | number): string {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`Invalid price: ${value}`);
  return n.toFixed(2);
}

export function handleize(title: string): string {
  return (
    title
      .toLowerCase()
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/[^a-z0-9\u0E00-\u0E7F]+/g, "-")
      .replace(/^-+|-+$/g, "") || "product"
  );
}

function uniqueHandle(shop: SimShop, title: string): string {
  const base = handleize(title);
  if (!shop.handles.has(base)) return base;
  let n = 1;
  while (shop.handles.has(`${base}-${n}`)) n += 1;
  return `${base}-${n}`;
}

const ADJECTIVES = ["Classic", "Everyday", "Organic", "Vintage", "Relaxed", "Slim", "Heavyweight", "Washed", "Soft"];
const NOUNS = ["Tee", "Hoodie", "Chinos", "Cap", "Tote Bag", "Socks", "Overshirt", "Beanie", "Mug", "Coffee Beans"];
const COLORS = ["Black", "White", "Sand", "Olive", "Navy", "Rust"];

/**
 * `count` plausible products, deterministic: each with a size or weight option, 1–4 variants, tags, a
 * picture and stock that is sometimes zero. Titles are unique (`… #n`), so handles are too.
 */
export function generateProducts(count: number, start = 1): ProductInput[] {
  const products: ProductInput[] = [];
  for (let i = start; i < start + count; i += 1) {
    const noun = NOUNS[i % NOUNS.length]!;
    const adjective = ADJECTIVES[Math.floor(i / NOUNS.length) % ADJECTIVES.length]!;
    const color = COLORS[i % COLORS.length]!;
    const sizes = noun === "Mug" || noun === "Tote Bag" || noun === "Cap" ? ["One size"] : ["S", "M", "L", "XL"];
    const variantCount = 1 + (i % Math.min(4, sizes.length));
    const base = 9 + (i % 40) * 1.5;
    products.push({
      title: `${adjective} ${color} ${noun} #${i}`,
      status: i % 50 === 0 ? "DRAFT" : "ACTIVE",
      vendor: "Tandem Generated",
      productType: noun,
      tags: [adjective.toLowerCase(), color.toLowerCase(), `batch-${Math.ceil(i / 1000)}`],
      descriptionHtml: `<p>A ${adjective.toLowerCase()} ${noun.toLowerCase()} in ${color.toLowerCase()}. Item number ${i}.</p>`,
      images: [{ url: `/_cdn/generated-${i % 24}.svg`, altText: `${color} ${noun}` }],
      variants: sizes.slice(0, variantCount).map((size, v) => ({
        title: size,
        sku: `GEN-${i}-${v + 1}`,
        price: (base + v * 2).toFixed(2),
        inventoryQuantity: (i + v) % 7 === 0 ? 0 : ((i * 7 + v * 3) % 40) + 1,
        options: { Size: size },
      })),
    });
  }
  return products;
}
