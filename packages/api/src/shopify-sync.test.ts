/**
 * The catalog sync against the fake Shopify over real HTTP, through the real job queue (PGlite):
 * pages and a bulk operation give the same products; throttled and failing calls are waited out; a
 * full sync removes what the catalog no longer lists and leaves unchanged documents' chunks alone;
 * product webhooks write the fresh product and re-chunk its document, stale and out-of-order ones
 * change nothing; one sync per store at a time; a failure leaves a readable error; a crashed bulk
 * sync is resumed; the routes; the nightly reconcile.
 */
import { randomBytes } from "node:crypto";
import { serve } from "@hono/node-server";
import {
  type AppJobDeps,
  appJobDeps,
  claimSync,
  createDbJobQueue,
  failStaleSyncs,
  finishSync,
  type JobQueue,
  JobRegistry,
  processShopifyWebhook,
  type Runtime,
  registerAllJobs,
  runFullSync,
  scheduleShopifyReconcile,
  seedDemoShopifyStore,
  shopifyAdminApi,
  silentLogger,
  syncShopifyStore,
} from "@tandem/core";
import { chunks, documents, jobs, products, shopifyStores, shopifyWebhookEvents } from "@tandem/db";
import { createSimulator, withDemoShop } from "@tandem/simulator";
import { and, eq, isNotNull, isNull, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TestClient } from "../../../tests/support/api-client.ts";
import { createTestRuntime } from "../../../tests/support/runtime.ts";
import { createSignInWorkspace, TEST_PASSWORD } from "../../../tests/support/workspace.ts";
import { createApp } from "./app.ts";

// The demo shop too: the demo workspace's store resyncs from it.
const simulator = createSimulator({ shopify: withDemoShop() });
const shopify = simulator.shopify;
let server: ReturnType<typeof serve>;
let runtime: Runtime;
let queue: JobQueue;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  const port = await new Promise<number>((resolve) => {
    server = serve({ fetch: simulator.app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => resolve(info.port));
  });
  runtime = await createTestRuntime({ SHOPIFY_API_URL: `http://127.0.0.1:${port}/shopify` });
  queue = createDbJobQueue<AppJobDeps>({
    db: runtime.database.db,
    registry: registerAllJobs(new JobRegistry<AppJobDeps>()),
    deps: appJobDeps(runtime),
    log: silentLogger,
    pollIntervalMs: 50,
  });
  runtime.queue = queue;
  await queue.start();
  app = createApp(runtime);
});

afterEach(() => {
  shopify.state.faults.length = 0;
});

afterAll(async () => {
  await queue.stop({ timeoutMs: 5000 });
  await runtime.close();
  await new Promise((resolve) => server.close(resolve));
});

const db = () => runtime.database.db;
const hex = (n: number) => randomBytes(n).toString("hex");
const gid = (id: number) => `gid://shopify/Product/${id}`;
type StoreRow = typeof shopifyStores.$inferSelect;

/** A shop on the fake Shopify (a roomy cost bucket unless a test wants throttling) and a token for it. */
function newShop(generate = 30) {
  const domain = `shop-${hex(4)}.myshopify.com`;
  const shop = shopify.state.addShop({
    domain,
    name: "Linen & Co",
    currencyCode: "THB",
    primaryDomainUrl: `https://${domain.replace(".myshopify.com", "")}.example.com`,
    generateProducts: generate,
  });
  shop.throttle = { maximumAvailable: 20_000, restoreRate: 20_000, maxQueryCost: 1000 };
  const linen = shopify.state.addProduct(shop, {
    title: "Linen Shirt",
    vendor: "Tandem Linen",
    productType: "Shirts",
    tags: ["linen"],
    descriptionHtml: "<p>Breathable <b>linen</b>.</p>",
    images: [{ url: "https://cdn.example.com/linen.jpg" }],
    // More variants than a page reads with its product (10): the rest are read on their own.
    variants: ["XS", "S", "M", "L", "XL"].flatMap((size, i) =>
      ["Natural", "Black", "Sage"].map((color, j) => ({
        price: (1290 + i * 10).toFixed(2),
        inventoryQuantity: (i + j) % 4,
        options: { Size: size, Color: color },
      })),
    ),
  });
  const app_ = shopify.state.addApp({ clientId: hex(16), clientSecret: `shpss_${hex(16)}` });
  const token = shopify.state.issueToken({ shop: domain, clientId: app_.clientId }, "seeded").token;
  return { domain, shop, token, linen };
}

async function newStore(domain: string, token: string, workspaceId?: string): Promise<StoreRow> {
  const ws = workspaceId ?? (await createSignInWorkspace(runtime)).workspace.id;
  const [row] = await db()
    .insert(shopifyStores)
    .values({ workspaceId: ws, shopDomain: domain, accessTokenEncrypted: runtime.keyring.encrypt(token) })
    .returning();
  return row!;
}

async function storeNow(id: string): Promise<StoreRow> {
  const [row] = await db().select().from(shopifyStores).where(eq(shopifyStores.id, id));
  return row!;
}

async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs the `shopify-sync` job and waits for the sync to end. */
async function sync(store: StoreRow): Promise<StoreRow> {
  const before = (await storeNow(store.id)).syncState.finishedAt;
  await queue.enqueue(
    syncShopifyStore,
    { storeId: store.id, kind: "full" },
    { workspaceId: store.workspaceId, jobId: `test-sync:${hex(6)}` },
  );
  return until(
    "the sync to end",
    () => storeNow(store.id),
    (s) => s.syncState.state !== "running" && s.syncState.finishedAt !== before,
  );
}

const liveProducts = (storeId: string) =>
  db()
    .select()
    .from(products)
    .where(and(eq(products.storeId, storeId), isNull(products.deletedAt)))
    .orderBy(products.platformId);

async function productRow(storeId: string, platformId: string) {
  const [row] = await db()
    .select()
    .from(products)
    .where(and(eq(products.storeId, storeId), eq(products.platformId, platformId)));
  return row;
}

async function documentOf(productId: string) {
  const [doc] = await db()
    .select()
    .from(documents)
    .where(and(eq(documents.productId, productId), isNull(documents.deletedAt)));
  if (!doc) return { doc: undefined, chunks: [] };
  const rows = await db().select().from(chunks).where(eq(chunks.documentId, doc.id)).orderBy(chunks.ordinal);
  return { doc, chunks: rows };
}

/** Stores a webhook as the ingress does, runs the `shopify-webhook` job, waits until it is applied. */
async function deliver(store: StoreRow, topic: string, payload: Record<string, unknown>, triggeredAt: Date | null) {
  const [event] = await db()
    .insert(shopifyWebhookEvents)
    .values({ workspaceId: store.workspaceId, storeId: store.id, webhookId: hex(8), topic, triggeredAt, payload })
    .returning();
  await queue.enqueue(processShopifyWebhook, { eventId: event!.id }, { workspaceId: store.workspaceId });
  return until(
    `${topic} to be applied`,
    async () => (await db().select().from(shopifyWebhookEvents).where(eq(shopifyWebhookEvents.id, event!.id)))[0]!,
    (e) => e.processedAt !== null || e.error !== null,
  );
}

const productQueries = (domain: string) =>
  shopify.calls.filter((c) => c.shop === domain && c.kind === "graphql" && c.operationName === "Product").length;

/** What a product row says, without our ids and timestamps. */
const comparable = (p: typeof products.$inferSelect) => ({
  platformId: p.platformId,
  title: p.title,
  handle: p.handle,
  description: p.description,
  vendor: p.vendor,
  productType: p.productType,
  tags: p.tags,
  status: p.status,
  url: p.url,
  imageUrl: p.imageUrl,
  totalInventory: p.totalInventory,
  priceMin: p.priceMin,
  priceMax: p.priceMax,
  currency: p.currency,
  available: p.available,
  variants: p.variants,
  updatedAtPlatform: p.updatedAtPlatform?.toISOString(),
});

describe("a full sync", () => {
  it("reads pages and a bulk operation into the same products, one document per active product", async () => {
    const { domain, token, linen } = newShop(60);
    const paged = await sync(await newStore(domain, token));
    expect(paged).toMatchObject({
      status: "active",
      name: "Linen & Co",
      currency: "THB",
      syncState: { state: "succeeded", mode: "pages", done: 61, total: 61, error: null },
    });
    expect(paged.lastSyncedAt).not.toBeNull();

    const bulkStore = await newStore(domain, token);
    const claim = await claimSync(db(), bulkStore.id, "bulk-test");
    await runFullSync(
      { ...appJobDeps(runtime), queue },
      {
        api: shopifyAdminApi(appJobDeps(runtime), claim!.store),
        store: claim!.store,
        runner: "bulk-test",
        resumeBulkOperationId: null,
        startedAt: claim!.state.startedAt!,
        bulkThreshold: 0,
      },
    );
    const bulk = await storeNow(bulkStore.id);
    expect(bulk.syncState).toMatchObject({ state: "succeeded", mode: "bulk", done: 61 });
    expect([...shopify.state.bulkOperations.values()].filter((op) => op.shop === domain)).toHaveLength(1);

    const a = await liveProducts(paged.id);
    const b = await liveProducts(bulkStore.id);
    expect(a).toHaveLength(61);
    expect(b.map(comparable)).toEqual(a.map(comparable));

    const shirt = a.find((p) => p.platformId === gid(linen.id))!;
    expect(shirt.variants).toHaveLength(15);
    expect(shirt).toMatchObject({
      priceMin: "1290.0000",
      priceMax: "1330.0000",
      currency: "THB",
      description: "Breathable linen.",
    });
    expect(shirt.url).toMatch(/^https:\/\/shop-[0-9a-f]+\.example\.com\/products\/linen-shirt$/);
    const { doc, chunks: pieces } = await documentOf(shirt.id);
    expect(doc).toMatchObject({ title: "Linen Shirt", status: "ready", documentType: "product" });
    const text = pieces.map((c) => c.content).join("\n");
    expect(text).toContain("Price: 1290.00 THB – 1330.00 THB");
    expect(text).toContain("- XS / Natural (Size: XS, Color: Natural): 1290.00 THB, out of stock");

    // The generated catalog has one draft (#50): its row is kept, it has no document.
    const docs = await db()
      .select({ productId: documents.productId })
      .from(documents)
      .where(
        and(
          isNotNull(documents.productId),
          isNull(documents.deletedAt),
          sql`${documents.productId} in (select id from product where store_id = ${paged.id})`,
        ),
      );
    expect(docs).toHaveLength(a.filter((p) => p.status === "ACTIVE").length);
    expect(a.filter((p) => p.status === "DRAFT")).toHaveLength(1);
  });

  it("waits out 429s, THROTTLED answers and 5xx, and ends with every product", async () => {
    const { domain, token } = newShop(30);
    shopify.state.faults.push(
      { kind: "http_429", on: "graphql", shop: domain, times: 1, retryAfterSeconds: 1 },
      { kind: "throttled", on: "graphql", shop: domain, times: 2 },
      { kind: "http_503", on: "graphql", shop: domain, times: 1 },
    );
    const done = await sync(await newStore(domain, token));
    expect(done.syncState).toMatchObject({ state: "succeeded", done: 31 });
    expect(await liveProducts(done.id)).toHaveLength(31);
    const calls = shopify.calls.filter((c) => c.shop === domain && c.kind === "graphql");
    expect(calls.map((c) => c.status)).toContain(429);
    expect(calls.map((c) => c.status)).toContain(503);
    expect(calls.filter((c) => c.errorCodes?.includes("THROTTLED"))).toHaveLength(2);
  });

  it("removes products no longer in the catalog and rewrites only the documents whose text changed", async () => {
    const { domain, token, linen } = newShop(10);
    const store = await sync(await newStore(domain, token));
    const all = await liveProducts(store.id);
    const [gone, changed, same] = all.filter((p) => p.platformId !== gid(linen.id));
    const id = (p: typeof gone) => Number(p!.platformId.split("/").pop());
    const sameChunks = (await documentOf(same!.id)).chunks.map((c) => c.id);
    const goneDoc = (await documentOf(gone!.id)).doc!;

    shopify.deleteProduct(domain, id(gone), { silent: true });
    const variant = shopify.state.shops.get(domain)!.products.get(id(changed))!.variants[0]!;
    shopify.updateProduct(domain, id(changed), { variants: [{ id: variant.id, price: "777.00" }] }, { silent: true });
    const again = await sync(store);
    expect(again.syncState).toMatchObject({ state: "succeeded", done: all.length - 1 });

    expect((await productRow(store.id, gone!.platformId))!.deletedAt).not.toBeNull();
    const [removedDoc] = await db().select().from(documents).where(eq(documents.id, goneDoc.id));
    expect(removedDoc!.deletedAt).not.toBeNull();
    expect(await db().select().from(chunks).where(eq(chunks.documentId, goneDoc.id))).toHaveLength(0);

    expect((await documentOf(changed!.id)).chunks.map((c) => c.content).join("\n")).toContain("777.00 THB");
    // Same text, same checksum: the chunks (and so their embeddings) were left alone.
    expect((await documentOf(same!.id)).chunks.map((c) => c.id)).toEqual(sameChunks);
  });

  it("ends failed with a reason a person can act on when Shopify refuses the token", async () => {
    const { domain, token } = newShop(3);
    const store = await newStore(domain, token);
    shopify.state.tokens.delete(token);
    const failed = await sync(store);
    expect(failed.status).toBe("error");
    expect(failed.syncState.state).toBe("failed");
    expect(failed.syncState.error).toMatch(/refused the access token.*Connect the store again/);
    expect(failed.statusReason).toBe(failed.syncState.error);
  });

  it("resumes the bulk operation of a sync that crashed instead of starting another", async () => {
    const { domain, token } = newShop(8);
    const store = await newStore(domain, token);
    const claim = await claimSync(db(), store.id, "crashed-run");
    const api = shopifyAdminApi(appJobDeps(runtime), claim!.store);
    const { data } = await api.graphql<{ bulkOperationRunQuery: { bulkOperation: { id: string } } }>(
      `mutation { bulkOperationRunQuery(query: "{ products { edges { node { id title } } } }") { bulkOperation { id } userErrors { message } } }`,
    );
    const operationId = data.bulkOperationRunQuery.bulkOperation.id;
    // The crashed run had recorded its operation, then stopped beating.
    const stale = new Date(Date.now() - 10 * 60_000).toISOString();
    await db()
      .update(shopifyStores)
      .set({
        syncState: sql`${shopifyStores.syncState} || ${JSON.stringify({ bulkOperationId: operationId, mode: "bulk", heartbeatAt: stale })}::jsonb`,
      })
      .where(eq(shopifyStores.id, store.id));

    const done = await sync(store);
    expect(done.syncState).toMatchObject({ state: "succeeded", mode: "bulk", bulkOperationId: null });
    expect([...shopify.state.bulkOperations.values()].filter((op) => op.shop === domain)).toHaveLength(1);
    // The resumed operation selected only id and title: the catalog is there, and a later sync fills the rest.
    expect(await liveProducts(store.id)).toHaveLength(9);
  });
});

describe("product webhooks", () => {
  it("products/update writes the fresh product and re-chunks its document; products/delete removes both", async () => {
    const { domain, token, linen } = newShop(2);
    const store = await sync(await newStore(domain, token));
    const before = (await productRow(store.id, gid(linen.id)))!;

    const first = linen.variants[0]!;
    const updated = shopify.updateProduct(
      domain,
      linen.id,
      { title: "Linen Shirt (relaxed)", variants: [{ id: first.id, price: "990.00" }] },
      { silent: true },
    );
    const event = await deliver(
      store,
      "products/update",
      { id: linen.id, admin_graphql_api_id: gid(linen.id), updated_at: updated.updatedAt },
      new Date(updated.updatedAt),
    );
    expect(event).toMatchObject({ error: null });
    expect(event.processedAt).not.toBeNull();
    const after = (await productRow(store.id, gid(linen.id)))!;
    expect(after).toMatchObject({ id: before.id, title: "Linen Shirt (relaxed)", priceMin: "990.0000" });
    const { doc, chunks: pieces } = await documentOf(after.id);
    // The title is the document's (prompts show it beside each passage) and every chunk's heading path.
    expect(doc!.title).toBe("Linen Shirt (relaxed)");
    expect(pieces[0]!.metadata).toMatchObject({ headingPath: ["Linen Shirt (relaxed)"] });
    expect(pieces.map((c) => c.content).join("\n")).toContain("- XS / Natural (Size: XS, Color: Natural): 990.00 THB");

    shopify.deleteProduct(domain, linen.id, { silent: true });
    await deliver(store, "products/delete", { id: linen.id }, new Date());
    expect((await productRow(store.id, gid(linen.id)))!.deletedAt).not.toBeNull();
    expect((await documentOf(after.id)).doc).toBeUndefined();
  });

  it("ignores a stale delivery without asking Shopify, and a late one never regresses the product", async () => {
    const { domain, token, linen } = newShop(2);
    const store = await sync(await newStore(domain, token));
    const variant = linen.variants[0]!;

    const newer = shopify.updateProduct(
      domain,
      linen.id,
      { variants: [{ id: variant.id, price: "222.00" }] },
      { silent: true },
    );
    await deliver(store, "products/update", { id: linen.id }, new Date(newer.updatedAt));
    const stored = (await productRow(store.id, gid(linen.id)))!;
    expect(stored.priceMin).toBe("222.0000");

    // Shopify changed it again, but this delivery was triggered before what we hold: stale.
    shopify.updateProduct(domain, linen.id, { variants: [{ id: variant.id, price: "333.00" }] }, { silent: true });
    const asked = productQueries(domain);
    const stale = await deliver(
      store,
      "products/update",
      { id: linen.id, updated_at: new Date(stored.updatedAtPlatform!.getTime() - 60_000).toISOString() },
      new Date(stored.updatedAtPlatform!.getTime() - 60_000),
    );
    expect(stale.processedAt).not.toBeNull();
    expect(productQueries(domain)).toBe(asked);
    expect((await productRow(store.id, gid(linen.id)))!.priceMin).toBe("222.0000");

    // An older delivery arriving late (same second as what we hold): read fresh, so it writes the current state.
    await deliver(store, "products/update", { id: linen.id }, stored.updatedAtPlatform);
    expect((await productRow(store.id, gid(linen.id)))!.priceMin).toBe("333.0000");
  });

  it("inventory_levels/update finds the product by its inventory item and says out of stock", async () => {
    const { domain, token, linen } = newShop(1);
    const store = await sync(await newStore(domain, token));
    const updated = shopify.updateProduct(
      domain,
      linen.id,
      { variants: linen.variants.map((v) => ({ id: v.id, inventoryQuantity: 0 })) },
      { silent: true },
    );
    await deliver(
      store,
      "inventory_levels/update",
      {
        inventory_item_id: linen.variants[0]!.inventoryItemId,
        location_id: 1,
        available: 0,
        updated_at: updated.updatedAt,
      },
      new Date(updated.updatedAt),
    );
    const row = (await productRow(store.id, gid(linen.id)))!;
    expect(row).toMatchObject({ available: false, totalInventory: 0 });
    expect((await documentOf(row.id)).chunks.map((c) => c.content).join("\n")).toContain("Availability: out of stock");
  });
});

describe("the catalog routes and the nightly reconcile", () => {
  async function owner() {
    const ws = await createSignInWorkspace(runtime);
    const client = new TestClient(app);
    expect((await client.signIn(ws.owner.user.email, TEST_PASSWORD)).status).toBe(200);
    return { ws, client };
  }

  it("refuses a second sync of a store while one runs; the job of another run does nothing", async () => {
    const { domain, token } = newShop(4);
    const { ws, client } = await owner();
    const store = await newStore(domain, token, ws.workspace.id);
    await claimSync(db(), store.id, "someone-else");

    const refused = await client.post(`/api/v1/integrations/shopify/${store.id}/sync`);
    expect(refused.status).toBe(409);
    expect((await refused.json()).error.code).toBe("shopify_sync_running");

    const calls = shopify.calls.filter((c) => c.shop === domain).length;
    await queue.enqueue(
      syncShopifyStore,
      { storeId: store.id, kind: "full" },
      { workspaceId: store.workspaceId, jobId: `dup:${hex(4)}` },
    );
    await until(
      "the duplicate job to end",
      () => queue.counts({ workspaceId: store.workspaceId }),
      (c) => c.active + c.waiting === 0,
    );
    expect(shopify.calls.filter((c) => c.shop === domain).length).toBe(calls);
    expect((await storeNow(store.id)).syncState).toMatchObject({ state: "running", runner: "someone-else" });

    await finishSync(db(), store.id, "someone-else", { ok: true, done: 0, total: 0 });
    const accepted = await client.post(`/api/v1/integrations/shopify/${store.id}/sync`);
    expect(accepted.status).toBe(202);
    expect(await accepted.json()).toMatchObject({ state: "running", kind: "full", done: 0 });
    const done = await until(
      "the sync",
      () => storeNow(store.id),
      (s) => s.syncState.state !== "running",
    );
    expect(done.syncState).toMatchObject({ state: "succeeded", done: 5 });

    const page = await (await client.get(`/api/v1/integrations/shopify/${store.id}/products?limit=3`)).json();
    expect(page.data).toHaveLength(3);
    const next = await (
      await client.get(`/api/v1/integrations/shopify/${store.id}/products?limit=3&cursor=${page.nextCursor}`)
    ).json();
    const listed = [...page.data, ...next.data].map((p: { title: string }) => p.title);
    expect(next.nextCursor).toBeNull();
    expect(listed.sort()).toEqual((await liveProducts(store.id)).map((p) => p.title).sort());
    const found = await (await client.get(`/api/v1/integrations/shopify/${store.id}/products?q=linen`)).json();
    expect(found.data).toEqual([
      expect.objectContaining({ title: "Linen Shirt", priceMin: "1290.00", currency: "THB" }),
    ]);

    const other = await owner();
    expect((await other.client.post(`/api/v1/integrations/shopify/${store.id}/sync`)).status).toBe(404);
    expect((await other.client.get(`/api/v1/integrations/shopify/${store.id}/products`)).status).toBe(404);
  });

  it("enqueues one sync a day per connected store and marks crashed syncs failed", async () => {
    const { domain, token } = newShop(1);
    const crashed = await newStore(domain, token);
    await claimSync(db(), crashed.id, "crashed");
    await db()
      .update(shopifyStores)
      .set({
        syncState: sql`${shopifyStores.syncState} || ${JSON.stringify({ heartbeatAt: new Date(Date.now() - 10 * 60_000).toISOString() })}::jsonb`,
      })
      .where(eq(shopifyStores.id, crashed.id));
    // A queue that is never started: the reconcile's jobs are only counted here.
    const counting = createDbJobQueue<AppJobDeps>({
      db: db(),
      registry: registerAllJobs(new JobRegistry<AppJobDeps>()),
      deps: appJobDeps(runtime),
      log: silentLogger,
    });
    expect(await failStaleSyncs(db())).toContainEqual({ id: crashed.id, workspaceId: crashed.workspaceId });
    const failed = await storeNow(crashed.id);
    expect(failed.status).toBe("error");
    expect(failed.syncState).toMatchObject({ state: "failed", error: expect.stringMatching(/stopped unexpectedly/) });

    // This store's reconcile jobs (the file's other stores come and go with their tests' background jobs).
    const reconciles = async () =>
      (
        await db()
          .select({ key: jobs.jobKey })
          .from(jobs)
          .where(sql`${jobs.jobKey} LIKE ${`shopify-sync:${crashed.id}:day-%`}`)
      )
        .map((j) => j.key)
        .sort();
    const day = Date.UTC(2030, 0, 1, 3);
    const dayKey = (t: number) => `shopify-sync:${crashed.id}:day-${Math.floor(t / (24 * 60 * 60_000))}`;
    expect(await scheduleShopifyReconcile(appJobDeps(runtime), counting, day)).toBeGreaterThan(0);
    expect(await reconciles()).toEqual([dayKey(day)]);
    expect(await scheduleShopifyReconcile(appJobDeps(runtime), counting, day + 60 * 60_000)).toBe(0);
    expect(await reconciles()).toEqual([dayKey(day)]);
    expect(await scheduleShopifyReconcile(appJobDeps(runtime), counting, day + 24 * 60 * 60_000)).toBeGreaterThan(0);
    expect(await reconciles()).toEqual([dayKey(day), dayKey(day + 24 * 60 * 60_000)].sort());
  });
});

it("a resync of the demo store from the simulator's demo shop ends, with the seeded products updated in place", async () => {
  const { workspace } = await createSignInWorkspace(runtime);
  const { storeId } = await seedDemoShopifyStore(db(), { workspaceId: workspace.id, keyring: runtime.keyring });
  const before = await db().select({ id: products.id }).from(products).where(eq(products.storeId, storeId));
  await queue.enqueue(syncShopifyStore, { storeId, kind: "full" }, { workspaceId: workspace.id });
  await expect
    .poll(
      async () => {
        const row = await storeNow(storeId);
        return `${row.syncState.state} ${row.status} ${row.syncState.error ?? ""}`.trim();
      },
      { timeout: 30_000, interval: 200 },
    )
    .toBe("succeeded active");
  const after = await db().select({ id: products.id }).from(products).where(eq(products.storeId, storeId));
  expect(after.map((p) => p.id).sort()).toEqual(before.map((p) => p.id).sort());
});
