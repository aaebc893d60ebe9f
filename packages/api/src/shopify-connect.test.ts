/**
 * Connecting Shopify stores against the fake Shopify over real HTTP: the three ways (access token,
 * client credentials, OAuth install), each checked with Shopify before anything is stored; webhook
 * registration; the webhook ingress (HMAC per store, deduplication) and the `shopify-webhook` job
 * (uninstall, the privacy topics); disconnecting; roles, workspaces and the audit trail.
 */
import { randomBytes } from "node:crypto";
import { serve } from "@hono/node-server";
import { SHOPIFY_WEBHOOK_TOPICS, type ShopifyStoreDto } from "@tandem/contracts";
import type { JobQueue, Runtime } from "@tandem/core";
import {
  auditLogs,
  contacts,
  documents,
  jobs,
  knowledgeSources,
  messages,
  products,
  shopifyStores,
  shopifyWebhookEvents,
} from "@tandem/db";
import { createChannel, createContact, createConversation, createMessage } from "@tandem/db/testing";
import { createSimulator } from "@tandem/simulator";
import { and, eq, like } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { TestClient } from "../../../tests/support/api-client.ts";
import { attachTestQueue, createTestRuntime } from "../../../tests/support/runtime.ts";
import { createSignInWorkspace, TEST_PASSWORD } from "../../../tests/support/workspace.ts";
import { createApp } from "./app.ts";

const hex = (n: number) => randomBytes(n).toString("hex");
const PUBLIC_APP = { clientId: `key_${hex(8)}`, clientSecret: `shpss_${hex(16)}`, name: "Tandem" };
const WEBHOOK_URL = "http://localhost:3000/api/webhooks/shopify";

let app: ReturnType<typeof createApp>;
// Shopify's deliveries reach this server's app (APP_URL is http://localhost:3000 in tests).
const simulator = createSimulator({
  shopify: { apps: [PUBLIC_APP], fetch: (request) => app.fetch(request) },
});
const shopify = simulator.shopify;
let server: ReturnType<typeof serve>;
let runtime: Runtime;
let queue: JobQueue;

beforeAll(async () => {
  runtime = await createTestRuntime({
    SHOPIFY_API_KEY: PUBLIC_APP.clientId,
    SHOPIFY_API_SECRET: PUBLIC_APP.clientSecret,
  });
  const port = await new Promise<number>((resolve) => {
    server = serve({ fetch: simulator.app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => resolve(info.port));
  });
  runtime.config.shopifyApiUrl = `http://127.0.0.1:${port}/shopify`;
  shopify.state.settings.webhookRetryDelaysMs = [];
  queue = attachTestQueue(runtime);
  await queue.start();
  app = createApp(runtime);
});

afterEach(async () => {
  await shopify.webhooks.idle();
  shopify.state.faults.length = 0;
});

afterAll(async () => {
  await queue.stop();
  await new Promise((resolve) => server.close(resolve));
  await runtime.close();
});

const db = () => runtime.database.db;

/** A shop on the fake Shopify with a custom app installed, and that app's Admin API token. */
function newShop(options: { scopes?: string[] } = {}) {
  const domain = `linen-${hex(4)}.myshopify.com`;
  shopify.state.addShop({ domain, name: "Linen & Co", currencyCode: "THB" });
  const shopApp = shopify.state.addApp({ clientId: hex(16), clientSecret: `shpss_${hex(16)}`, scopes: options.scopes });
  const token = shopify.state.issueToken({ shop: domain, clientId: shopApp.clientId }, "seeded").token;
  return { domain, app: shopApp, token };
}

async function signedIn(email: string) {
  const client = new TestClient(app);
  expect((await client.signIn(email, TEST_PASSWORD)).status).toBe(200);
  return client;
}

async function newWorkspace() {
  const ws = await createSignInWorkspace(runtime);
  return { ws, admin: await signedIn(ws.admin.user.email) };
}

const storesOf = (workspaceId: string) =>
  db().select().from(shopifyStores).where(eq(shopifyStores.workspaceId, workspaceId));
const auditOf = (workspaceId: string, action?: string) =>
  db()
    .select()
    .from(auditLogs)
    .where(
      and(
        eq(auditLogs.workspaceId, workspaceId),
        action ? eq(auditLogs.action, action) : like(auditLogs.action, "shopify_store.%"),
      ),
    );
const subscriptionsOf = (domain: string, clientId: string) =>
  shopify.state.subscriptions.filter((s) => s.shop === domain && s.clientId === clientId);

async function connectByToken(admin: TestClient, shop: ReturnType<typeof newShop>, withSecret = true) {
  const res = await admin.post("/api/v1/integrations/shopify/connect", {
    method: "access_token",
    shopDomain: shop.domain,
    accessToken: shop.token,
    ...(withSecret ? { apiSecret: shop.app.clientSecret } : {}),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; knowledgeSourceId: string; [key: string]: unknown };
}

async function expectNothingStored(workspaceId: string) {
  expect(await storesOf(workspaceId)).toEqual([]);
  expect(await db().select().from(knowledgeSources).where(eq(knowledgeSources.workspaceId, workspaceId))).toEqual([]);
  expect(await auditOf(workspaceId)).toEqual([]);
}

/** The events stored for a store, once `done(events)` holds. */
async function eventsOf(storeId: string, done: (events: (typeof shopifyWebhookEvents.$inferSelect)[]) => boolean) {
  return vi.waitFor(
    async () => {
      const events = await db().select().from(shopifyWebhookEvents).where(eq(shopifyWebhookEvents.storeId, storeId));
      if (!done(events))
        throw new Error(`not yet: ${JSON.stringify(events.map((e) => [e.topic, e.processedAt, e.error]))}`);
      return events;
    },
    { timeout: 10_000, interval: 50 },
  );
}

describe("connecting with an Admin API access token", () => {
  it("checks the token, stores it encrypted, creates the knowledge source, registers webhooks, queues the sync, audits", async () => {
    const { ws, admin } = await newWorkspace();
    const shop = newShop();
    const store = await connectByToken(admin, shop);
    expect(store).toMatchObject({
      shopDomain: shop.domain,
      name: "Linen & Co",
      currency: "THB",
      authMethod: "access_token",
      credentialHint: `••••${shop.token.slice(-4)}`,
      scopes: ["read_products", "read_inventory"],
      webhooks: { verified: true, topics: [...SHOPIFY_WEBHOOK_TOPICS], error: null },
      status: "active",
      productCount: 0,
    });
    expect(JSON.stringify(store)).not.toContain(shop.token);
    expect(JSON.stringify(store)).not.toContain(shop.app.clientSecret);

    const [row] = await storesOf(ws.workspace.id);
    expect(row!.accessTokenEncrypted).not.toContain(shop.token);
    expect(runtime.keyring.decrypt(row!.accessTokenEncrypted)).toBe(shop.token);
    expect(runtime.keyring.decrypt(row!.webhookSecretEncrypted!)).toBe(shop.app.clientSecret);

    const [source] = await db().select().from(knowledgeSources).where(eq(knowledgeSources.id, store.knowledgeSourceId));
    expect(source).toMatchObject({ type: "shopify", shopifyStoreId: store.id, workspaceId: ws.workspace.id });

    const subscribed = subscriptionsOf(shop.domain, shop.app.clientId);
    expect(subscribed.map((s) => s.topic).sort()).toEqual([...SHOPIFY_WEBHOOK_TOPICS].sort());
    expect(new Set(subscribed.map((s) => s.uri))).toEqual(new Set([WEBHOOK_URL]));

    const syncJobs = await db().select().from(jobs).where(eq(jobs.name, "shopify-sync"));
    expect(syncJobs.filter((j) => (j.payload as { storeId: string }).storeId === store.id)).toMatchObject([
      { workspaceId: ws.workspace.id, payload: { storeId: store.id, kind: "full" } },
    ]);
    expect(await auditOf(ws.workspace.id)).toMatchObject([
      { action: "shopify_store.connect", entityId: store.id, actorUserId: ws.admin.user.id },
    ]);

    const list = await (await admin.get("/api/v1/integrations/shopify")).json();
    expect(list).toMatchObject({ oauthAvailable: true, webhookUrl: WEBHOOK_URL, stores: [{ id: store.id }] });
    expect((await admin.get(`/api/v1/integrations/shopify/${store.id}`)).status).toBe(200);
  });

  it("reconnecting the same shop replaces the credentials on the same store, without duplicate webhooks", async () => {
    const { ws, admin } = await newWorkspace();
    const shop = newShop();
    const first = await connectByToken(admin, shop);
    const newToken = shopify.state.issueToken({ shop: shop.domain, clientId: shop.app.clientId }, "seeded").token;
    const second = await connectByToken(admin, { ...shop, token: newToken });
    expect(second.id).toBe(first.id);
    expect(second.knowledgeSourceId).toBe(first.knowledgeSourceId);
    const [row] = await storesOf(ws.workspace.id);
    expect(runtime.keyring.decrypt(row!.accessTokenEncrypted)).toBe(newToken);
    expect(subscriptionsOf(shop.domain, shop.app.clientId)).toHaveLength(SHOPIFY_WEBHOOK_TOPICS.length);
    expect((await auditOf(ws.workspace.id)).map((a) => a.action).sort()).toEqual([
      "shopify_store.connect",
      "shopify_store.reconnect",
    ]);
  });

  it("without the API secret registers no webhooks (they could not be verified)", async () => {
    const { admin } = await newWorkspace();
    const shop = newShop();
    const store = await connectByToken(admin, shop, false);
    expect(store.webhooks).toEqual({ verified: false, topics: [], error: null });
    expect(subscriptionsOf(shop.domain, shop.app.clientId)).toEqual([]);
  });

  it("refuses a wrong token, an unknown shop and missing scopes with a clear 400, storing nothing", async () => {
    const { ws, admin } = await newWorkspace();
    const shop = newShop();
    const connect = (body: Record<string, unknown>) =>
      admin.post("/api/v1/integrations/shopify/connect", { method: "access_token", ...body });

    const wrong = await connect({ shopDomain: shop.domain, accessToken: "shpat_not_a_token" });
    expect(wrong.status).toBe(400);
    expect((await wrong.json()).error.code).toBe("shopify_unauthorized");

    const unknown = await connect({ shopDomain: `nowhere-${hex(3)}`, accessToken: shop.token });
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).error.code).toBe("shopify_shop_not_found");

    const narrow = newShop({ scopes: ["read_products"] });
    const missing = await connect({ shopDomain: narrow.domain, accessToken: narrow.token });
    expect(missing.status).toBe(400);
    const body = await missing.json();
    expect(body.error).toMatchObject({ code: "shopify_scopes_missing", details: { missing: ["read_inventory"] } });
    expect(body.error.message).toContain("read_inventory");

    const invalid = await connect({ shopDomain: "shop.example.com", accessToken: shop.token });
    expect(invalid.status).toBe(400);
    expect((await invalid.json()).error.code).toBe("invalid_input");

    await expectNothingStored(ws.workspace.id);
    expect(subscriptionsOf(shop.domain, shop.app.clientId)).toEqual([]);
  });
});

describe("connecting with client credentials", () => {
  it("asks Shopify for a token with the client-credentials grant and stores it with its expiry", async () => {
    const { ws, admin } = await newWorkspace();
    const shop = newShop();
    const res = await admin.post("/api/v1/integrations/shopify/connect", {
      method: "client_credentials",
      shopDomain: shop.domain,
      clientId: shop.app.clientId,
      clientSecret: shop.app.clientSecret,
    });
    expect(res.status).toBe(201);
    const store = await res.json();
    expect(store).toMatchObject({
      authMethod: "client_credentials",
      credentialHint: `••••${shop.app.clientId.slice(-4)}`,
      webhooks: { verified: true, error: null },
    });
    expect(JSON.stringify(store)).not.toContain(shop.app.clientSecret);
    const [row] = await storesOf(ws.workspace.id);
    const token = runtime.keyring.decrypt(row!.accessTokenEncrypted);
    expect(shopify.state.validToken(shop.domain, token)?.grant).toBe("client_credentials");
    expect(row!.accessTokenExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000);
    expect(runtime.keyring.decrypt(row!.clientSecretEncrypted!)).toBe(shop.app.clientSecret);
    expect(subscriptionsOf(shop.domain, shop.app.clientId)).toHaveLength(SHOPIFY_WEBHOOK_TOPICS.length);
  });

  it("refuses a wrong client secret, storing nothing", async () => {
    const { ws, admin } = await newWorkspace();
    const shop = newShop();
    const res = await admin.post("/api/v1/integrations/shopify/connect", {
      method: "client_credentials",
      shopDomain: shop.domain,
      clientId: shop.app.clientId,
      clientSecret: "shpss_wrong",
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe("shopify_unauthorized");
    await expectNothingStored(ws.workspace.id);
  });
});

describe("installing the public app with OAuth", () => {
  /** Start on our side, approve on the fake Shopify: the callback URL Shopify sends the browser to. */
  async function authorize(admin: TestClient, domain: string) {
    const start = await admin.get(`/api/v1/integrations/shopify/oauth/start?shop=${domain}`);
    expect(start.status).toBe(302);
    const authorizeUrl = new URL(start.headers.get("location")!);
    expect(authorizeUrl.pathname).toBe(`/shopify/${domain}/admin/oauth/authorize`);
    expect(authorizeUrl.searchParams.get("client_id")).toBe(PUBLIC_APP.clientId);
    expect(authorizeUrl.searchParams.get("scope")).toBe("read_products,read_inventory");
    const back = await fetch(authorizeUrl, { redirect: "manual" });
    expect(back.status).toBe(302);
    const callback = new URL(back.headers.get("location")!);
    expect(callback.pathname).toBe("/api/v1/integrations/shopify/oauth/callback");
    return callback;
  }

  it("checks Shopify's hmac and the session-bound state, exchanges the code and connects the store", async () => {
    const { ws, admin } = await newWorkspace();
    const domain = `oauth-${hex(4)}.myshopify.com`;
    shopify.state.addShop({ domain, name: "Oauth Outfitters", currencyCode: "USD" });
    const callback = await authorize(admin, domain);

    // Another session of the same workspace (its own flow started) cannot use this answer.
    const other = await signedIn(ws.owner.user.email);
    await authorize(other, domain);
    const stolen = await other.get(`${callback.pathname}${callback.search}`);
    expect(stolen.status).toBe(400);
    expect((await stolen.json()).error.code).toBe("oauth_state_mismatch");

    // A query changed after Shopify signed it.
    const forged = new URL(callback);
    forged.searchParams.set("shop", `evil-${hex(3)}.myshopify.com`);
    const forgedRes = await admin.get(`${forged.pathname}${forged.search}`);
    expect(forgedRes.status).toBe(401);
    expect((await forgedRes.json()).error.code).toBe("invalid_signature");
    await expectNothingStored(ws.workspace.id);

    const done = await admin.get(`${callback.pathname}${callback.search}`);
    expect(done.status).toBe(302);
    const landing = new URL(done.headers.get("location")!);
    expect(landing.pathname).toBe("/settings/integrations");
    expect(landing.searchParams.get("shopify")).toBe("connected");
    const storeId = landing.searchParams.get("store");
    const [row] = await storesOf(ws.workspace.id);
    expect(row).toMatchObject({ id: storeId, shopDomain: domain, authMethod: "oauth", name: "Oauth Outfitters" });
    // Its webhooks are signed with the public app's secret, which is not copied into the database.
    expect(row!.webhookSecretEncrypted).toBeNull();
    expect(subscriptionsOf(domain, PUBLIC_APP.clientId)).toHaveLength(SHOPIFY_WEBHOOK_TOPICS.length);
    expect(await auditOf(ws.workspace.id, "shopify_store.connect")).toHaveLength(1);

    // The flow is over: replaying the same answer connects nothing again.
    const replay = await admin.get(`${callback.pathname}${callback.search}`);
    expect(replay.status).toBe(400);
    expect(await auditOf(ws.workspace.id)).toHaveLength(1);
  });

  /** Installs the public app on a new shop: the store's id once the callback connected it. */
  async function install(admin: TestClient, domain: string) {
    const callback = await authorize(admin, domain);
    const done = await admin.get(`${callback.pathname}${callback.search}`);
    expect(done.status).toBe(302);
    return new URL(done.headers.get("location")!).searchParams.get("store")!;
  }

  /** The store as the dashboard reads it, once `done(store)` holds. */
  async function storeWhen(admin: TestClient, storeId: string, done: (store: ShopifyStoreDto) => boolean) {
    return vi.waitFor(
      async () => {
        const { stores } = (await (await admin.get("/api/v1/integrations/shopify")).json()) as {
          stores: ShopifyStoreDto[];
        };
        const store = stores.find((s) => s.id === storeId);
        if (!store || !done(store)) throw new Error(`not yet: ${JSON.stringify(store?.sync)} ${store?.status}`);
        return store;
      },
      { timeout: 15_000, interval: 100 },
    );
  }

  const synced = (s: ShopifyStoreDto) => s.sync.state === "succeeded" && s.status === "active";
  /** The fake Shopify's control API, over HTTP like any test client of it. */
  const control = (path: string, method: string) =>
    fetch(`${runtime.config.shopifyApiUrl!.replace(/\/shopify$/, "/_control/shopify")}${path}`, { method });
  const refreshGrants = (domain: string) =>
    shopify.calls.filter((c) => c.shop === domain && c.kind === "oauth" && c.grant === "refresh_token");

  it("asks for an expiring offline token and stores its refresh token encrypted; an expired token is refreshed by the sync", async () => {
    const { ws, admin } = await newWorkspace();
    const domain = `oauth-${hex(4)}.myshopify.com`;
    shopify.state.addShop({ domain, name: "Hourly Goods", currencyCode: "USD" });
    const storeId = await install(admin, domain);

    const [row] = await storesOf(ws.workspace.id);
    const access = runtime.keyring.decrypt(row!.accessTokenEncrypted);
    const refresh = runtime.keyring.decrypt(row!.refreshTokenEncrypted!);
    expect(shopify.state.validToken(domain, access)).toMatchObject({ grant: "authorization_code" });
    expect(shopify.state.refreshTokens.get(refresh)).toMatchObject({ shop: domain, clientId: PUBLIC_APP.clientId });
    expect(row!.refreshTokenEncrypted).not.toContain(refresh);
    expect(row!.accessTokenExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 55 * 60_000);
    expect(row!.accessTokenExpiresAt!.getTime()).toBeLessThanOrEqual(Date.now() + 3600_000);
    expect(row!.refreshTokenExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 89 * 86_400_000);
    const store = await storeWhen(admin, storeId, synced);
    expect(JSON.stringify(store)).not.toContain(refresh);
    expect(refreshGrants(domain)).toHaveLength(0);

    // Shopify says the hour is over; the next sync refreshes once and carries on.
    expect((await control(`/shops/${domain}/tokens/${access}/expire`, "POST")).status).toBe(200);
    expect((await admin.post(`/api/v1/integrations/shopify/${storeId}/sync`)).status).toBe(202);
    await storeWhen(admin, storeId, (s) => synced(s) && s.sync.finishedAt !== store.sync.finishedAt);
    expect(refreshGrants(domain)).toHaveLength(1);
    const [after] = await storesOf(ws.workspace.id);
    expect(runtime.keyring.decrypt(after!.accessTokenEncrypted)).not.toBe(access);
    expect(runtime.keyring.decrypt(after!.refreshTokenEncrypted!)).not.toBe(refresh);
  });

  it("shows a store whose refresh token Shopify revoked as needing a new install, until the app is installed again", async () => {
    const { ws, admin } = await newWorkspace();
    const domain = `oauth-${hex(4)}.myshopify.com`;
    shopify.state.addShop({ domain, name: "Revoked Rugs", currencyCode: "USD" });
    const storeId = await install(admin, domain);
    await storeWhen(admin, storeId, synced);
    const [row] = await storesOf(ws.workspace.id);
    const access = runtime.keyring.decrypt(row!.accessTokenEncrypted);
    const refresh = runtime.keyring.decrypt(row!.refreshTokenEncrypted!);
    expect((await control(`/shops/${domain}/tokens/${access}/expire`, "POST")).status).toBe(200);
    expect((await control(`/shops/${domain}/tokens/${refresh}`, "DELETE")).status).toBe(204);

    expect((await admin.post(`/api/v1/integrations/shopify/${storeId}/sync`)).status).toBe(202);
    const failed = await storeWhen(admin, storeId, (s) => s.status === "error");
    expect(failed.statusReason).toBe(
      `Shopify no longer accepts Tandem's refresh token for ${domain} (invalid_grant: The refresh token has been revoked). Install the app on the store again: Settings → Integrations → Connect Shopify → Install app.`,
    );
    expect(failed.sync).toMatchObject({ state: "failed", error: failed.statusReason });
    const [marked] = await storesOf(ws.workspace.id);
    expect(marked!.refreshTokenEncrypted).toBeNull();

    // Installing again stores a new pair and clears the reason.
    await install(admin, domain);
    const back = await storeWhen(admin, storeId, synced);
    expect(back.statusReason).toBeNull();
    const [reinstalled] = await storesOf(ws.workspace.id);
    expect(shopify.state.refreshTokens.get(runtime.keyring.decrypt(reinstalled!.refreshTokenEncrypted!))).toMatchObject(
      {
        revoked: false,
      },
    );
    expect(refreshGrants(domain)).toHaveLength(1);
  });

  it("sends the browser back to the page with Shopify's refusal, storing nothing", async () => {
    const { ws, admin } = await newWorkspace();
    const domain = `oauth-${hex(4)}.myshopify.com`;
    shopify.state.addShop({ domain, name: "Down Goods" });
    const callback = await authorize(admin, domain);
    shopify.state.faults.push({ kind: "http_500", on: "oauth", shop: domain, times: 1 });
    const res = await admin.get(`${callback.pathname}${callback.search}`);
    expect(res.status).toBe(302);
    const landing = new URL(res.headers.get("location")!);
    expect(landing.pathname).toBe("/settings/integrations");
    expect(landing.searchParams.get("shopifyError")).toContain("Shopify");
    await expectNothingStored(ws.workspace.id);
  });

  it("is refused with a clear error when the server has no public app", async () => {
    const { admin } = await newWorkspace();
    const saved = runtime.config.shopifyApp;
    runtime.config.shopifyApp = undefined;
    try {
      const res = await admin.get("/api/v1/integrations/shopify/oauth/start?shop=example");
      expect(res.status).toBe(400);
      expect((await res.json()).error.code).toBe("shopify_app_not_configured");
      expect((await (await admin.get("/api/v1/integrations/shopify")).json()).oauthAvailable).toBe(false);
    } finally {
      runtime.config.shopifyApp = saved;
    }
  });
});

describe("Shopify's webhooks", () => {
  async function connectedStore() {
    const { ws, admin } = await newWorkspace();
    const shop = newShop();
    const store = await connectByToken(admin, shop);
    return { ws, admin, shop, store };
  }

  it("refuses a forged or unsigned delivery with 401 and stores nothing", async () => {
    const { shop, store } = await connectedStore();
    const [delivery] = shopify.emit(shop.domain, "products/update", { id: 1, title: "x" }, { forged: true });
    await shopify.webhooks.idle();
    expect(delivery!.attempts.map((a) => a.status)).toEqual([401]);

    const unsigned = await app.request(WEBHOOK_URL, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-shopify-topic": "products/update",
        "x-shopify-shop-domain": shop.domain,
        "x-shopify-webhook-id": hex(8),
      },
      body: JSON.stringify({ id: 1 }),
    });
    expect(unsigned.status).toBe(401);
    expect(await db().select().from(shopifyWebhookEvents).where(eq(shopifyWebhookEvents.storeId, store.id))).toEqual(
      [],
    );
  });

  it("stores a delivery Shopify repeats (same X-Shopify-Webhook-Id) once, answering 200 both times", async () => {
    const { shop, store } = await connectedStore();
    const [delivery] = shopify.emit(
      shop.domain,
      "customers/data_request",
      { shop_domain: shop.domain, customer: { id: 1, email: "nobody@example.com" }, data_request: { id: 7 } },
      { duplicate: true, url: WEBHOOK_URL, clientId: shop.app.clientId },
    );
    await shopify.webhooks.idle();
    const deliveries = shopify.webhooks.deliveries.filter((d) => d.webhookId === delivery!.webhookId);
    expect(deliveries.map((d) => d.attempts.map((a) => a.status))).toEqual([[200], [200]]);
    const events = await eventsOf(store.id, (e) => e.length === 1 && e[0]!.processedAt !== null);
    expect(events).toMatchObject([{ webhookId: delivery!.webhookId, topic: "customers/data_request", attempts: 1 }]);
  });

  it("applies a signed product event: the product and its knowledge document are written", async () => {
    const { shop, store } = await connectedStore();
    shopify.createProduct(shop.domain, { title: "Linen shirt", variants: [{ price: "1290" }] });
    const events = await eventsOf(store.id, (e) =>
      e.some((x) => x.topic === "products/create" && x.processedAt !== null),
    );
    expect(events.find((x) => x.topic === "products/create")).toMatchObject({ error: null });
    const [product] = await db()
      .select()
      .from(products)
      .where(and(eq(products.storeId, store.id), eq(products.title, "Linen shirt")));
    expect(product).toMatchObject({ priceMin: "1290.0000", deletedAt: null });
    const [document] = await db().select().from(documents).where(eq(documents.productId, product!.id));
    expect(document).toMatchObject({ title: "Linen shirt", status: "ready" });
  });

  it("verifies against each workspace that connected the shop: only the one whose app signed it stores the event", async () => {
    const a = await connectedStore();
    const { ws: wsB, admin: adminB } = await newWorkspace();
    const otherApp = shopify.state.addApp({ clientId: hex(16), clientSecret: `shpss_${hex(16)}` });
    const tokenB = shopify.state.issueToken({ shop: a.shop.domain, clientId: otherApp.clientId }, "seeded").token;
    const storeB = await connectByToken(adminB, { domain: a.shop.domain, app: otherApp, token: tokenB });
    expect((await storesOf(wsB.workspace.id))[0]!.shopDomain).toBe(a.shop.domain);

    shopify.emit(
      a.shop.domain,
      "customers/data_request",
      { customer: { id: 2 } },
      { clientId: otherApp.clientId, url: WEBHOOK_URL },
    );
    await eventsOf(storeB.id, (e) => e.length === 1);
    expect(await db().select().from(shopifyWebhookEvents).where(eq(shopifyWebhookEvents.storeId, a.store.id))).toEqual(
      [],
    );
  });

  it("app/uninstalled disconnects the store with the reason, removing its catalog from knowledge", async () => {
    const { ws, admin, shop, store } = await connectedStore();
    shopify.uninstall(shop.domain, shop.app.clientId);
    await eventsOf(store.id, (e) => e.some((x) => x.topic === "app/uninstalled" && x.processedAt !== null));
    const dto = await (await admin.get(`/api/v1/integrations/shopify/${store.id}`)).json();
    expect(dto).toMatchObject({ status: "disconnected", knowledgeSourceId: null, credentialHint: null });
    expect(dto.statusReason).toContain("uninstalled");
    const [source] = await db().select().from(knowledgeSources).where(eq(knowledgeSources.id, store.knowledgeSourceId));
    expect(source!.deletedAt).not.toBeNull();
    expect(await auditOf(ws.workspace.id, "shopify_store.uninstall")).toMatchObject([
      { actorType: "system", entityId: store.id },
    ]);
  });

  it("customers/redact erases the workspace's contacts with the customer's e-mail or phone, and nothing else", async () => {
    const { ws, shop, store } = await connectedStore();
    const channel = await createChannel(db(), { workspaceId: ws.workspace.id, type: "line", externalId: hex(8) });
    const byEmail = await createContact(db(), {
      workspaceId: ws.workspace.id,
      channelId: channel.id,
      name: "Ploy",
      email: "ploy@example.com",
    });
    const byPhone = await createContact(db(), {
      workspaceId: ws.workspace.id,
      channelId: channel.id,
      name: "Ploy (phone)",
      phone: "+66 81 234 5678",
    });
    const bystander = await createContact(db(), {
      workspaceId: ws.workspace.id,
      channelId: channel.id,
      name: "Somchai",
      email: "somchai@example.com",
    });
    const thread = await createConversation(db(), {
      workspaceId: ws.workspace.id,
      channelId: channel.id,
      contactId: byEmail.id,
    });
    const said = await createMessage(db(), {
      conversationId: thread.id,
      role: "USER",
      text: "My address is 12 Sukhumvit",
    });
    // Another workspace's contact with the same e-mail is not this shop's customer.
    const { ws: elsewhere } = await newWorkspace();
    const otherChannel = await createChannel(db(), {
      workspaceId: elsewhere.workspace.id,
      type: "line",
      externalId: hex(8),
    });
    const outsider = await createContact(db(), {
      workspaceId: elsewhere.workspace.id,
      channelId: otherChannel.id,
      email: "ploy@example.com",
    });

    shopify.privacy(shop.domain, "customers/redact", {
      clientId: shop.app.clientId,
      customer: { id: 42, email: "Ploy@Example.com", phone: "+66812345678" },
    });
    await eventsOf(store.id, (e) => e.some((x) => x.topic === "customers/redact" && x.processedAt !== null));

    const contact = async (id: string) => (await db().select().from(contacts).where(eq(contacts.id, id)))[0]!;
    expect(await contact(byEmail.id)).toMatchObject({ email: null, name: null });
    expect((await contact(byEmail.id)).erasedAt).not.toBeNull();
    expect((await contact(byPhone.id)).erasedAt).not.toBeNull();
    expect(await contact(bystander.id)).toMatchObject({ email: "somchai@example.com", erasedAt: null });
    expect(await contact(outsider.id)).toMatchObject({ email: "ploy@example.com", erasedAt: null });
    const [message] = await db().select().from(messages).where(eq(messages.id, said.id));
    expect(message!.text).toBeNull();
    const [audit] = await auditOf(ws.workspace.id, "shopify_store.customer_redact");
    expect((audit!.after as { contactIds: string[] }).contactIds.sort()).toEqual([byEmail.id, byPhone.id].sort());
  });

  it("customers/data_request is recorded in the audit log with the contacts Tandem holds", async () => {
    const { ws, shop, store } = await connectedStore();
    const channel = await createChannel(db(), { workspaceId: ws.workspace.id, type: "line", externalId: hex(8) });
    const held = await createContact(db(), {
      workspaceId: ws.workspace.id,
      channelId: channel.id,
      email: "ann@example.com",
    });
    shopify.privacy(shop.domain, "customers/data_request", {
      clientId: shop.app.clientId,
      customer: { id: 43, email: "ann@example.com" },
    });
    await eventsOf(store.id, (e) => e.some((x) => x.processedAt !== null));
    expect(await auditOf(ws.workspace.id, "shopify_store.customer_data_request")).toMatchObject([
      { actorType: "system", entityId: store.id, after: { email: "ann@example.com", contactIds: [held.id] } },
    ]);
  });

  it("shop/redact deletes the store and its data; a privacy webhook for a shop nobody holds is answered 200", async () => {
    const { ws, shop, store } = await connectedStore();
    shopify.privacy(shop.domain, "shop/redact", { clientId: shop.app.clientId });
    await vi.waitFor(
      async () => {
        expect(await storesOf(ws.workspace.id)).toEqual([]);
      },
      { timeout: 10_000, interval: 50 },
    );
    expect(await db().select().from(knowledgeSources).where(eq(knowledgeSources.id, store.knowledgeSourceId))).toEqual(
      [],
    );
    expect(await auditOf(ws.workspace.id, "shopify_store.redact")).toHaveLength(1);

    const stranger = `gone-${hex(4)}.myshopify.com`;
    shopify.state.addShop({ domain: stranger, name: "Gone" });
    const [ok] = shopify.privacy(stranger, "shop/redact", { clientId: PUBLIC_APP.clientId, url: WEBHOOK_URL });
    const [forged] = shopify.privacy(stranger, "shop/redact", {
      clientId: PUBLIC_APP.clientId,
      url: WEBHOOK_URL,
      forged: true,
    });
    await shopify.webhooks.idle();
    expect(ok!.attempts.map((a) => a.status)).toEqual([200]);
    expect(forged!.attempts.map((a) => a.status)).toEqual([401]);
  });
});

describe("disconnecting a store", () => {
  it("removes its webhooks at Shopify, its catalog and knowledge source, wipes its credentials, audits", async () => {
    const { ws, admin } = await newWorkspace();
    const shop = newShop();
    const store = await connectByToken(admin, shop);
    const res = await admin.delete(`/api/v1/integrations/shopify/${store.id}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      id: store.id,
      status: "disconnected",
      knowledgeSourceId: null,
      webhooks: { verified: false, topics: [], error: null },
    });
    expect(subscriptionsOf(shop.domain, shop.app.clientId)).toEqual([]);
    const [row] = await storesOf(ws.workspace.id);
    expect(runtime.keyring.decrypt(row!.accessTokenEncrypted)).toBe("");
    expect(row!.webhookSecretEncrypted).toBeNull();
    expect(await auditOf(ws.workspace.id, "shopify_store.disconnect")).toMatchObject([
      { entityId: store.id, actorUserId: ws.admin.user.id },
    ]);
    // Connecting again brings it back on the same row.
    const again = await connectByToken(admin, shop);
    expect(again).toMatchObject({ id: store.id, status: "active" });
  });

  it("shows the webhooks Shopify would not remove, and still disconnects", async () => {
    const { admin } = await newWorkspace();
    const shop = newShop();
    const store = await connectByToken(admin, shop);
    shopify.state.tokens.delete(shop.token);
    const res = await admin.delete(`/api/v1/integrations/shopify/${store.id}`);
    expect(res.status).toBe(200);
    const dto = await res.json();
    expect(dto.status).toBe("disconnected");
    expect(dto.webhooks.error).toContain("could not be removed");
  });
});

describe("roles and workspaces", () => {
  it("another workspace's store is not found; an agent may read but not connect or disconnect", async () => {
    const { admin } = await newWorkspace();
    const store = await connectByToken(admin, newShop());
    const { ws: other, admin: stranger } = await newWorkspace();
    for (const res of [
      await stranger.get(`/api/v1/integrations/shopify/${store.id}`),
      await stranger.delete(`/api/v1/integrations/shopify/${store.id}`),
    ]) {
      expect(res.status).toBe(404);
      expect((await res.json()).error.code).toBe("shopify_store_not_found");
    }
    expect((await (await stranger.get("/api/v1/integrations/shopify")).json()).stores).toEqual([]);

    const agent = await signedIn(other.agent.user.email);
    expect((await agent.get("/api/v1/integrations/shopify")).status).toBe(200);
    const shop = newShop();
    const denied = await agent.post("/api/v1/integrations/shopify/connect", {
      method: "access_token",
      shopDomain: shop.domain,
      accessToken: shop.token,
    });
    expect(denied.status).toBe(403);
    expect((await agent.get(`/api/v1/integrations/shopify/oauth/start?shop=${shop.domain}`)).status).toBe(403);
    await expectNothingStored(other.workspace.id);
  });
});
