/**
 * A fake Shopify Admin API as one Hono app, addressed per shop like Tandem addresses Shopify with
 * `SHOPIFY_API_URL={mount}` (`{mount}/{shopDomain}` stands for `https://{shopDomain}`):
 *
 *   POST {mount}/{shop}/admin/api/{version}/graphql.json   GraphQL Admin API (X-Shopify-Access-Token)
 *   POST {mount}/{shop}/admin/oauth/access_token           client-credentials grant, authorization-code exchange
 *                                                          (`expiring=1`: an expiring offline token and a
 *                                                          refresh token), refresh grant
 *   GET  {mount}/{shop}/admin/oauth/authorize              OAuth install: redirects back with code + hmac
 *   GET  {mount}/{shop}/admin/oauth/access_scopes.json     the token's scopes (REST)
 *   GET  {mount}/_bulk/{id}.jsonl                          bulk operation results (unauthenticated, like
 *                                                          Shopify's signed storage URLs)
 *   GET  {mount}/_cdn/{name}.svg                           product pictures of the demo catalog
 *
 * GraphQL answers carry `extensions.cost` with a leaky bucket per app and shop; a query the bucket
 * cannot pay for gets `THROTTLED` (HTTP 200, as Shopify does). Every call is recorded (never the token).
 */
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { execute, type GraphQLError, type GraphQLFormattedError, parse, validate } from "graphql";
import type { Context } from "hono";
import { Hono } from "hono";
import { checkBulkQuery, runBulkQuery } from "./bulk.ts";
import { operationOf, queryCost } from "./cost.ts";
import { productImageSvg } from "./images.ts";
import {
  bulkFinishPayload,
  customersDataRequestPayload,
  customersRedactPayload,
  inventoryLevelPayload,
  productPayload,
  shopPayload,
  shopRedactPayload,
} from "./payloads.ts";
import { type GraphqlContext, rootValue, schema } from "./schema.ts";
import {
  money,
  type PRIVACY_TOPICS,
  type ProductInput,
  type RefreshRefusal,
  type ShopifyFault,
  ShopifyState,
  type ShopifyStateSeed,
  type ShopifyTopic,
  type SimBulkOperation,
  type SimProduct,
  type SimRefreshToken,
  type SimShop,
  type SimToken,
  type VariantInput,
} from "./state.ts";
import { type SendOptions, type WebhookDelivery, WebhookSender, type WebhookTarget } from "./webhooks.ts";

/** The API version webhooks are sent with and the default of the mount (Tandem pins the same one). */
export const SIM_SHOPIFY_API_VERSION = "2026-10";

/** The token endpoint's answer for an expiring offline token (the code exchange with `expiring=1`, the refresh grant). */
function expiringTokenAnswer({ access, refresh }: { access: SimToken; refresh: SimRefreshToken }, now: number) {
  const seconds = (at: number | null) => Math.max(0, Math.round(((at ?? 0) - now) / 1000));
  return {
    access_token: access.token,
    scope: access.scopes.join(","),
    expires_in: seconds(access.expiresAt),
    refresh_token: refresh.token,
    refresh_token_expires_in: seconds(refresh.expiresAt),
  };
}

const REFRESH_REFUSALS: Record<RefreshRefusal, string> = {
  unknown: "The refresh token is invalid",
  expired: "The refresh token has expired",
  revoked: "The refresh token has been revoked",
  retired: "The refresh token was already replaced by a newer one",
};

export const INVALID_TOKEN_MESSAGE = "[API] Invalid API key or access token (unrecognized login or wrong password)";

export interface ShopifySimulatorOptions extends ShopifyStateSeed {
  now?: () => number;
  /** How webhooks are POSTed; default global `fetch` (real HTTP). */
  fetch?: (request: Request) => Response | Promise<Response>;
  /**
   * The mount's public address (`https://app.example/_simulator/shopify`), for image and bulk file
   * URLs and webhook payloads; default: derived from each request.
   */
  publicUrl?: string;
  /** The oldest calls are dropped beyond this many (default 5000). */
  maxCalls?: number;
}

export interface ShopifyCall {
  seq: number;
  shop: string;
  kind: "graphql" | "oauth" | "rest";
  method: string;
  path: string;
  apiVersion?: string;
  operationName?: string | null;
  query?: string;
  variables?: unknown;
  /** The app whose token (or client id) was used, if known. */
  clientId?: string;
  /** A token request's grant: `client_credentials`, `authorization_code` or `refresh_token`. */
  grant?: string;
  status?: number;
  cost?: { requested: number; actual: number | null; available: number };
  throttled?: boolean;
  /** Codes of GraphQL errors in the answer (`THROTTLED`, `ACCESS_DENIED`, `MAX_COST_EXCEEDED`, …). */
  errorCodes?: string[];
  time: number;
}

export interface ProductPatch {
  title?: string;
  status?: SimProduct["status"];
  vendor?: string;
  productType?: string;
  tags?: string[];
  descriptionHtml?: string;
  images?: ProductInput["images"];
  /** Variants to change, by id; `price` / `inventoryQuantity` / `compareAtPrice` / `sku` / `title`. */
  variants?: (Partial<Omit<VariantInput, "options">> & { id: number })[];
}

export interface EmitOptions extends SendOptions {
  /** Send to this URL instead of the subscriptions (signed with `clientId`'s secret). */
  url?: string;
  clientId?: string;
}

export interface ShopifySimulator {
  app: Hono;
  state: ShopifyState;
  calls: ShopifyCall[];
  webhooks: WebhookSender;
  /** Sends `topic` to the shop's subscriptions for it (or `options.url`); returns the deliveries started. */
  emit(shop: string, topic: ShopifyTopic, payload: unknown, options?: EmitOptions): WebhookDelivery[];
  /** Adds a product; fires `products/create` unless `silent`. */
  createProduct(shop: string, input: ProductInput, options?: { silent?: boolean }): SimProduct;
  /** Changes a product; fires `products/update` (and `inventory_levels/update` per changed stock) unless `silent`. */
  updateProduct(
    shop: string,
    id: number,
    patch: ProductPatch,
    options?: { silent?: boolean } & SendOptions,
  ): SimProduct;
  /** Removes a product; fires `products/delete` unless `silent`. */
  deleteProduct(shop: string, id: number, options?: { silent?: boolean }): boolean;
  /** Revokes the app's tokens on the shop and sends `app/uninstalled` to its subscriptions first. */
  uninstall(shop: string, clientId: string): WebhookDelivery[];
  /** Sends a mandatory privacy webhook to the app's privacy URL (or `options.url`, or its subscription URLs). */
  privacy(
    shop: string,
    topic: (typeof PRIVACY_TOPICS)[number],
    input: { clientId: string; customer?: { id: number; email: string; phone?: string | null } } & EmitOptions,
  ): WebhookDelivery[];
  /**
   * The mount's public address: `publicUrl`, else as last seen in a request; `seen` (from the control
   * API) updates it when no `publicUrl` is set.
   */
  mountUrl(seen?: string): string;
  reset(): void;
}

export function createShopifySimulator(options: ShopifySimulatorOptions = {}): ShopifySimulator {
  const state = new ShopifyState(options, options.now);
  const webhooks = new WebhookSender(state, SIM_SHOPIFY_API_VERSION, options.fetch);
  const calls: ShopifyCall[] = [];
  const maxCalls = options.maxCalls ?? 5_000;
  let seq = 0;
  let seenMountUrl = options.publicUrl?.replace(/\/+$/, "") ?? "http://127.0.0.1/shopify";
  const bulkTimers = new Set<ReturnType<typeof setTimeout>>();
  const app = new Hono();

  const mountFrom = (c: Context, shop?: string): string => {
    if (options.publicUrl) return seenMountUrl;
    const url = new URL(c.req.url);
    const marker = shop ? `/${shop}/` : "/_";
    const index = url.pathname.indexOf(marker);
    seenMountUrl = `${url.origin}${url.pathname.slice(0, Math.max(0, index))}`;
    return seenMountUrl;
  };

  const record = (call: Omit<ShopifyCall, "seq" | "time">): ShopifyCall => {
    const full: ShopifyCall = { seq: ++seq, time: state.now(), ...call };
    calls.push(full);
    if (calls.length > maxCalls) calls.splice(0, calls.length - maxCalls);
    return full;
  };

  const getShop = (domain: string): SimShop => {
    const shop = state.shops.get(domain);
    if (!shop) throw new Error(`Unknown shop ${domain}`);
    return shop;
  };

  const targetsFor = (shop: string, topic: ShopifyTopic, opts: EmitOptions): WebhookTarget[] => {
    if (opts.url) {
      const clientId =
        opts.clientId ??
        state.subscriptions.find((s) => s.shop === shop)?.clientId ??
        [...state.tokens.values()].find((t) => t.shop === shop)?.clientId ??
        [...state.apps.keys()][0] ??
        "";
      return [{ url: opts.url, clientId }];
    }
    return state.subscriptions
      .filter((s) => s.shop === shop && s.topic === topic && (!opts.clientId || s.clientId === opts.clientId))
      .map((s) => ({ url: s.uri, clientId: s.clientId }));
  };

  const emit: ShopifySimulator["emit"] = (shop, topic, payload, opts = {}) =>
    webhooks.send(shop, topic, payload, targetsFor(shop, topic, opts), opts);

  // ---- bulk operations ----

  const startBulk: GraphqlContext["startBulk"] = (context, query) => {
    const running = [...state.bulkOperations.values()].find(
      (op) =>
        op.shop === context.shop.domain &&
        op.clientId === context.token.clientId &&
        (op.status === "CREATED" || op.status === "RUNNING"),
    );
    if (running) {
      return {
        error: {
          field: null,
          message: `A bulk query operation for this app and shop is already in progress: gid://shopify/BulkOperation/${running.id}.`,
          code: "OPERATION_IN_PROGRESS",
        },
      };
    }
    const checked = checkBulkQuery(query);
    if ("error" in checked) return { error: checked.error };
    const operation: SimBulkOperation = {
      id: state.newId(),
      shop: context.shop.domain,
      clientId: context.token.clientId,
      query,
      status: "CREATED",
      errorCode: null,
      objectCount: 0,
      rootObjectCount: 0,
      fileSize: 0,
      createdAt: state.iso(),
      completedAt: null,
      url: null,
      result: null,
    };
    state.bulkOperations.set(operation.id, operation);
    const mountUrl = context.mountUrl;
    const timer = setTimeout(async () => {
      bulkTimers.delete(timer);
      if (operation.status !== "CREATED") return;
      operation.status = "RUNNING";
      const result = await runBulkQuery(context, checked.document);
      if ((operation.status as string) === "CANCELED") return;
      operation.completedAt = state.iso();
      operation.objectCount = result.objectCount;
      operation.rootObjectCount = result.rootObjectCount;
      if (result.errorCode) {
        operation.status = "FAILED";
        operation.errorCode = result.errorCode;
      } else {
        operation.status = "COMPLETED";
        operation.result = result.jsonl;
        operation.fileSize = Buffer.byteLength(result.jsonl);
        operation.url = result.objectCount ? `${mountUrl}/_bulk/${operation.id}.jsonl` : null;
      }
      emit(operation.shop, "bulk_operations/finish", bulkFinishPayload(operation), { clientId: operation.clientId });
    }, state.settings.bulkDelayMs);
    bulkTimers.add(timer);
    return { operation };
  };

  const cancelBulk: GraphqlContext["cancelBulk"] = (_context, operation) => {
    operation.status = "CANCELED";
    operation.completedAt = state.iso();
    emit(operation.shop, "bulk_operations/finish", bulkFinishPayload(operation), { clientId: operation.clientId });
  };

  // ---- HTTP: static files ----

  app.get("/_cdn/:file", (c) => {
    const file = c.req.param("file");
    if (!/^[\w-]+\.svg$/.test(file)) return c.json({ errors: "Not Found" }, 404);
    return c.body(productImageSvg(file), 200, {
      "content-type": "image/svg+xml",
      "cache-control": "public, max-age=86400",
    });
  });

  app.get("/_bulk/:file", (c) => {
    const id = Number(/^(\d+)\.jsonl$/.exec(c.req.param("file"))?.[1]);
    const operation = state.bulkOperations.get(id);
    if (!operation?.result) return c.text("Not Found", 404);
    return c.body(operation.result, 200, { "content-type": "application/jsonl" });
  });

  // ---- HTTP: per shop ----

  const json = (c: Context, body: unknown, status: number, headers: Record<string, string> = {}) =>
    c.body(JSON.stringify(body), status as 200, { "content-type": "application/json; charset=utf-8", ...headers });

  const applyFault = async (c: Context, fault: ShopifyFault | undefined, call: ShopifyCall) => {
    if (!fault) return null;
    if (fault.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    switch (fault.kind) {
      case "http_429":
        call.status = 429;
        call.throttled = true;
        return json(c, { errors: [{ message: "Throttled", extensions: { code: "THROTTLED" } }] }, 429, {
          "retry-after": String(fault.retryAfterSeconds ?? 2),
        });
      case "http_500":
        call.status = 500;
        return json(c, { errors: "Internal Server Error" }, 500);
      case "http_502":
        call.status = 502;
        return c.text("Bad Gateway", 502);
      case "http_503":
        call.status = 503;
        return json(c, { errors: "Service Unavailable" }, 503, { "retry-after": "1" });
      default:
        return null;
    }
  };

  const readParams = async (c: Context): Promise<Record<string, string>> => {
    const type = c.req.header("content-type") ?? "";
    const raw = await c.req.text();
    const params: Record<string, string> = Object.fromEntries(new URL(c.req.url).searchParams);
    if (type.includes("application/json")) {
      try {
        const body = JSON.parse(raw) as Record<string, unknown>;
        for (const [key, value] of Object.entries(body)) if (value != null) params[key] = String(value);
      } catch {
        // treated as missing parameters
      }
    } else if (raw) {
      for (const [key, value] of new URLSearchParams(raw)) params[key] = value;
    }
    return params;
  };

  app.post("/:shop/admin/api/:version/graphql.json", async (c) => {
    const domain = c.req.param("shop");
    const version = c.req.param("version");
    const call = record({
      shop: domain,
      kind: "graphql",
      method: "POST",
      path: `/admin/api/${version}/graphql.json`,
      apiVersion: version,
    });
    const shop = state.shops.get(domain);
    if (!shop || !/^(\d{4}-\d{2}|unstable)$/.test(version)) {
      call.status = 404;
      return json(c, { errors: "Not Found" }, 404);
    }
    const token = state.validToken(domain, c.req.header("x-shopify-access-token")?.trim());
    if (!token) {
      call.status = 401;
      return json(c, { errors: INVALID_TOKEN_MESSAGE }, 401);
    }
    call.clientId = token.clientId;
    const fault = state.takeFault("graphql", domain);
    const faulted = await applyFault(c, fault, call);
    if (faulted) return faulted;

    let body: { query?: unknown; variables?: unknown; operationName?: unknown };
    const type = c.req.header("content-type") ?? "";
    const raw = await c.req.text();
    try {
      body = type.includes("application/graphql") ? { query: raw } : (JSON.parse(raw) as typeof body);
    } catch {
      body = {};
    }
    if (typeof body.query !== "string" || !body.query.trim()) {
      call.status = 400;
      return json(c, { errors: { query: "Required parameter missing or invalid" } }, 400);
    }
    const variables = (body.variables && typeof body.variables === "object" ? body.variables : {}) as Record<
      string,
      unknown
    >;
    const operationName = typeof body.operationName === "string" ? body.operationName : null;
    call.query = body.query;
    call.variables = variables;
    call.operationName = operationName;
    const headers = { "x-shopify-api-version": version, "x-request-id": randomUUID() };
    const answer = (payload: { errors?: GraphQLFormattedError[]; data?: unknown; extensions?: unknown }) => {
      call.status = 200;
      call.errorCodes = (payload.errors ?? []).map((e) => String(e.extensions?.code ?? "GRAPHQL_ERROR"));
      return json(c, payload, 200, headers);
    };

    let document: ReturnType<typeof parse>;
    try {
      document = parse(body.query);
    } catch (error) {
      return answer({ errors: [(error as GraphQLError).toJSON()] });
    }
    const validationErrors = validate(schema, document);
    if (validationErrors.length) return answer({ errors: validationErrors.map((e) => e.toJSON()) });
    const operation = operationOf(document, operationName);
    if (!operation) return answer({ errors: [{ message: `Unknown operation named "${operationName}".` }] });

    let requested: number;
    try {
      requested = queryCost(schema, document, operation, variables);
    } catch (error) {
      return answer({ errors: [{ message: (error as Error).message, extensions: { code: "BAD_USER_INPUT" } }] });
    }
    const throttleStatus = (available: number) => ({
      maximumAvailable: shop.throttle.maximumAvailable,
      currentlyAvailable: Math.floor(available),
      restoreRate: shop.throttle.restoreRate,
    });
    const bucket = state.bucket(shop, token.clientId);
    if (requested > shop.throttle.maxQueryCost) {
      call.cost = { requested, actual: null, available: bucket.available };
      return answer({
        errors: [
          {
            message: `Query cost is ${requested}, which exceeds the single query max cost limit (${shop.throttle.maxQueryCost}). Ask for fewer nodes per page, or use a bulk operation.`,
            extensions: { code: "MAX_COST_EXCEEDED", cost: requested, maxCost: shop.throttle.maxQueryCost },
          },
        ],
        extensions: {
          cost: {
            requestedQueryCost: requested,
            actualQueryCost: null,
            throttleStatus: throttleStatus(bucket.available),
          },
        },
      });
    }
    if (requested > bucket.available || fault?.kind === "throttled") {
      call.throttled = true;
      call.cost = { requested, actual: null, available: bucket.available };
      return answer({
        errors: [
          {
            message: "Throttled",
            extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" },
          },
        ],
        extensions: {
          cost: {
            requestedQueryCost: requested,
            actualQueryCost: null,
            throttleStatus: throttleStatus(bucket.available),
          },
        },
      });
    }
    bucket.available -= requested;

    const context: GraphqlContext = {
      state,
      shop,
      token,
      apiVersion: version,
      mountUrl: mountFrom(c, domain),
      bulk: false,
      startBulk,
      cancelBulk,
    };
    const result = await execute({
      schema,
      document,
      rootValue,
      contextValue: context,
      variableValues: variables,
      operationName,
    });
    const actual = Math.min(
      requested,
      queryCost(schema, document, operation, variables, (result.data ?? null) as Record<string, unknown> | null),
    );
    bucket.available += requested - actual;
    call.cost = { requested, actual, available: bucket.available };
    return answer({
      ...(result.errors ? { errors: result.errors.map((e) => e.toJSON()) } : {}),
      data: result.data ?? null,
      extensions: {
        cost: {
          requestedQueryCost: requested,
          actualQueryCost: actual,
          throttleStatus: throttleStatus(bucket.available),
        },
      },
    });
  });

  app.get("/:shop/admin/oauth/access_scopes.json", (c) => {
    const domain = c.req.param("shop");
    const call = record({ shop: domain, kind: "rest", method: "GET", path: "/admin/oauth/access_scopes.json" });
    const token = state.validToken(domain, c.req.header("x-shopify-access-token")?.trim());
    if (!state.shops.has(domain)) {
      call.status = 404;
      return json(c, { errors: "Not Found" }, 404);
    }
    if (!token) {
      call.status = 401;
      return json(c, { errors: INVALID_TOKEN_MESSAGE }, 401);
    }
    call.clientId = token.clientId;
    call.status = 200;
    return json(c, { access_scopes: token.scopes.map((handle) => ({ handle })) }, 200);
  });

  app.post("/:shop/admin/oauth/access_token", async (c) => {
    const domain = c.req.param("shop");
    const params = await readParams(c);
    const call = record({
      shop: domain,
      kind: "oauth",
      method: "POST",
      path: "/admin/oauth/access_token",
      clientId: params.client_id,
    });
    const fail = (status: number, error: string, description: string) => {
      call.status = status;
      return json(c, { error, error_description: description }, status);
    };
    if (!state.shops.has(domain)) {
      call.status = 404;
      return json(c, { errors: "Not Found" }, 404);
    }
    const faulted = await applyFault(c, state.takeFault("oauth", domain), call);
    if (faulted) return faulted;
    const appRecord = params.client_id ? state.apps.get(params.client_id) : undefined;
    if (!params.client_id || !params.client_secret)
      return fail(400, "invalid_request", "client_id and client_secret are required");
    if (!appRecord || appRecord.clientSecret !== params.client_secret) {
      return fail(401, "invalid_client", "Client authentication failed: unknown client or wrong client secret");
    }
    const grant = params.grant_type ?? (params.code ? "authorization_code" : "");
    call.grant = grant;
    if (grant === "client_credentials") {
      const issued = state.issueToken(
        { shop: domain, clientId: appRecord.clientId, expiresInSeconds: state.settings.tokenTtlSeconds },
        "client_credentials",
      );
      call.status = 200;
      return json(
        c,
        { access_token: issued.token, scope: issued.scopes.join(","), expires_in: state.settings.tokenTtlSeconds },
        200,
      );
    }
    if (grant === "authorization_code") {
      const code = params.code ? state.codes.get(params.code) : undefined;
      if (!code || code.shop !== domain || code.clientId !== appRecord.clientId || code.expiresAt <= state.now()) {
        return fail(400, "invalid_request", "The authorization code was not found or was already used");
      }
      state.codes.delete(params.code!);
      const owner = { shop: domain, clientId: appRecord.clientId, scopes: code.scopes };
      call.status = 200;
      // `expiring=1`: an offline token that lasts an hour, with a refresh token; without it, one that never expires.
      if (params.expiring === "1")
        return json(c, expiringTokenAnswer(state.issueExpiringToken(owner, grant), state.now()), 200);
      const issued = state.issueToken(owner, "authorization_code");
      return json(c, { access_token: issued.token, scope: issued.scopes.join(",") }, 200);
    }
    if (grant === "refresh_token") {
      if (!params.refresh_token) return fail(400, "invalid_request", "refresh_token is required");
      const refreshed = state.refresh(domain, appRecord.clientId, params.refresh_token);
      if ("refused" in refreshed) return fail(400, "invalid_grant", REFRESH_REFUSALS[refreshed.refused]);
      call.status = 200;
      return json(c, expiringTokenAnswer(refreshed, state.now()), 200);
    }
    return fail(
      400,
      "unsupported_grant_type",
      `grant_type must be client_credentials or refresh_token, or give a code`,
    );
  });

  const authorizeRedirect = (
    shopDomain: string,
    params: Record<string, string>,
    clientSecret: string,
    scopes: string[],
  ) => {
    const code = randomBytes(16).toString("hex");
    state.codes.set(code, { shop: shopDomain, clientId: params.client_id!, scopes, expiresAt: state.now() + 600_000 });
    const query: Record<string, string> = {
      code,
      host: Buffer.from(`admin.shopify.com/store/${shopDomain.replace(/\.myshopify\.com$/, "")}`).toString("base64url"),
      shop: shopDomain,
      timestamp: String(Math.floor(state.now() / 1000)),
    };
    if (params.state !== undefined) query.state = params.state;
    const hmac = shopifyQueryHmac(clientSecret, query);
    const url = new URL(params.redirect_uri!);
    for (const [key, value] of Object.entries({ ...query, hmac })) url.searchParams.set(key, value);
    return url.toString();
  };

  const authorize = async (c: Context, approved: boolean) => {
    const domain = c.req.param("shop")!;
    const params = c.req.method === "GET" ? Object.fromEntries(new URL(c.req.url).searchParams) : await readParams(c);
    const call = record({
      shop: domain,
      kind: "oauth",
      method: c.req.method,
      path: "/admin/oauth/authorize",
      clientId: params.client_id,
    });
    const page = (status: number, text: string) => {
      call.status = status;
      return c.html(
        `<!doctype html><title>Shopify</title><body><h1>Oauth error</h1><p>${escapeHtml(text)}</p></body>`,
        status as 400,
      );
    };
    if (!state.shops.has(domain)) return page(404, "There's no store at this address.");
    const appRecord = params.client_id ? state.apps.get(params.client_id) : undefined;
    if (!appRecord) return page(400, "invalid_request: The client_id is unknown.");
    if (!params.redirect_uri) return page(400, "invalid_request: The redirect_uri is missing.");
    if (appRecord.redirectUrls.length && !appRecord.redirectUrls.includes(params.redirect_uri)) {
      return page(400, "invalid_request: The redirect_uri is not whitelisted.");
    }
    const scopes = (params.scope ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    const granted = scopes.length ? scopes : appRecord.scopes;
    if (state.settings.oauthPrompt && !approved) {
      call.status = 200;
      const hidden = Object.entries(params)
        .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
        .join("");
      return c.html(
        `<!doctype html><title>Install ${escapeHtml(appRecord.name)}</title><body style="font-family:sans-serif;max-width:32rem;margin:4rem auto">` +
          `<h1>Install ${escapeHtml(appRecord.name)}</h1><p>${escapeHtml(appRecord.name)} will be able to: ${escapeHtml(granted.join(", "))} on ${escapeHtml(domain)}.</p>` +
          `<form method="post">${hidden}<button type="submit">Install app</button></form></body>`,
      );
    }
    call.status = 302;
    return c.redirect(authorizeRedirect(domain, params, appRecord.clientSecret, granted), 302);
  };
  app.get("/:shop/admin/oauth/authorize", (c) => authorize(c, false));
  app.post("/:shop/admin/oauth/authorize", (c) => authorize(c, true));

  app.all("/:shop/*", (c) => {
    record({ shop: c.req.param("shop"), kind: "rest", method: c.req.method, path: c.req.path, status: 404 });
    return json(c, { errors: "Not Found" }, 404);
  });

  // ---- verbs used by the control API and in-process callers ----

  const notifyProduct = (
    shop: SimShop,
    topic: ShopifyTopic,
    product: SimProduct,
    opts: SendOptions = {},
    oldQuantities?: Map<number, number>,
  ) =>
    emit(
      shop.domain,
      topic,
      topic === "products/delete" ? { id: product.id } : productPayload(product, seenMountUrl, oldQuantities),
      opts,
    );

  const simulator: ShopifySimulator = {
    app,
    state,
    calls,
    webhooks,
    emit,
    mountUrl: (seen) => {
      if (seen && !options.publicUrl) seenMountUrl = seen;
      return seenMountUrl;
    },
    createProduct(domain, input, opts = {}) {
      const shop = getShop(domain);
      const product = state.addProduct(shop, input);
      if (!opts.silent) notifyProduct(shop, "products/create", product);
      return product;
    },
    updateProduct(domain, id, patch, opts = {}) {
      const shop = getShop(domain);
      const product = shop.products.get(id);
      if (!product) throw new Error(`Unknown product ${id}`);
      for (const change of patch.variants ?? []) {
        if (!product.variants.some((v) => v.id === change.id)) throw new Error(`Unknown variant ${change.id}`);
      }
      const at = state.iso();
      const stockChanges: { inventoryItemId: number; available: number }[] = [];
      const oldQuantities = new Map<number, number>();
      const { variants, images, ...fields } = patch;
      Object.assign(product, Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)));
      if (images)
        product.images = images.map((image) => ({ id: state.newId(), url: image.url, altText: image.altText ?? null }));
      for (const change of variants ?? []) {
        const variant = product.variants.find((v) => v.id === change.id)!;
        if (change.price !== undefined) variant.price = money(change.price);
        if (change.compareAtPrice !== undefined)
          variant.compareAtPrice = change.compareAtPrice ? money(change.compareAtPrice) : null;
        if (change.sku !== undefined) variant.sku = change.sku;
        if (change.title !== undefined) variant.title = change.title;
        if (change.inventoryPolicy !== undefined) variant.inventoryPolicy = change.inventoryPolicy;
        if (change.inventoryQuantity !== undefined && change.inventoryQuantity !== variant.inventoryQuantity) {
          oldQuantities.set(variant.id, variant.inventoryQuantity);
          variant.inventoryQuantity = change.inventoryQuantity;
          stockChanges.push({ inventoryItemId: variant.inventoryItemId, available: change.inventoryQuantity });
        }
        variant.updatedAt = at;
      }
      product.updatedAt = at;
      if (!opts.silent) {
        for (const change of stockChanges) {
          emit(domain, "inventory_levels/update", inventoryLevelPayload(change.inventoryItemId, change.available, at));
        }
        notifyProduct(shop, "products/update", product, opts, oldQuantities);
      }
      return product;
    },
    deleteProduct(domain, id, opts = {}) {
      const shop = getShop(domain);
      const product = state.removeProduct(shop, id);
      if (!product) return false;
      if (!opts.silent) notifyProduct(shop, "products/delete", product);
      return true;
    },
    uninstall(domain, clientId) {
      const shop = getShop(domain);
      const deliveries = emit(domain, "app/uninstalled", shopPayload(shop), { clientId });
      state.revokeApp(domain, clientId);
      state.subscriptions = state.subscriptions.filter((s) => !(s.shop === domain && s.clientId === clientId));
      return deliveries;
    },
    privacy(domain, topic, input) {
      const shop = getShop(domain);
      const customer = {
        id: input.customer?.id ?? 9_100_000_000_001,
        email: input.customer?.email ?? "customer@example.com",
        phone: input.customer?.phone ?? null,
      };
      const payload =
        topic === "customers/data_request"
          ? customersDataRequestPayload(shop, customer, state.newId())
          : topic === "customers/redact"
            ? customersRedactPayload(shop, customer)
            : shopRedactPayload(shop);
      const appRecord = state.apps.get(input.clientId);
      const urls = input.url
        ? [input.url]
        : appRecord?.privacyWebhookUrl
          ? [appRecord.privacyWebhookUrl]
          : [
              ...new Set(
                state.subscriptions.filter((s) => s.shop === domain && s.clientId === input.clientId).map((s) => s.uri),
              ),
            ];
      return urls.flatMap((url) => webhooks.send(domain, topic, payload, [{ url, clientId: input.clientId }], input));
    },
    reset() {
      for (const timer of bulkTimers) clearTimeout(timer);
      bulkTimers.clear();
      state.reset();
      webhooks.reset();
      calls.length = 0;
    },
  };
  return simulator;
}

/** Shopify's `hmac` on OAuth redirects: hex HMAC-SHA256 of the other parameters, sorted, as `k=v&…`. */
export function shopifyQueryHmac(secret: string, params: Record<string, string>): string {
  const message = Object.keys(params)
    .filter((key) => key !== "hmac" && key !== "signature")
    .sort()
    .map((key) => `${key}=${params[key]}`)
    .join("&");
  return createHmac("sha256", secret).update(message).digest("hex");
}

const escapeHtml = (s: string) =>
  s.replace(/[<>&"']/g, (ch) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&#39;" })[ch]!);
