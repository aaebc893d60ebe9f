import type { ShopifySyncDto } from "@tandem/contracts";
import { type Db, type ShopifySyncState, shopifyStores } from "@tandem/db";
import { and, eq, sql } from "drizzle-orm";

/**
 * A store's `sync_state` as a lease: a full sync claims it (`runner` = its job key), writes a
 * heartbeat at every step, and ends it `succeeded` or `failed`. Two syncs of one store never run at
 * once: another runner is refused while the heartbeat is fresh. A `running` state whose heartbeat is
 * older than `SYNC_STALE_MS` belongs to a sync that crashed: the next run takes it over (resuming its
 * bulk operation when it had one), and the hourly sweep marks it failed when no run comes.
 */
export const SYNC_STALE_MS = 2 * 60_000;

type StoreRow = typeof shopifyStores.$inferSelect;

/** A sync holds the store now: `running` with a heartbeat younger than `SYNC_STALE_MS`. */
export function syncIsRunning(state: ShopifySyncState, now = Date.now()): boolean {
  if (state.state !== "running") return false;
  const beat = state.heartbeatAt ? Date.parse(state.heartbeatAt) : Number.NaN;
  return Number.isFinite(beat) && now - beat < SYNC_STALE_MS;
}

/** The state as the API shows it, without the lease's bookkeeping (runner, heartbeat, bulk operation). */
export function shopifySyncDto(state: ShopifySyncState): ShopifySyncDto {
  const { state: s, kind, mode, done, total, startedAt, finishedAt, error } = state;
  return { state: s, kind, mode, done, total, startedAt, finishedAt, error };
}

/** The state a new (or requested) full sync starts with. */
export function startingState(runner: string, now = new Date()): ShopifySyncState {
  return {
    state: "running",
    kind: "full",
    mode: null,
    done: 0,
    total: null,
    startedAt: now.toISOString(),
    finishedAt: null,
    error: null,
    bulkOperationId: null,
    bulkFinishedAt: null,
    runner,
    heartbeatAt: now.toISOString(),
  };
}

export interface SyncClaim {
  store: StoreRow;
  state: ShopifySyncState;
  /** A bulk operation the previous run of this sync (or a crashed one) started: read it, start none. */
  resumeBulkOperationId: string | null;
}

/**
 * Takes the store's sync for `runner`, or answers null: the store is gone or disconnected, or another
 * sync holds it. The same runner (the job retried, or run again after its worker died) and a crashed
 * one take over; a bulk operation they started is resumed rather than started again.
 */
export async function claimSync(db: Db, storeId: string, runner: string): Promise<SyncClaim | null> {
  return db.transaction(async (txDb) => {
    const tx = txDb as unknown as Db;
    const [store] = await tx.select().from(shopifyStores).where(eq(shopifyStores.id, storeId)).for("update");
    if (!store || store.status === "disconnected") return null;
    const previous = store.syncState;
    const mine = previous.runner === runner;
    if (previous.state === "running" && !mine && syncIsRunning(previous)) return null;
    const resumable = previous.state === "running" && previous.bulkOperationId ? previous.bulkOperationId : null;
    const now = new Date();
    const state: ShopifySyncState = resumable
      ? { ...previous, runner, heartbeatAt: now.toISOString(), error: null }
      : startingState(runner, now);
    const [claimed] = await tx
      .update(shopifyStores)
      .set({ syncState: state, status: "syncing", updatedAt: now })
      .where(eq(shopifyStores.id, storeId))
      .returning();
    return { store: claimed!, state, resumeBulkOperationId: resumable };
  });
}

/**
 * Merges `patch` into the state and beats the heartbeat, while `runner` still holds the sync. False
 * when it lost it (a crash was assumed and another run took over, or the store was disconnected):
 * the caller stops.
 */
export async function saveSyncState(
  db: Db,
  storeId: string,
  runner: string,
  patch: Partial<ShopifySyncState>,
): Promise<boolean> {
  const merged = { ...patch, heartbeatAt: new Date().toISOString() };
  const rows = await db
    .update(shopifyStores)
    .set({ syncState: sql`${shopifyStores.syncState} || ${JSON.stringify(merged)}::jsonb` })
    .where(
      and(
        eq(shopifyStores.id, storeId),
        sql`${shopifyStores.syncState}->>'runner' = ${runner}`,
        // Disconnected meanwhile: its catalog was removed, the sync stops.
        sql`${shopifyStores.status} <> 'disconnected'`,
      ),
    )
    .returning({ id: shopifyStores.id });
  return rows.length > 0;
}

/** Ends the sync: `active` with `lastSyncedAt`, or `error` with the reason a person reads. */
export async function finishSync(
  db: Db,
  storeId: string,
  runner: string,
  outcome: { ok: true; done: number; total: number | null } | { ok: false; error: string },
): Promise<boolean> {
  const now = new Date();
  const patch: Partial<ShopifySyncState> = outcome.ok
    ? { state: "succeeded", done: outcome.done, total: outcome.total, error: null }
    : { state: "failed", error: outcome.error };
  const rows = await db
    .update(shopifyStores)
    .set({
      syncState: sql`${shopifyStores.syncState} || ${JSON.stringify({
        ...patch,
        finishedAt: now.toISOString(),
        bulkOperationId: null,
        bulkFinishedAt: null,
        heartbeatAt: null,
      })}::jsonb`,
      status: sql`case when ${shopifyStores.status} = 'disconnected' then ${shopifyStores.status} else ${outcome.ok ? "active" : "error"}::shopify_store_status end`,
      statusReason: outcome.ok ? null : outcome.error,
      syncError: outcome.ok ? null : outcome.error,
      ...(outcome.ok ? { lastSyncedAt: now } : {}),
      updatedAt: now,
    })
    .where(and(eq(shopifyStores.id, storeId), sql`${shopifyStores.syncState}->>'runner' = ${runner}`))
    .returning({ id: shopifyStores.id });
  return rows.length > 0;
}

/** The stores whose sync crashed with no run to take it over: marked failed, so none shows `syncing` for ever. */
export async function failStaleSyncs(db: Db, now = Date.now()): Promise<{ id: string; workspaceId: string }[]> {
  const cutoff = new Date(now - SYNC_STALE_MS).toISOString();
  const error = "The sync stopped unexpectedly (the server restarted?). Start it again with Resync.";
  const rows = await db
    .update(shopifyStores)
    .set({
      syncState: sql`${shopifyStores.syncState} || ${JSON.stringify({
        state: "failed",
        error,
        finishedAt: new Date(now).toISOString(),
        heartbeatAt: null,
      })}::jsonb`,
      status: sql`case when ${shopifyStores.status} = 'syncing' then 'error'::shopify_store_status else ${shopifyStores.status} end`,
      syncError: error,
      statusReason: error,
      updatedAt: new Date(now),
    })
    .where(
      and(
        sql`${shopifyStores.syncState}->>'state' = 'running'`,
        // The bulk operation's sync waits for Shopify without a heartbeat only while its job backs off.
        sql`coalesce(${shopifyStores.syncState}->>'heartbeatAt', '1970-01-01') < ${cutoff}`,
      ),
    )
    .returning({ id: shopifyStores.id, workspaceId: shopifyStores.workspaceId });
  return rows;
}
