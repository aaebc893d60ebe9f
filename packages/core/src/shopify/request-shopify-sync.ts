import { randomUUID } from "node:crypto";
import type { ShopifySyncDto } from "@tandem/contracts";
import { shopifyStores } from "@tandem/db";
import { eq } from "drizzle-orm";
import { recordAudit } from "../audit/record-audit.ts";
import type { Config } from "../config.ts";
import { type Ctx, withTransaction } from "../context.ts";
import { DomainError } from "../errors.ts";
import { queueOf } from "../jobs/job-scope.ts";
import { getShopifyStoreInWorkspace } from "./get-store-in-workspace.ts";
import { shopifySyncJob } from "./jobs.ts";
import { publishShopifyUpdate } from "./store-to-dto.ts";
import { shopifySyncDto, startingState, syncIsRunning } from "./sync-state.ts";

/**
 * A full sync asked for from the dashboard (`POST …/shopify/{id}/sync`): the store is marked syncing
 * at once, held for the job that is enqueued (so a second request is refused with 409
 * `shopify_sync_running` until it ends), and audited as `shopify_store.sync`.
 */
export async function requestShopifySync(
  ctx: Ctx,
  input: { id: string },
  deps: { config: Pick<Config, "shopifyApp"> },
): Promise<ShopifySyncDto> {
  const queue = queueOf(ctx);
  const runner = `shopify-sync:${input.id}:${randomUUID()}`;
  const state = startingState(runner);
  const store = await withTransaction(ctx, async (tx) => {
    const row = await getShopifyStoreInWorkspace(tx, input.id, { forUpdate: true });
    if (row.status === "disconnected") {
      throw new DomainError("shopify_store_disconnected", "This store is disconnected: connect it again to sync it");
    }
    if (syncIsRunning(row.syncState)) {
      throw new DomainError("shopify_sync_running", "This store is syncing already; wait for it to finish");
    }
    await tx.db
      .update(shopifyStores)
      .set({ syncState: state, status: "syncing", updatedAt: new Date() })
      .where(eq(shopifyStores.id, row.id));
    await recordAudit(tx, { action: "shopify_store.sync", entityType: "shopify_store", entityId: row.id });
    return row;
  });
  await publishShopifyUpdate({ ...ctx, config: deps.config }, { workspaceId: store.workspaceId, storeId: store.id });
  await queue.enqueue(
    shopifySyncJob,
    { storeId: store.id, kind: "full" },
    { jobId: runner, workspaceId: store.workspaceId },
  );
  return shopifySyncDto(state);
}
