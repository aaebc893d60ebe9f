/**
 * The demo workspace's store (seeded as a finished sync leaves it) synced for real from the
 * simulator's demo shop: the sync ends, and updates the seeded products in place.
 */
import { serve } from "@hono/node-server";
import {
  type AppJobDeps,
  appJobDeps,
  createDbJobQueue,
  type JobQueue,
  JobRegistry,
  type Runtime,
  registerAllJobs,
  seedDemoShopifyStore,
  shopifySyncJob,
  silentLogger,
} from "@tandem/core";
import { products, shopifyStores } from "@tandem/db";
import { createSimulator, withDemoShop } from "@tandem/simulator";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestRuntime } from "../../../tests/support/runtime.ts";
import { createSignInWorkspace } from "../../../tests/support/workspace.ts";

const simulator = createSimulator({ shopify: withDemoShop() });
let server: ReturnType<typeof serve>;
let runtime: Runtime;
let queue: JobQueue;

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
});

afterAll(async () => {
  await queue.stop({ timeoutMs: 5000 });
  await runtime.close();
  await new Promise((resolve) => server.close(resolve));
});

it("a resync of the demo store from the simulator ends, with the seeded products updated in place", async () => {
  const { workspace } = await createSignInWorkspace(runtime);
  const db = runtime.database.db;
  const { storeId } = await seedDemoShopifyStore(db, { workspaceId: workspace.id, keyring: runtime.keyring });
  const before = await db.select({ id: products.id }).from(products).where(eq(products.storeId, storeId));
  await queue.enqueue(shopifySyncJob, { storeId, kind: "full" }, { workspaceId: workspace.id });
  await expect
    .poll(
      async () => {
        const [row] = await db.select().from(shopifyStores).where(eq(shopifyStores.id, storeId));
        return `${row!.syncState.state} ${row!.status} ${row!.syncState.error ?? ""}`.trim();
      },
      { timeout: 30_000, interval: 200 },
    )
    .toBe("succeeded active");
  const after = await db.select({ id: products.id }).from(products).where(eq(products.storeId, storeId));
  expect(after.map((p) => p.id).sort()).toEqual(before.map((p) => p.id).sort());
});
