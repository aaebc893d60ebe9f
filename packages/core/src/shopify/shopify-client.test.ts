/**
 * The Admin API client against the fake Shopify over real HTTP: throttling (HTTP 429 with
 * Retry-After, THROTTLED errors, and waiting ahead from the reported bucket), 5xx retried, errors
 * classified, and client-credentials tokens renewed before they expire — stored encrypted, one
 * request for concurrent callers; an OAuth install's expiring offline token refreshed the same way
 * with its rotating refresh token, and a refused or expired refresh token marking the store for
 * reconnection.
 */
import { randomBytes } from "node:crypto";
import { serve } from "@hono/node-server";
import { shopifyStores } from "@tandem/db";
import { createWorkspace } from "@tandem/db/testing";
import { createSimulator } from "@tandem/simulator";
import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTestRuntime } from "../../../../tests/support/runtime.ts";
import type { Runtime } from "../runtime.ts";
import { exchangeOAuthCode } from "./access-token.ts";
import { ShopifyApiError } from "./shopify-api.ts";
import { type ShopifyClientDeps, shopifyAdminApi, shopifyAdminApiWithToken } from "./shopify-client.ts";

const simulator = createSimulator();
const shopify = simulator.shopify;
let server: ReturnType<typeof serve>;
let runtime: Runtime;
let deps: ShopifyClientDeps;

beforeAll(async () => {
  runtime = await createTestRuntime();
  const port = await new Promise<number>((resolve) => {
    server = serve({ fetch: simulator.app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => resolve(info.port));
  });
  runtime.config.shopifyApiUrl = `http://127.0.0.1:${port}/shopify`;
  deps = { db: runtime.database.db, log: runtime.log, keyring: runtime.keyring, config: runtime.config };
});

afterEach(() => {
  shopify.state.faults.length = 0;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await runtime.close();
});

const hex = (n: number) => randomBytes(n).toString("hex");
const SHOP_QUERY = "query { shop { name currencyCode } }";

/** A shop on the fake Shopify, an app installed on it, and a token of that app. */
function newShop() {
  const domain = `shop-${hex(4)}.myshopify.com`;
  shopify.state.addShop({ domain, name: "Linen & Co", currencyCode: "THB", generateProducts: 12 });
  const app = shopify.state.addApp({ clientId: hex(16), clientSecret: `shpss_${hex(16)}` });
  const token = shopify.state.issueToken({ shop: domain, clientId: app.clientId }, "seeded").token;
  return { domain, app, token };
}

const callsTo = (domain: string, kind: "graphql" | "oauth" = "graphql") =>
  shopify.calls.filter((c) => c.shop === domain && c.kind === kind);

async function storeRow(input: Partial<typeof shopifyStores.$inferInsert> & { shopDomain: string; token: string }) {
  const workspace = await createWorkspace(runtime.database.db);
  const { token, ...rest } = input;
  const [row] = await runtime.database.db
    .insert(shopifyStores)
    .values({ workspaceId: workspace.id, accessTokenEncrypted: runtime.keyring.encrypt(token), ...rest })
    .returning();
  return row!;
}

describe("the Shopify Admin API client", () => {
  it("waits out a 429 (Retry-After), a THROTTLED answer and a 5xx, then answers", async () => {
    const { domain, token } = newShop();
    shopify.state.faults.push(
      { kind: "http_429", on: "graphql", shop: domain, times: 1, retryAfterSeconds: 1 },
      { kind: "throttled", on: "graphql", shop: domain, times: 1 },
      { kind: "http_503", on: "graphql", shop: domain, times: 1 },
    );
    const api = shopifyAdminApiWithToken(deps, domain, token);
    const result = await api.graphql<{ shop: { name: string; currencyCode: string } }>(SHOP_QUERY);
    expect(result.data.shop).toEqual({ name: "Linen & Co", currencyCode: "THB" });
    expect(result.cost?.throttleStatus.maximumAvailable).toBeGreaterThan(0);
    expect(callsTo(domain).map((c) => c.status)).toEqual([429, 200, 503, 200]);
    expect(callsTo(domain)[1]?.throttled).toBe(true);
  });

  it("waits for the cost bucket to refill instead of being throttled", async () => {
    const { domain, token } = newShop();
    const shop = shopify.state.shops.get(domain)!;
    shop.throttle = { ...shop.throttle, maximumAvailable: 30, restoreRate: 20 };
    const api = shopifyAdminApiWithToken(deps, domain, token);
    const query = "query { products(first: 10) { nodes { id title } } }";
    for (let i = 0; i < 5; i++) await api.graphql(query);
    const calls = callsTo(domain);
    expect(calls).toHaveLength(5);
    // Each query costs more than a third of the bucket: without waiting ahead the third would be throttled.
    expect(calls[0]!.cost!.requested).toBeGreaterThan(10);
    expect(calls.filter((c) => c.throttled)).toEqual([]);
  });

  it("gives up on a persistent 5xx as a retryable unavailable error", async () => {
    const { domain, token } = newShop();
    shopify.state.faults.push({ kind: "http_500", on: "graphql", shop: domain, times: 10 });
    const error = await shopifyAdminApiWithToken(deps, domain, token)
      .graphql(SHOP_QUERY)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShopifyApiError);
    expect(error).toMatchObject({ kind: "unavailable", status: 500, retryable: true });
    expect(callsTo(domain)).toHaveLength(5);
  }, 30_000);

  it("classifies what retrying cannot fix: a bad token, an unknown shop, a GraphQL error", async () => {
    const { domain } = newShop();
    await expect(shopifyAdminApiWithToken(deps, domain, "shpat_wrong").graphql(SHOP_QUERY)).rejects.toMatchObject({
      kind: "unauthorized",
      status: 401,
      retryable: false,
    });
    await expect(
      shopifyAdminApiWithToken(deps, `nowhere-${hex(3)}.myshopify.com`, "shpat_x").graphql(SHOP_QUERY),
    ).rejects.toMatchObject({ kind: "not_found", status: 404 });
    const { token } = newShop();
    const other = [...shopify.state.tokens.values()].find((t) => t.token === token)!.shop;
    await expect(
      shopifyAdminApiWithToken(deps, other, token).graphql("query { shop { noSuchField } }"),
    ).rejects.toMatchObject({ kind: "invalid" });
  });
});

describe("client-credentials tokens", () => {
  it("are asked again within 5 minutes of expiry, stored encrypted, once for concurrent callers", async () => {
    const { domain, app } = newShop();
    // The stored token has run out at Shopify and expires within the margin on our side.
    const store = await storeRow({
      shopDomain: domain,
      authMethod: "client_credentials",
      token: "shpat_expired",
      accessTokenExpiresAt: new Date(Date.now() + 60_000),
      clientId: app.clientId,
      clientSecretEncrypted: runtime.keyring.encrypt(app.clientSecret),
    });
    const [a, b] = await Promise.all([
      shopifyAdminApi(deps, store).graphql<{ shop: { name: string } }>(SHOP_QUERY),
      shopifyAdminApi(deps, store).graphql<{ shop: { name: string } }>(SHOP_QUERY),
    ]);
    expect(a.data.shop.name).toBe("Linen & Co");
    expect(b.data.shop.name).toBe("Linen & Co");
    expect(callsTo(domain, "oauth")).toHaveLength(1);

    const [row] = await runtime.database.db.select().from(shopifyStores).where(eq(shopifyStores.id, store.id));
    const stored = runtime.keyring.decrypt(row!.accessTokenEncrypted);
    expect(stored).not.toBe("shpat_expired");
    expect(row!.accessTokenEncrypted).not.toContain(stored);
    expect(shopify.state.validToken(domain, stored)).toBeDefined();
    expect(row!.accessTokenExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000);
    expect(row!.accessTokenHint).toBe(`••••${stored.slice(-4)}`);

    // A fresh client reads the new token from the row: no further token request.
    await shopifyAdminApi(deps, row!).graphql(SHOP_QUERY);
    expect(callsTo(domain, "oauth")).toHaveLength(1);
  });

  it("are renewed once when Shopify rejects one early (revoked), and a wrong secret is unauthorized", async () => {
    const { domain, app } = newShop();
    const store = await storeRow({
      shopDomain: domain,
      authMethod: "client_credentials",
      token: "shpat_revoked",
      accessTokenExpiresAt: new Date(Date.now() + 20 * 3600_000),
      clientId: app.clientId,
      clientSecretEncrypted: runtime.keyring.encrypt(app.clientSecret),
    });
    await expect(shopifyAdminApi(deps, store).graphql(SHOP_QUERY)).resolves.toBeDefined();
    expect(callsTo(domain).map((c) => c.status)).toEqual([401, 200]);

    const wrong = await storeRow({
      shopDomain: domain,
      authMethod: "client_credentials",
      token: "shpat_old",
      accessTokenExpiresAt: new Date(Date.now() - 1000),
      clientId: app.clientId,
      clientSecretEncrypted: runtime.keyring.encrypt("shpss_wrong"),
    });
    await expect(shopifyAdminApi(deps, wrong).graphql(SHOP_QUERY)).rejects.toMatchObject({
      kind: "unauthorized",
      status: 401,
    });
  });

  it("of an access-token store are never renewed: a 401 is unauthorized at once", async () => {
    const { domain } = newShop();
    const store = await storeRow({ shopDomain: domain, authMethod: "access_token", token: "shpat_revoked" });
    await expect(shopifyAdminApi(deps, store).graphql(SHOP_QUERY)).rejects.toMatchObject({ kind: "unauthorized" });
    expect(callsTo(domain, "oauth")).toHaveLength(0);
    expect(callsTo(domain)).toHaveLength(1);
  });
});

describe("expiring offline tokens of an OAuth install", () => {
  const refreshGrants = (domain: string) => callsTo(domain, "oauth").filter((c) => c.grant === "refresh_token");
  const rowOf = async (id: string) =>
    (await runtime.database.db.select().from(shopifyStores).where(eq(shopifyStores.id, id)))[0]!;

  /**
   * A shop with the public app installed the way Tandem installs it: a code exchanged over HTTP (with
   * `expiring=1`), stored as connect stores it. `accessTokenExpiresAt` overrides our side's expiry.
   */
  async function installedStore(options: { accessTokenExpiresAt?: Date } = {}) {
    const domain = `oauth-${hex(4)}.myshopify.com`;
    shopify.state.addShop({ domain, name: "Oauth Outfitters", currencyCode: "USD" });
    const app = shopify.state.addApp({ clientId: hex(16), clientSecret: `shpss_${hex(16)}` });
    runtime.config.shopifyApp = { apiKey: app.clientId, apiSecret: app.clientSecret };
    const code = hex(16);
    shopify.state.codes.set(code, {
      shop: domain,
      clientId: app.clientId,
      scopes: app.scopes,
      expiresAt: Date.now() + 600_000,
    });
    const token = await exchangeOAuthCode(deps, {
      shopDomain: domain,
      clientId: app.clientId,
      clientSecret: app.clientSecret,
      code,
    });
    expect(token.refreshToken).toMatch(/^shprt_/);
    expect(token.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 59 * 60_000);
    expect(token.expiresAt!.getTime()).toBeLessThanOrEqual(Date.now() + 3600_000);
    expect(token.refreshTokenExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 89 * 86_400_000);
    const store = await storeRow({
      shopDomain: domain,
      authMethod: "oauth",
      token: token.accessToken,
      accessTokenExpiresAt: options.accessTokenExpiresAt ?? token.expiresAt,
      refreshTokenEncrypted: runtime.keyring.encrypt(token.refreshToken!),
      refreshTokenExpiresAt: token.refreshTokenExpiresAt,
    });
    return { domain, app, store, token };
  }

  afterEach(() => {
    runtime.config.shopifyApp = undefined;
  });

  it("are refreshed once for concurrent callers when they expire, the rotated pair stored encrypted", async () => {
    // Our clock says the hour is nearly over, and Shopify's says it is over.
    const { domain, store, token } = await installedStore({ accessTokenExpiresAt: new Date(Date.now() + 60_000) });
    shopify.state.tokens.get(token.accessToken)!.expiresAt = Date.now();

    const results = await Promise.all(
      [1, 2, 3].map(() => shopifyAdminApi(deps, store).graphql<{ shop: { name: string } }>(SHOP_QUERY)),
    );
    expect(results.map((r) => r.data.shop.name)).toEqual(["Oauth Outfitters", "Oauth Outfitters", "Oauth Outfitters"]);
    expect(refreshGrants(domain)).toHaveLength(1);
    expect(callsTo(domain).map((c) => c.status)).toEqual([200, 200, 200]);

    const row = await rowOf(store.id);
    const access = runtime.keyring.decrypt(row.accessTokenEncrypted);
    const refresh = runtime.keyring.decrypt(row.refreshTokenEncrypted!);
    expect(access).not.toBe(token.accessToken);
    expect(shopify.state.validToken(domain, access)?.grant).toBe("refresh_token");
    expect(refresh).not.toBe(token.refreshToken);
    expect(shopify.state.refreshTokens.get(refresh)?.parent).toBe(token.refreshToken);
    expect(row.refreshTokenEncrypted).not.toContain(refresh);
    expect(row.accessTokenExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 59 * 60_000);
    expect(row.refreshTokenExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 89 * 86_400_000);
    expect(row.status).toBe("active");

    // A client made from the updated row uses the new token: no further refresh.
    await shopifyAdminApi(deps, row).graphql(SHOP_QUERY);
    expect(refreshGrants(domain)).toHaveLength(1);
  });

  it("are refreshed once and the call retried when Shopify answers 401 before the expiry we hold", async () => {
    const { domain, store, token } = await installedStore();
    shopify.state.tokens.delete(token.accessToken);
    await expect(shopifyAdminApi(deps, store).graphql(SHOP_QUERY)).resolves.toBeDefined();
    expect(callsTo(domain).map((c) => c.status)).toEqual([401, 200]);
    expect(refreshGrants(domain)).toHaveLength(1);
  });

  it("mark the store for reconnection when Shopify refuses the refresh token, and never send it again", async () => {
    const { domain, store, token } = await installedStore({ accessTokenExpiresAt: new Date(Date.now() - 1000) });
    shopify.state.refreshTokens.get(token.refreshToken!)!.revoked = true;

    const refused = await shopifyAdminApi(deps, store)
      .graphql(SHOP_QUERY)
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ShopifyApiError);
    expect(refused).toMatchObject({ kind: "unauthorized", status: 401 });
    const reason = (refused as Error).message;
    expect(reason).toContain(domain);
    expect(reason).toContain("The refresh token has been revoked");
    expect(reason).toContain("Install the app on the store again");

    const row = await rowOf(store.id);
    expect(row).toMatchObject({ status: "error", statusReason: reason, refreshTokenEncrypted: null });
    expect(refreshGrants(domain)).toHaveLength(1);
    expect(callsTo(domain)).toHaveLength(0);

    // The next caller gets the same reason without asking Shopify.
    await expect(shopifyAdminApi(deps, row).graphql(SHOP_QUERY)).rejects.toMatchObject({ message: reason });
    expect(callsTo(domain, "oauth").filter((c) => c.grant === "refresh_token")).toHaveLength(1);
  });

  it("mark the store for reconnection without asking Shopify when the refresh token has expired", async () => {
    const { domain, store } = await installedStore({ accessTokenExpiresAt: new Date(Date.now() - 1000) });
    await runtime.database.db
      .update(shopifyStores)
      .set({ refreshTokenExpiresAt: new Date(Date.now() - 1000) })
      .where(eq(shopifyStores.id, store.id));
    await expect(shopifyAdminApi(deps, store).graphql(SHOP_QUERY)).rejects.toMatchObject({ kind: "unauthorized" });
    const row = await rowOf(store.id);
    expect(row.status).toBe("error");
    expect(row.statusReason).toMatch(/^The refresh token for .+ expired on \d{4}-\d{2}-\d{2}/);
    expect(refreshGrants(domain)).toHaveLength(0);
  });

  it("of an install from before expiring tokens (no expiry, no refresh token) are used as they are", async () => {
    // A never-expiring offline token, as OAuth installs got before `expiring=1`.
    const { domain, token } = newShop();
    const store = await storeRow({ shopDomain: domain, authMethod: "oauth", token });
    await expect(shopifyAdminApi(deps, store).graphql(SHOP_QUERY)).resolves.toBeDefined();
    shopify.state.tokens.delete(token);
    await expect(shopifyAdminApi(deps, store).graphql(SHOP_QUERY)).rejects.toMatchObject({ kind: "unauthorized" });
    expect(callsTo(domain, "oauth")).toHaveLength(0);
  });
});
