import { SHOPIFY_BULK_THRESHOLD } from "@tandem/contracts";
import { type Db, knowledgeSources, products, type ShopifySyncState, shopifyStores } from "@tandem/db";
import { and, eq, isNull, lt } from "drizzle-orm";
import type { AppJobDeps } from "../app-deps.ts";
import { defineJob, type JobContext } from "../jobs/define-job.ts";
import { isRetryable } from "../jobs/errors.ts";
import type { JobQueue } from "../jobs/queue.ts";
import { publishKnowledgeUpdate } from "../knowledge/publish-knowledge-update.ts";
import { scheduleEmbeddingsAfter } from "../knowledge/schedule-embeddings-after.ts";
import { settleKnowledgeWrites } from "../maintenance/database-maintenance.ts";
import { outboundFetchFor } from "../net/outbound.ts";
import { readBulkProducts, SyncTakenOver, startBulkOperation, waitForBulkOperation } from "./bulk-catalog.ts";
import {
  allVariants,
  type CatalogShop,
  fetchProduct,
  PRODUCTS_COUNT_QUERY,
  PRODUCTS_PAGE_QUERY,
  type ProductNode,
  type ProductRecord,
  SHOP_QUERY,
  type ShopNode,
  toProductRecord,
} from "./catalog-query.ts";
import { type CatalogSource, ensureCatalogSource } from "./catalog-source.ts";
import { shopifySyncJobSettings } from "./jobs.ts";
import { type ShopifyAdminApi, ShopifyApiError, ShopifyReconnectRequired } from "./shopify-api.ts";
import { shopifyAdminApi } from "./shopify-client.ts";
import { publishShopifyUpdate } from "./store-to-dto.ts";
import { claimSync, finishSync, saveSyncState } from "./sync-state.ts";
import { type CatalogTarget, removeProducts, writeProducts } from "./write-products.ts";

type StoreRow = typeof shopifyStores.$inferSelect;
type ProductPage = { nodes: ProductNode[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };

/** Products written per transaction (and per progress step); pages hold `PAGE_PRODUCTS` each. */
const BATCH = 100;
/** Live progress at most this often (plus at the start and the end). */
const PUBLISH_EVERY_MS = 500;

/**
 * The full sync of a store (docs/shopify.md "Catalog sync"): the shop's metadata, then every product
 * with its variants — pages (`PAGE_PRODUCTS`, as many as one query's cost allows) up to
 * `SHOPIFY_BULK_THRESHOLD` products, one bulk operation above —
 * written in batches with one knowledge document each; products no longer in the catalog are removed
 * at the end. Progress in `sync_state` and live as `shopify:updated`.
 *
 * One sync per store at a time (`sync-state.ts`): a second job finds the store held and does nothing.
 * Shopify failures that may pass (throttled past the client's own retries, 5xx) are retried by the
 * queue; anything else, or the last attempt, ends the sync `failed` and the store `error` with the reason.
 */
export const syncShopifyStore = defineJob({
  ...shopifySyncJobSettings,
  handle: async ({ storeId }, ctx: JobContext<AppJobDeps>) => {
    const runner = ctx.jobKey ?? ctx.jobId;
    const claim = await claimSync(ctx.db, storeId, runner);
    ctx.log.info({ storeId, runner, claimed: Boolean(claim) }, "a Shopify sync starts");
    if (!claim) {
      ctx.log.info({ storeId }, "the store is syncing already, or gone: nothing to do");
      return;
    }
    await publishShopifyUpdate(ctx, { workspaceId: claim.store.workspaceId, storeId });
    try {
      const api = shopifyAdminApi({ ...ctx, signal: ctx.signal }, claim.store);
      const outcome = await runFullSync(ctx, {
        api,
        store: claim.store,
        runner,
        resumeBulkOperationId: claim.resumeBulkOperationId,
        startedAt: claim.state.startedAt ?? new Date().toISOString(),
      });
      ctx.log.info({ storeId, runner, ...outcome }, "a Shopify sync finished");
    } catch (error) {
      if (error instanceof SyncTakenOver) {
        ctx.log.info(
          { storeId, runner },
          "a Shopify sync stopped: another run holds the store now, or it was disconnected",
        );
        return;
      }
      const retry = isRetryable(error) && ctx.attempt < ctx.maxAttempts;
      const reason = readableReason(error);
      if (retry) {
        await saveSyncState(ctx.db, storeId, runner, { error: `${reason} Trying again shortly.` });
        await publishShopifyUpdate(ctx, { workspaceId: claim.store.workspaceId, storeId });
        throw error;
      }
      ctx.log.warn({ err: error, storeId }, "a Shopify sync failed");
      await finishSync(ctx.db, storeId, runner, { ok: false, error: reason });
      await publishShopifyUpdate(ctx, { workspaceId: claim.store.workspaceId, storeId });
    }
  },
});

interface SyncRun {
  api: ShopifyAdminApi;
  store: StoreRow;
  runner: string;
  resumeBulkOperationId: string | null;
  /** When the sync began (a resumed one: when the crashed run began). */
  startedAt: string;
  /** Above this many products a bulk operation reads the catalog (tests and the bench lower it). */
  bulkThreshold?: number;
}

type SyncDeps = Pick<AppJobDeps, "db" | "log" | "config" | "realtime"> & {
  queue?: JobQueue | undefined;
  signal?: AbortSignal | undefined;
};

/** The sync itself, once claimed (tests call it with a lower `bulkThreshold`). */
export async function runFullSync(deps: SyncDeps, run: SyncRun): Promise<{ done: number; removed: number }> {
  const { api, store, runner, resumeBulkOperationId } = run;
  const save = async (patch: Partial<ShopifySyncState>) => {
    if (!(await saveSyncState(deps.db, store.id, runner, patch))) throw new SyncTakenOver();
  };
  const shop = await syncShopMetadata(deps.db, api, store);
  const source = await ensureCatalogSource(deps.db, { ...store, name: shop.name });
  const target: CatalogTarget = {
    store: { id: store.id, workspaceId: store.workspaceId },
    source: { id: source.id, chatbotId: source.chatbotId },
  };
  const catalogShop: CatalogShop = { currency: shop.currencyCode, primaryDomainUrl: shop.primaryDomain?.url ?? null };
  const { data: counted } = await api.graphql<{ productsCount: { count: number } | null }>(PRODUCTS_COUNT_QUERY);
  const total = counted.productsCount?.count ?? null;
  const threshold = run.bulkThreshold ?? SHOPIFY_BULK_THRESHOLD;
  const mode = resumeBulkOperationId || (total ?? 0) > threshold ? "bulk" : "pages";
  await save({ mode, total, done: 0 });
  await publishShopifyUpdate(deps, { workspaceId: store.workspaceId, storeId: store.id });

  const seen = new Set<string>();
  let done = 0;
  let lastPublish = Date.now();
  const write = async (records: ProductRecord[]) => {
    for (const r of records) seen.add(r.platformId);
    await writeProducts(deps.db, target, records);
    done += records.length;
    await save({ done });
    if (Date.now() - lastPublish >= PUBLISH_EVERY_MS) {
      lastPublish = Date.now();
      await publishShopifyUpdate(deps, { workspaceId: store.workspaceId, storeId: store.id });
      await publishKnowledgeUpdate(deps, { workspaceId: store.workspaceId, sourceId: source.id }).catch(() => {});
    }
  };

  if (mode === "pages") {
    let after: string | null = null;
    const pending: ProductRecord[] = [];
    for (;;) {
      const { data }: { data: { products: ProductPage } } = await api.graphql(PRODUCTS_PAGE_QUERY, { after });
      for (const node of data.products.nodes) {
        pending.push(toProductRecord(node, await allVariants(api, node), catalogShop));
      }
      if (pending.length >= BATCH) await write(pending.splice(0));
      if (!data.products.pageInfo.hasNextPage || !data.products.pageInfo.endCursor) break;
      after = data.products.pageInfo.endCursor;
    }
    if (pending.length) await write(pending.splice(0));
  } else {
    const operationId = resumeBulkOperationId ?? (await startBulkOperation(api));
    await save({ bulkOperationId: operationId });
    const op = await waitForBulkOperation(api, operationId, {
      signal: deps.signal,
      beat: () => saveSyncState(deps.db, store.id, runner, {}),
      finished: async () => {
        const [row] = await deps.db
          .select({ state: shopifyStores.syncState })
          .from(shopifyStores)
          .where(eq(shopifyStores.id, store.id));
        return Boolean(row?.state.bulkFinishedAt);
      },
    });
    if (op.url) {
      const { late } = await readBulkProducts(outboundFetchFor(deps.config.outbound), op.url, catalogShop, write, {
        batchSize: BATCH,
        signal: deps.signal,
      });
      // Variants that came after their product was written: the product read again on its own.
      const again: ProductRecord[] = [];
      for (const id of late) {
        const fresh = await fetchProduct(api, id, catalogShop);
        if (fresh) again.push(fresh);
      }
      if (again.length) await writeProducts(deps.db, target, again);
    }
  }

  const removed = await removeMissing(deps.db, target, seen, new Date(run.startedAt));
  await finishCatalog(deps, store, source, { done });
  if (!(await finishSync(deps.db, store.id, runner, { ok: true, done, total: total ?? done })))
    throw new SyncTakenOver();
  await publishShopifyUpdate(deps, { workspaceId: store.workspaceId, storeId: store.id });
  return { done, removed };
}

/** The `shop` query: name, currency, storefront address and a few facts the bot's `{shopify_metadata}` shows. */
async function syncShopMetadata(db: Db, api: ShopifyAdminApi, store: StoreRow): Promise<ShopNode> {
  const { data } = await api.graphql<{ shop: ShopNode | null }>(SHOP_QUERY);
  if (!data.shop) throw new ShopifyApiError("not_found", `Shopify does not know the shop ${store.shopDomain}.`);
  const shop = data.shop;
  await db
    .update(shopifyStores)
    .set({
      name: shop.name,
      currency: shop.currencyCode,
      primaryDomainUrl: shop.primaryDomain?.url ?? null,
      metadata: {
        name: shop.name,
        email: shop.contactEmail ?? shop.email ?? null,
        description: shop.description ?? null,
        myshopifyDomain: shop.myshopifyDomain ?? store.shopDomain,
        primaryDomain: shop.primaryDomain?.url ?? null,
        currency: shop.currencyCode,
      },
      updatedAt: new Date(),
    })
    .where(eq(shopifyStores.id, store.id));
  return shop;
}

/**
 * Products the catalog no longer lists, removed with their documents, a few hundred at a time. One
 * written since the sync started (a `products/create` webhook after the bulk file was cut) stays.
 */
async function removeMissing(db: Db, target: CatalogTarget, seen: Set<string>, startedAt: Date): Promise<number> {
  const stored = await db
    .select({ id: products.id, platformId: products.platformId })
    .from(products)
    .where(and(eq(products.storeId, target.store.id), isNull(products.deletedAt), lt(products.updatedAt, startedAt)));
  const gone = stored.filter((p) => !seen.has(p.platformId)).map((p) => p.id);
  let removed = 0;
  for (let i = 0; i < gone.length; i += 500) removed += await removeProducts(db, target, gone.slice(i, i + 500));
  return removed;
}

/** The catalog source is ready; its new chunks are indexed and embedded. */
async function finishCatalog(deps: SyncDeps, store: StoreRow, source: CatalogSource, written: { done: number }) {
  await deps.db
    .update(knowledgeSources)
    .set({ status: "ready", error: null, lastSyncedAt: new Date(), updatedAt: new Date() })
    .where(eq(knowledgeSources.id, source.id));
  await settleKnowledgeWrites(deps.db, { chunk: written.done, document: written.done }).catch((err) =>
    deps.log.warn({ err }, "could not flush or analyze the knowledge tables"),
  );
  await publishKnowledgeUpdate(deps, { workspaceId: store.workspaceId, sourceId: source.id }).catch(() => {});
  await scheduleEmbeddingsAfter(deps, { workspaceId: store.workspaceId, sourceId: source.id });
}

/** What the dashboard shows for a failed sync. */
export function readableReason(error: unknown): string {
  if (error instanceof ShopifyReconnectRequired) return error.message;
  if (error instanceof ShopifyApiError) {
    switch (error.kind) {
      case "unauthorized":
        return "Shopify refused the access token (revoked, or the app was uninstalled). Connect the store again.";
      case "forbidden":
        return "The app may not read products or inventory (scopes read_products and read_inventory). Grant them and connect again.";
      case "throttled":
        return "Shopify is throttling requests.";
      case "unavailable":
        return "Shopify did not answer.";
      default:
        return error.message;
    }
  }
  return "The sync stopped on an unexpected error (logged on the server). Try Resync.";
}
