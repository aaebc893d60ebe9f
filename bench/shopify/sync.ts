/**
 * Catalog sync speed: a full sync of a 10,000-product store (the simulator's generated catalog, 1–4
 * variants each) from the fake Shopify in a child process (`simulator-process.ts`), run by the
 * `shopify-sync` job on the embedded queue and database (in-memory PGlite, one process) — a bulk
 * operation, its JSONL streamed. Prints the time, products/s and the process's peak RSS (sampled
 * every 50 ms during the sync, and the OS's high-water mark); then a resync of the unchanged catalog
 * (nothing to re-chunk); then, `BENCH_PAGES` products (default 1,000) synced in pages against the
 * simulator's cost bucket (1,000 points, restoring 50 a second: Shopify's Standard plan restores 100);
 * then the delay from a product webhook (stored as the ingress stores it, its `shopify-webhook` job
 * enqueued) to the product's document chunks holding the new price, p50/p95 over `BENCH_WEBHOOKS`
 * (default 30) webhooks one after another.
 * Usage: npx tsx bench/shopify/sync.ts [products=10000]
 */
import { randomBytes } from "node:crypto";
import {
  type AppJobDeps,
  appJobDeps,
  createDbJobQueue,
  JobRegistry,
  processShopifyWebhook,
  registerAllJobs,
  silentLogger,
  syncShopifyStore,
} from "@tandem/core";
import { chunks, documents, products, shopifyStores, shopifyWebhookEvents } from "@tandem/db";
import { createWorkspace } from "@tandem/db/testing";
import { and, eq, isNull } from "drizzle-orm";
import { createTestRuntime } from "../../tests/support/runtime.ts";
import { percentile } from "../lib.ts";
import { startSimulatorProcess } from "../simulator-process.ts";

const PRODUCTS = Number(process.argv[2] ?? 10_000);
const PAGES = Number(process.env.BENCH_PAGES ?? 1_000);
const WEBHOOKS = Number(process.env.BENCH_WEBHOOKS ?? 30);
const hex = (n: number) => randomBytes(n).toString("hex");
const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

const sim = await startSimulatorProcess();
const control = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
  const res = await fetch(`${sim.url}/_control/shopify${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
};

const runtime = await createTestRuntime({ SHOPIFY_API_URL: `${sim.url}/shopify` });
const queue = createDbJobQueue<AppJobDeps>({
  db: runtime.database.db,
  registry: registerAllJobs(new JobRegistry<AppJobDeps>()),
  deps: appJobDeps(runtime),
  log: silentLogger,
  pollIntervalMs: 50,
});
runtime.queue = queue;
await queue.start();
const db = runtime.database.db;

try {
  const clientId = hex(16);
  await control("POST", "/apps", { clientId, clientSecret: `shpss_${hex(16)}` });

  async function store(count: number) {
    const domain = `bench-${hex(4)}.myshopify.com`;
    const started = performance.now();
    await control("POST", "/shops", { domain, name: "Bench Outfitters", currencyCode: "USD", generateProducts: count });
    const seeded = performance.now() - started;
    const { accessToken } = await control<{ accessToken: string }>("POST", `/shops/${domain}/tokens`, { clientId });
    const workspace = await createWorkspace(db);
    const [row] = await db
      .insert(shopifyStores)
      .values({
        workspaceId: workspace.id,
        shopDomain: domain,
        accessTokenEncrypted: runtime.keyring.encrypt(accessToken),
      })
      .returning();
    return { domain, store: row!, seededMs: seeded };
  }

  async function timedSync(label: string, row: typeof shopifyStores.$inferSelect) {
    const before = (await storeRow(row.id)).syncState.finishedAt;
    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 50);
    const started = performance.now();
    await queue.enqueue(
      syncShopifyStore,
      { storeId: row.id, kind: "full" },
      { workspaceId: row.workspaceId, jobId: hex(8) },
    );
    let done: typeof shopifyStores.$inferSelect;
    for (;;) {
      done = await storeRow(row.id);
      if (done.syncState.state !== "running" && done.syncState.finishedAt !== before) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    const ms = performance.now() - started;
    clearInterval(sampler);
    const count = (
      await db
        .select({ id: products.id })
        .from(products)
        .where(and(eq(products.storeId, row.id), isNull(products.deletedAt)))
    ).length;
    console.log(
      JSON.stringify({
        name: label,
        state: done.syncState.state,
        mode: done.syncState.mode,
        error: done.syncState.error,
        products: count,
        seconds: +(ms / 1000).toFixed(1),
        productsPerSec: Math.round((count / ms) * 1000),
        peakRssMb: mb(peak),
        maxRssMbSinceStart: Math.round(process.resourceUsage().maxRSS / 1024),
      }),
    );
  }

  async function storeRow(id: string) {
    const [row] = await db.select().from(shopifyStores).where(eq(shopifyStores.id, id));
    return row!;
  }

  console.log(JSON.stringify({ name: "start", rssMb: mb(process.memoryUsage().rss) }));
  const big = await store(PRODUCTS);
  console.log(
    JSON.stringify({
      name: "simulator catalog",
      products: PRODUCTS + 0,
      seededSeconds: +(big.seededMs / 1000).toFixed(1),
    }),
  );
  await timedSync(`full sync, ${PRODUCTS} products`, big.store);
  await timedSync(`resync, ${PRODUCTS} products unchanged`, big.store);

  if (PAGES > 0) {
    const small = await store(PAGES);
    await timedSync(`full sync in pages, ${PAGES} products`, small.store);
  }

  // Webhook → document: one product's price changed on Shopify, its products/update applied.
  const { data: listed } = await control<{
    data: { id: number; gid: string; status: string; variants: { id: number }[] }[];
  }>("GET", `/shops/${big.domain}/products`);
  const sample = listed.filter((p) => p.status === "ACTIVE");
  const delays: number[] = [];
  for (let i = 0; i < WEBHOOKS; i += 1) {
    const product = sample[(i * 97) % sample.length]!;
    const price = (100 + i + Math.random()).toFixed(2);
    const updated = await control<{ updatedAt: string }>("PATCH", `/shops/${big.domain}/products/${product.id}`, {
      variants: [{ id: product.variants[0]!.id, price }],
      silent: true,
    });
    const [row] = await db
      .select({ id: products.id })
      .from(products)
      .where(and(eq(products.storeId, big.store.id), eq(products.platformId, product.gid)));
    const started = performance.now();
    const [event] = await db
      .insert(shopifyWebhookEvents)
      .values({
        workspaceId: big.store.workspaceId,
        storeId: big.store.id,
        webhookId: hex(8),
        topic: "products/update",
        // A second later than Shopify's own stamp, as deliveries are: never mistaken for stale.
        triggeredAt: new Date(Date.parse(updated.updatedAt) + 1000),
        payload: { id: product.id, admin_graphql_api_id: product.gid, updated_at: updated.updatedAt },
      })
      .returning();
    await queue.enqueue(processShopifyWebhook, { eventId: event!.id }, { workspaceId: big.store.workspaceId });
    for (;;) {
      const [hit] = await db
        .select({ content: chunks.content })
        .from(chunks)
        .innerJoin(documents, eq(documents.id, chunks.documentId))
        .where(and(eq(documents.productId, row!.id), isNull(documents.deletedAt)));
      if (hit?.content.includes(`${price} USD`)) break;
      await new Promise((r) => setTimeout(r, 2));
    }
    delays.push(performance.now() - started);
  }
  const sorted = [...delays].sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      name: "product webhook → document updated",
      webhooks: delays.length,
      p50Ms: +percentile(sorted, 50).toFixed(1),
      p95Ms: +percentile(sorted, 95).toFixed(1),
      maxMs: +sorted[sorted.length - 1]!.toFixed(1),
    }),
  );
} finally {
  await queue.stop({ timeoutMs: 5000 });
  await runtime.close();
  sim.stop();
}
