/**
 * Control API of the fake Shopify platform, for tests, the /simulator page and the demo in another
 * process (mounted at `{basePath}/_control/shopify`):
 *
 *   GET    /calls?since=&shop=                   recorded Admin API calls after seq `since` (tokens never included)
 *   GET    /apps | POST /apps                    {clientId, clientSecret, name?, scopes?, redirectUrls?, privacyWebhookUrl?}
 *   GET    /shops | POST /shops                  {domain, name, currencyCode?, primaryDomainUrl?, description?,
 *                                                contactEmail?, products?, generateProducts?}
 *   GET    /shops/:shop                          the shop with its throttle settings and product count
 *   PUT    /shops/:shop/throttle                 {maximumAvailable?, restoreRate?, maxQueryCost?, currentlyAvailable?}
 *   POST   /shops/:shop/tokens                   {clientId, accessToken?, scopes?, expiresInSeconds?} → {accessToken, expiresAt}
 *   DELETE /shops/:shop/tokens/:token            revoke one access or refresh token
 *   POST   /shops/:shop/tokens/:token/expire     make one access or refresh token expire now
 *   GET    /shops/:shop/tokens                   tokens the shop issued (the platform's view): {data, refreshTokens}
 *   GET    /shops/:shop/products?query=          products as stored (REST-ish view), optionally searched
 *   POST   /shops/:shop/products                 {title, …, variants[], silent?} → fires products/create
 *   POST   /shops/:shop/products/generate        {count} adds generated products silently
 *   PATCH  /shops/:shop/products/:id             {title?, status?, tags?, variants?[{id, price?, inventoryQuantity?, …}],
 *                                                silent?, duplicate?, forged?, triggeredAt?} → fires products/update
 *   DELETE /shops/:shop/products/:id             fires products/delete
 *   GET    /shops/:shop/subscriptions            webhook subscriptions the apps created
 *   POST   /shops/:shop/webhooks                 {topic, productId?, payload?, url?, clientId?, duplicate?, forged?,
 *                                                triggeredAt?, customer?} fires a webhook (to subscriptions or `url`)
 *   POST   /shops/:shop/uninstall                {clientId} sends app/uninstalled and revokes the app's tokens
 *   GET    /shops/:shop/bulk-operations          the shop's bulk operations
 *   GET    /deliveries?since=&shop=&topic=       webhook deliveries with their attempts and answers
 *   PUT    /settings                             {tokenTtlSeconds?, offlineTokenTtlSeconds?, refreshTokenTtlSeconds?,
 *                                                webhookRetryDelaysMs?, webhookTimeoutMs?, bulkDelayMs?, oauthPrompt?}
 *   POST   /faults                               {kind, on?, shop?, times?: n | "always", retryAfterSeconds?, delayMs?}
 *   DELETE /faults
 *   POST   /reset                                back to the seeded state
 */
import { Hono } from "hono";
import { z } from "zod";
import type { ShopifySimulator } from "./app.ts";
import { productPayload, shopPayload } from "./payloads.ts";
import { CURRENCY_CODES, gid } from "./schema.ts";
import { filterProducts } from "./search.ts";
import {
  PRIVACY_TOPICS,
  type ProductInput,
  SHOPIFY_FAULT_KINDS,
  SHOPIFY_FAULT_TARGETS,
  type SimProduct,
  type SimShop,
  WEBHOOK_TOPICS,
} from "./state.ts";

const Price = z
  .union([z.string().regex(/^\d+(\.\d{1,2})?$/, "a decimal such as 12.50"), z.number().nonnegative()])
  .transform(String);
const Domain = z.string().regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/, "must be a *.myshopify.com domain");

const VariantBody = z.object({
  title: z.string().min(1).optional(),
  sku: z.string().nullable().optional(),
  price: Price,
  compareAtPrice: Price.nullable().optional(),
  inventoryQuantity: z.number().int().optional(),
  inventoryPolicy: z.enum(["DENY", "CONTINUE"]).optional(),
  options: z.record(z.string(), z.string()).optional(),
});
const ImageBody = z.object({
  url: z.string().refine((u) => u.startsWith("/_cdn/") || /^https?:\/\//.test(u), "an http(s) URL or /_cdn/{name}.svg"),
  altText: z.string().nullable().optional(),
});
const ProductBody = z.object({
  title: z.string().min(1),
  handle: z
    .string()
    .regex(/^[a-z0-9\u0E00-\u0E7F][a-z0-9\u0E00-\u0E7F-]*$/)
    .optional(),
  status: z.enum(["ACTIVE", "DRAFT", "ARCHIVED"]).optional(),
  vendor: z.string().optional(),
  productType: z.string().optional(),
  tags: z.array(z.string()).optional(),
  descriptionHtml: z.string().optional(),
  images: z.array(ImageBody).optional(),
  variants: z.array(VariantBody).min(1).max(100).optional(),
});
const ShopBody = z.object({
  domain: Domain,
  name: z.string().min(1),
  currencyCode: z.enum(CURRENCY_CODES).optional(),
  primaryDomainUrl: z.string().url().optional(),
  description: z.string().nullable().optional(),
  contactEmail: z.string().email().optional(),
  products: z.array(ProductBody).optional(),
  generateProducts: z.number().int().min(0).max(100_000).optional(),
});
const AppBody = z.object({
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  name: z.string().min(1).optional(),
  scopes: z.array(z.string().min(1)).optional(),
  redirectUrls: z.array(z.string().url()).optional(),
  privacyWebhookUrl: z.string().url().optional(),
});
const TokenBody = z.object({
  clientId: z.string().min(1),
  accessToken: z.string().min(1).optional(),
  scopes: z.array(z.string().min(1)).optional(),
  expiresInSeconds: z.number().int().min(0).optional(),
});
const ThrottleBody = z.object({
  maximumAvailable: z.number().positive().optional(),
  restoreRate: z.number().min(0).optional(),
  maxQueryCost: z.number().int().positive().optional(),
  /** Set the bucket of every app on the shop to this many points now. */
  currentlyAvailable: z.number().min(0).optional(),
});
const SendBody = z.object({
  silent: z.boolean().optional(),
  duplicate: z.boolean().optional(),
  forged: z.boolean().optional(),
  triggeredAt: z.string().datetime().optional(),
});
const PatchBody = ProductBody.partial()
  .omit({ handle: true, variants: true })
  .extend({
    variants: z
      .array(
        VariantBody.partial().extend({
          id: z
            .union([z.number().int(), z.string().regex(/^(gid:\/\/shopify\/ProductVariant\/)?\d+$/)])
            .transform(numericId),
        }),
      )
      .optional(),
  })
  .merge(SendBody);
const WebhookBody = z.object({
  topic: z.enum([...WEBHOOK_TOPICS, ...PRIVACY_TOPICS]),
  productId: z.union([z.number().int(), z.string()]).transform(numericId).optional(),
  payload: z.record(z.string(), z.unknown()).optional(),
  url: z.string().url().optional(),
  clientId: z.string().min(1).optional(),
  duplicate: z.boolean().optional(),
  forged: z.boolean().optional(),
  triggeredAt: z.string().datetime().optional(),
  customer: z.object({ id: z.number().int(), email: z.string(), phone: z.string().nullable().optional() }).optional(),
});
const SettingsBody = z.object({
  tokenTtlSeconds: z
    .number()
    .int()
    .min(0)
    .max(10 * 86_400)
    .optional(),
  offlineTokenTtlSeconds: z
    .number()
    .int()
    .min(0)
    .max(10 * 86_400)
    .optional(),
  refreshTokenTtlSeconds: z
    .number()
    .int()
    .min(0)
    .max(365 * 86_400)
    .optional(),
  webhookRetryDelaysMs: z.array(z.number().int().min(0).max(600_000)).max(10).optional(),
  webhookTimeoutMs: z.number().int().min(1).max(60_000).optional(),
  bulkDelayMs: z.number().int().min(0).max(600_000).optional(),
  oauthPrompt: z.boolean().optional(),
});
const FaultBody = z.object({
  kind: z.enum(SHOPIFY_FAULT_KINDS),
  on: z.enum(SHOPIFY_FAULT_TARGETS).optional(),
  shop: Domain.optional(),
  times: z.union([z.number().int().positive(), z.literal("always")]).optional(),
  retryAfterSeconds: z.number().int().min(0).max(3600).optional(),
  delayMs: z.number().int().min(0).max(600_000).optional(),
});

function numericId(value: number | string): number {
  return typeof value === "number" ? value : Number(/(\d+)$/.exec(value)?.[1]);
}

/** A product as the control API and the /simulator page show it. */
export function productSummary(shop: SimShop, product: SimProduct) {
  return {
    id: product.id,
    gid: gid("Product", product.id),
    title: product.title,
    handle: product.handle,
    status: product.status,
    vendor: product.vendor,
    productType: product.productType,
    tags: product.tags,
    currencyCode: shop.currencyCode,
    updatedAt: product.updatedAt,
    variants: product.variants.map((variant) => ({
      id: variant.id,
      gid: gid("ProductVariant", variant.id),
      title: variant.title,
      sku: variant.sku,
      price: variant.price,
      compareAtPrice: variant.compareAtPrice,
      inventoryQuantity: variant.inventoryQuantity,
      inventoryPolicy: variant.inventoryPolicy,
    })),
  };
}

export function shopifyControl(shopify: ShopifySimulator): Hono {
  const { state } = shopify;
  const control = new Hono();
  const invalid = (error: z.ZodError) => ({
    error: { code: "invalid_input", message: "Invalid simulator control input", details: error.issues },
  });
  const notFound = (what: string) => ({ error: { code: "not_found", message: `Unknown ${what}` } });
  const parse = async <T extends z.ZodType>(schema: T, request: Request) =>
    schema.safeParse(await request.json().catch(() => null)) as z.ZodSafeParseResult<z.infer<T>>;
  const shopView = (shop: SimShop) => ({
    domain: shop.domain,
    name: shop.name,
    currencyCode: shop.currencyCode,
    primaryDomainUrl: shop.primaryDomainUrl,
    description: shop.description,
    contactEmail: shop.contactEmail,
    throttle: shop.throttle,
    productCount: shop.products.size,
  });

  control.use("*", async (c, next) => {
    const url = new URL(c.req.url);
    shopify.mountUrl(`${url.origin}${url.pathname.replace(/\/_control\/shopify(\/.*)?$/, "/shopify")}`);
    await next();
  });

  control.get("/calls", (c) => {
    const since = Number(c.req.query("since") ?? 0);
    const shop = c.req.query("shop");
    return c.json({ data: shopify.calls.filter((call) => call.seq > since && (!shop || call.shop === shop)) });
  });

  control.get("/apps", (c) => c.json({ data: [...state.apps.values()] }));
  control.post("/apps", async (c) => {
    const parsed = await parse(AppBody, c.req.raw);
    if (!parsed.success) return c.json(invalid(parsed.error), 400);
    return c.json(state.addApp(parsed.data), 201);
  });

  control.get("/shops", (c) => c.json({ data: [...state.shops.values()].map(shopView) }));
  control.post("/shops", async (c) => {
    const parsed = await parse(ShopBody, c.req.raw);
    if (!parsed.success) return c.json(invalid(parsed.error), 400);
    return c.json(shopView(state.addShop(parsed.data as Parameters<typeof state.addShop>[0])), 201);
  });
  control.get("/shops/:shop", (c) => {
    const shop = state.shops.get(c.req.param("shop"));
    return shop ? c.json(shopView(shop)) : c.json(notFound("shop"), 404);
  });
  control.put("/shops/:shop/throttle", async (c) => {
    const shop = state.shops.get(c.req.param("shop"));
    if (!shop) return c.json(notFound("shop"), 404);
    const parsed = await parse(ThrottleBody, c.req.raw);
    if (!parsed.success) return c.json(invalid(parsed.error), 400);
    const { currentlyAvailable, ...settings } = parsed.data;
    Object.assign(shop.throttle, Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)));
    for (const clientId of state.apps.keys()) {
      const bucket = state.bucket(shop, clientId);
      if (currentlyAvailable !== undefined)
        bucket.available = Math.min(currentlyAvailable, shop.throttle.maximumAvailable);
    }
    return c.json(shopView(shop));
  });

  control.get("/shops/:shop/tokens", (c) =>
    c.json({
      data: [...state.tokens.values()].filter((t) => t.shop === c.req.param("shop")),
      refreshTokens: [...state.refreshTokens.values()].filter((t) => t.shop === c.req.param("shop")),
    }),
  );
  control.post("/shops/:shop/tokens", async (c) => {
    const domain = c.req.param("shop");
    if (!state.shops.has(domain)) return c.json(notFound("shop"), 404);
    const parsed = await parse(TokenBody, c.req.raw);
    if (!parsed.success) return c.json(invalid(parsed.error), 400);
    if (!state.apps.has(parsed.data.clientId)) return c.json(notFound("app"), 404);
    const token = state.issueToken({ shop: domain, ...parsed.data }, "seeded");
    return c.json({ accessToken: token.token, scopes: token.scopes, expiresAt: token.expiresAt }, 201);
  });
  control.delete("/shops/:shop/tokens/:token", (c) => {
    const refresh = state.refreshTokens.get(c.req.param("token"));
    if (refresh && refresh.shop === c.req.param("shop")) {
      refresh.revoked = true;
      return c.body(null, 204);
    }
    const token = state.tokens.get(c.req.param("token"));
    if (!token || token.shop !== c.req.param("shop")) return c.json(notFound("token"), 404);
    state.tokens.delete(token.token);
    return c.body(null, 204);
  });
  control.post("/shops/:shop/tokens/:token/expire", (c) => {
    const token = state.tokens.get(c.req.param("token")) ?? state.refreshTokens.get(c.req.param("token"));
    if (!token || token.shop !== c.req.param("shop")) return c.json(notFound("token"), 404);
    token.expiresAt = state.now();
    return c.json({ expiresAt: token.expiresAt });
  });

  control.get("/shops/:shop/products", (c) => {
    const shop = state.shops.get(c.req.param("shop"));
    if (!shop) return c.json(notFound("shop"), 404);
    const products = filterProducts(shop.products.values(), c.req.query("query"));
    return c.json({ data: products.map((product) => productSummary(shop, product)) });
  });
  control.post("/shops/:shop/products", async (c) => {
    const shop = state.shops.get(c.req.param("shop"));
    if (!shop) return c.json(notFound("shop"), 404);
    const parsed = await parse(ProductBody.merge(SendBody), c.req.raw);
    if (!parsed.success) return c.json(invalid(parsed.error), 400);
    const { silent, duplicate: _d, forged: _f, triggeredAt: _t, ...input } = parsed.data;
    const product = shopify.createProduct(shop.domain, input as ProductInput, { silent });
    return c.json(productSummary(shop, product), 201);
  });
  control.post("/shops/:shop/products/generate", async (c) => {
    const shop = state.shops.get(c.req.param("shop"));
    if (!shop) return c.json(notFound("shop"), 404);
    const parsed = await parse(z.object({ count: z.number().int().min(1).max(100_000) }), c.req.raw);
    if (!parsed.success) return c.json(invalid(parsed.error), 400);
    state.addGeneratedProducts(shop, parsed.data.count);
    return c.json({ productCount: shop.products.size }, 201);
  });
  control.patch("/shops/:shop/products/:id", async (c) => {
    const shop = state.shops.get(c.req.param("shop"));
    const id = numericId(c.req.param("id"));
    const product = shop?.products.get(id);
    if (!shop || !product) return c.json(notFound(shop ? "product" : "shop"), 404);
    const parsed = await parse(PatchBody, c.req.raw);
    if (!parsed.success) return c.json(invalid(parsed.error), 400);
    const { silent, duplicate, forged, triggeredAt, ...patch } = parsed.data;
    const unknown = patch.variants?.find((v) => !product.variants.some((existing) => existing.id === v.id));
    if (unknown) return c.json(notFound(`variant ${unknown.id}`), 404);
    const updated = shopify.updateProduct(shop.domain, id, patch, { silent, duplicate, forged, triggeredAt });
    return c.json(productSummary(shop, updated));
  });
  control.delete("/shops/:shop/products/:id", (c) => {
    const shop = state.shops.get(c.req.param("shop"));
    if (!shop) return c.json(notFound("shop"), 404);
    const silent = c.req.query("silent") === "1" || c.req.query("silent") === "true";
    return shopify.deleteProduct(shop.domain, numericId(c.req.param("id")), { silent })
      ? c.body(null, 204)
      : c.json(notFound("product"), 404);
  });

  control.get("/shops/:shop/subscriptions", (c) =>
    c.json({ data: state.subscriptions.filter((s) => s.shop === c.req.param("shop")) }),
  );
  control.get("/shops/:shop/bulk-operations", (c) =>
    c.json({
      data: [...state.bulkOperations.values()]
        .filter((op) => op.shop === c.req.param("shop"))
        .map(({ result: _result, ...op }) => op),
    }),
  );

  control.post("/shops/:shop/webhooks", async (c) => {
    const shop = state.shops.get(c.req.param("shop"));
    if (!shop) return c.json(notFound("shop"), 404);
    const parsed = await parse(WebhookBody, c.req.raw);
    if (!parsed.success) return c.json(invalid(parsed.error), 400);
    const { topic, productId, payload, customer, ...options } = parsed.data;
    if ((PRIVACY_TOPICS as readonly string[]).includes(topic)) {
      const clientId =
        options.clientId ??
        state.subscriptions.find((s) => s.shop === shop.domain)?.clientId ??
        [...state.apps.keys()][0];
      if (!clientId)
        return c.json(
          { error: { code: "invalid_input", message: "Give clientId: no app is subscribed on this shop" } },
          400,
        );
      const deliveries = shopify.privacy(shop.domain, topic as (typeof PRIVACY_TOPICS)[number], {
        ...options,
        clientId,
        ...(customer ? { customer } : {}),
      });
      return c.json({ data: deliveries }, 202);
    }
    let body: unknown = payload;
    if (!body && productId !== undefined) {
      const product = shop.products.get(productId);
      if (!product && topic !== "products/delete") return c.json(notFound("product"), 404);
      body = topic === "products/delete" ? { id: productId } : productPayload(product!, shopify.mountUrl());
    }
    if (!body && topic === "app/uninstalled") {
      body = shopPayload(shop);
    }
    if (!body)
      return c.json({ error: { code: "invalid_input", message: "Give payload or productId for this topic" } }, 400);
    return c.json({ data: shopify.emit(shop.domain, topic, body, options) }, 202);
  });
  control.post("/shops/:shop/uninstall", async (c) => {
    const shop = state.shops.get(c.req.param("shop"));
    if (!shop) return c.json(notFound("shop"), 404);
    const parsed = await parse(z.object({ clientId: z.string().min(1) }), c.req.raw);
    if (!parsed.success) return c.json(invalid(parsed.error), 400);
    return c.json({ data: shopify.uninstall(shop.domain, parsed.data.clientId) }, 202);
  });

  control.get("/deliveries", (c) => {
    const since = Number(c.req.query("since") ?? 0);
    const shop = c.req.query("shop");
    const topic = c.req.query("topic");
    return c.json({
      data: shopify.webhooks.deliveries.filter(
        (d) => d.seq > since && (!shop || d.shop === shop) && (!topic || d.topic === topic),
      ),
    });
  });

  control.put("/settings", async (c) => {
    const parsed = await parse(SettingsBody, c.req.raw);
    if (!parsed.success) return c.json(invalid(parsed.error), 400);
    Object.assign(state.settings, Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined)));
    return c.json(state.settings);
  });
  control.post("/faults", async (c) => {
    const parsed = await parse(FaultBody, c.req.raw);
    if (!parsed.success) return c.json(invalid(parsed.error), 400);
    const { times, on, ...fault } = parsed.data;
    state.faults.push({
      ...fault,
      on: on ?? "graphql",
      times: times === "always" ? Number.POSITIVE_INFINITY : (times ?? 1),
    });
    return c.body(null, 204);
  });
  control.delete("/faults", (c) => {
    state.faults = [];
    return c.body(null, 204);
  });
  control.post("/reset", (c) => {
    shopify.reset();
    return c.body(null, 204);
  });
  return control;
}
