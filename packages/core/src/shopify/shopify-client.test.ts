/**
 * The Admin API client against the fake Shopify over real HTTP: throttling (HTTP 429 with
 * Retry-After, THROTTLED errors, and waiting ahead from the reported bucket), 5xx retried, errors
 * classified, and client-credentials tokens renewed before they expire — stored encrypted, one
 * request for concurrent callers.
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
