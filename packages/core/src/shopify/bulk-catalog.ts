import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import {
  BULK_PRODUCTS_QUERY,
  type CatalogShop,
  type ProductNode,
  type ProductRecord,
  toProductRecord,
  type VariantNode,
} from "./catalog-query.ts";
import { type ShopifyAdminApi, ShopifyApiError } from "./shopify-api.ts";

/**
 * A large catalog through one bulk operation: `bulkOperationRunQuery` starts it, `node(id)` is polled
 * (sooner when the `bulk_operations/finish` webhook says it is done) until `COMPLETED`, and the JSONL
 * file it wrote is read line by line — a product's row, then its variants' rows pointing at it with
 * `__parentId` — never held whole in memory.
 */

export interface BulkOperation {
  id: string;
  status: string;
  errorCode: string | null;
  objectCount: string | number | null;
  url: string | null;
  partialDataUrl: string | null;
}

const RUN_BULK = `mutation RunProductsBulk($query: String!) {
  bulkOperationRunQuery(query: $query) { bulkOperation { id status } userErrors { field message } }
}`;

const BULK_NODE = `query BulkOperation($id: ID!) {
  node(id: $id) { ... on BulkOperation { id status errorCode objectCount url partialDataUrl } }
}`;

const CURRENT_BULK = `query CurrentBulk { currentBulkOperation { id status errorCode objectCount url partialDataUrl } }`;

/** Starts the catalog's bulk operation, or adopts the one Shopify says is already running for this app. */
export async function startBulkOperation(api: ShopifyAdminApi): Promise<string> {
  const { data } = await api.graphql<{
    bulkOperationRunQuery: { bulkOperation: { id: string } | null; userErrors: { message: string }[] };
  }>(RUN_BULK, { query: BULK_PRODUCTS_QUERY });
  const started = data.bulkOperationRunQuery.bulkOperation;
  if (started) return started.id;
  const { data: current } = await api.graphql<{ currentBulkOperation: BulkOperation | null }>(CURRENT_BULK);
  const running = current.currentBulkOperation;
  if (running && (running.status === "CREATED" || running.status === "RUNNING")) return running.id;
  const reason = data.bulkOperationRunQuery.userErrors.map((e) => e.message).join("; ") || "no reason given";
  throw new ShopifyApiError("invalid", `Shopify refused to start the catalog export: ${reason}`);
}

export interface WaitOptions {
  signal?: AbortSignal | undefined;
  /** Between polls: true once the `bulk_operations/finish` webhook arrived (poll at once). */
  finished?: () => Promise<boolean>;
  /** At every poll: false when this sync lost its claim (stop). */
  beat?: () => Promise<boolean>;
  /** First and longest wait between two polls. */
  pollMs?: { first: number; max: number };
}

/** Polls the operation until it is `COMPLETED`; a failed, canceled or expired one is an error. */
export async function waitForBulkOperation(
  api: ShopifyAdminApi,
  id: string,
  options: WaitOptions = {},
): Promise<BulkOperation> {
  const { first, max } = options.pollMs ?? { first: 500, max: 10_000 };
  let wait = first;
  for (;;) {
    const { data } = await api.graphql<{ node: BulkOperation | null }>(BULK_NODE, { id });
    const op = data.node;
    if (!op)
      throw new ShopifyApiError(
        "not_found",
        "Shopify no longer knows the catalog export (it expired). Start the sync again.",
      );
    if (op.status === "COMPLETED") return op;
    if (op.status === "FAILED" || op.status === "CANCELED" || op.status === "EXPIRED") {
      throw new ShopifyApiError(
        op.errorCode === "INTERNAL_SERVER_ERROR" ? "unavailable" : "invalid",
        `Shopify's catalog export ended ${op.status.toLowerCase()}${op.errorCode ? ` (${op.errorCode})` : ""}.`,
      );
    }
    if (options.beat && !(await options.beat())) throw new SyncTakenOver();
    const until = Date.now() + wait;
    while (Date.now() < until) {
      await sleep(Math.min(250, until - Date.now()), undefined, { signal: options.signal });
      if (options.finished && (await options.finished())) break;
    }
    wait = Math.min(max, wait * 2);
  }
}

/** Another run took the store's sync over (this one's heartbeat was thought dead): stop quietly. */
export class SyncTakenOver extends Error {
  readonly retryable = false;
  constructor() {
    super("another run took this store's sync over");
    this.name = "SyncTakenOver";
  }
}

/** Products kept waiting for late variant rows before they are handed on. */
const WINDOW = 200;

/**
 * Reads the operation's JSONL and hands products on in batches of `batchSize`, each with its
 * variants. A product is held until `WINDOW` later products have arrived, in case its variants come
 * late; a variant whose product was already handed on names it in `late` (read it again on its own).
 */
export async function readBulkProducts(
  fetchImpl: typeof fetch,
  url: string,
  shop: CatalogShop,
  onBatch: (records: ProductRecord[]) => Promise<void>,
  options: { batchSize?: number; signal?: AbortSignal | undefined } = {},
): Promise<{ late: Set<string> }> {
  const batchSize = options.batchSize ?? 100;
  const res = await fetchImpl(url, { signal: options.signal });
  if (!res.ok || !res.body) {
    throw new ShopifyApiError(
      res.status >= 500 ? "unavailable" : "invalid",
      `The catalog export could not be downloaded (HTTP ${res.status}).`,
      { status: res.status },
    );
  }
  const pending = new Map<string, { node: ProductNode; variants: VariantNode[] }>();
  const handed = new Set<string>();
  const late = new Set<string>();
  const flush = async (n: number) => {
    const batch: ProductRecord[] = [];
    for (const [id, entry] of pending) {
      if (batch.length >= n) break;
      pending.delete(id);
      handed.add(id);
      batch.push(toProductRecord(entry.node, entry.variants, shop));
    }
    if (batch.length) await onBatch(batch);
  };
  const lines = createInterface({
    input: Readable.fromWeb(res.body as import("node:stream/web").ReadableStream),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const row = JSON.parse(line) as { id?: string; __parentId?: string } & Record<string, unknown>;
    if (row.__parentId) {
      const parent = pending.get(row.__parentId);
      if (parent) parent.variants.push(row as unknown as VariantNode);
      else if (handed.has(row.__parentId)) late.add(row.__parentId);
      continue;
    }
    if (!row.id?.includes("/Product/")) continue;
    pending.set(row.id, { node: row as unknown as ProductNode, variants: [] });
    if (pending.size >= WINDOW + batchSize) await flush(batchSize);
  }
  while (pending.size) await flush(batchSize);
  return { late };
}
