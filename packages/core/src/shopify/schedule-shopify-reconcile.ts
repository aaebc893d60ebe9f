import { shopifyStores } from "@tandem/db";
import { inArray } from "drizzle-orm";
import type { AppJobDeps } from "../app-deps.ts";
import type { JobQueue } from "../jobs/queue.ts";
import { shopifySyncJob } from "./jobs.ts";
import { publishShopifyUpdate } from "./store-to-dto.ts";
import { failStaleSyncs } from "./sync-state.ts";

const DAY_MS = 24 * 60 * 60_000;

/**
 * The nightly reconcile, from the hourly maintenance: a full sync of every connected store once a
 * day (the job id names the store and the day, so every hour's call after the first adds nothing) —
 * what webhooks missed is put right, products deleted while webhooks were down are removed. Syncs
 * that crashed with no run to take them over are marked failed first. Returns the syncs enqueued.
 */
export async function scheduleShopifyReconcile(
  deps: Pick<AppJobDeps, "db" | "log" | "realtime" | "config">,
  queue: JobQueue,
  now = Date.now(),
): Promise<number> {
  for (const store of await failStaleSyncs(deps.db, now)) {
    await publishShopifyUpdate(deps, { workspaceId: store.workspaceId, storeId: store.id });
  }
  const day = Math.floor(now / DAY_MS);
  const stores = await deps.db
    .select({ id: shopifyStores.id, workspaceId: shopifyStores.workspaceId })
    .from(shopifyStores)
    .where(inArray(shopifyStores.status, ["active", "error"]));
  if (stores.length === 0) return 0;
  const { added } = await queue.enqueueMany(
    shopifySyncJob,
    stores.map((s) => ({
      payload: { storeId: s.id, kind: "full" as const },
      workspaceId: s.workspaceId,
      jobId: `shopify-sync:${s.id}:day-${day}`,
    })),
  );
  return added;
}
