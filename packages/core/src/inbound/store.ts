/**
 * The inbound store, for every channel with a webhook: verify → split → store → answer. Processing
 * happens in the `process-inbound-event` job, so the platform gets its 200 in milliseconds whatever
 * the pipeline does.
 *
 * Decisions:
 * - **Rows as the adapter cuts them** (`inbound.split`; Messenger: one per `entry[]`, the events of one
 *   Page). A row names its channel — by id (a per-channel webhook URL) or by external id (Messenger's
 *   Page id) — so it carries its channel and workspace, and is processed (and retried) on its own.
 *   A row with a dedupe key (LINE's `webhookEventId`) is stored once, however often it is redelivered.
 * - **Group commit.** Requests that arrive while a write is in flight are written together by the next
 *   one, in a single statement (channel lookup, multi-row insert) per batch instead of a transaction
 *   per request. A flush starts 1 ms after the first request of a batch, so requests parsed together
 *   share a commit; an idle server adds that millisecond and nothing more.
 * - **No request fails another.** Text PostgreSQL refuses (NUL, half a surrogate pair) is stored
 *   cleaned (`storableJson`: NUL removed, lone surrogates → U+FFFD): a customer's message is never
 *   refused for what they typed. A batch the database still refuses is written again request by
 *   request, so only the request at fault gets its 500 (and the platform's retry).
 * - **Durable before the 200, enqueued after it.** The rows are committed before we answer; the jobs
 *   (id `inbound:{eventId}`) are enqueued afterwards, many per `enqueueMany`, at a quiet moment
 *   (`ingest-pacing.ts`). If the process dies in between, the rows are still `pending` and
 *   `recoverInboundEvents` enqueues them at the next start.
 * - **Unknown channels** (or only disconnected ones): the row is kept with status `ignored` and no
 *   channel, for the channel's own health report (Messenger: `listUnconnectedPages`).
 * - **Counters** `events_received` (the rows' items) and `last_event_at` are added up in memory and
 *   written at most every `COUNTER_FLUSH_MS` (and at shutdown), one statement for all channels:
 *   bumping the channel row with every batch left PGlite — which has no autovacuum — a longer chain of
 *   dead row versions to walk at every later lookup of that channel. The rows are durable before the
 *   200; the counters are statistics, a crash may lose the last half second.
 * - **Bad signatures** store nothing; `signature-rejections.ts` counts them on the channels named.
 */
import { type Db, inBackground, newId, rowsOf } from "@tandem/db";
import { sql } from "drizzle-orm";
import type { ChannelAdapter, ChannelType, InboundRow } from "../channels/adapter.ts";
import { DomainError } from "../errors.ts";
import { ingestPacer } from "../ingest-pacing.ts";
import type { JobQueue } from "../jobs/queue.ts";
import type { Logger } from "../logger.ts";
import type { TraceCarrier } from "../observability/job-spans.ts";
import { metrics } from "../observability/metrics.ts";
import { currentTraceCarrier } from "../observability/tracing.ts";
import type { RateLimiter } from "../rate-limit/limiter.ts";
import { storableJson } from "../storable-text.ts";
import { inboundEventJobs, processInboundEvent } from "./process-inbound-event.ts";
import { countSignatureRejection } from "./signature-rejections.ts";

export interface InboundDeps {
  db: Db;
  log: Logger;
  /** Bounds the signature-rejection counting. */
  limiter: RateLimiter;
  /** Null in a process that has no queue attached: the events wait for `recoverInboundEvents`. */
  queue: JobQueue | null;
}

export interface ReceiveInboundInput {
  /** The body exactly as received: the signature covers these bytes. */
  rawBody: Uint8Array;
  /** Header lookup, lowercase names. */
  header(name: string): string | undefined;
  /** The secret the signature is made with (Messenger: the app secret; LINE: the channel secret). */
  secret: string;
  /** The channel the URL names, for a per-channel webhook: rejections are counted on it. */
  channelId?: string | undefined;
  /** The sender's address (`clientAddress`), for the per-sender limit on counting bad signatures. */
  sourceAddress?: string | undefined;
}

export interface ReceiveInboundResult {
  /** Rows stored for processing. */
  pending: number;
  /** Rows stored but not processed: unknown channel, or nothing in them to process. */
  ignored: number;
  /** Rows already stored by an earlier delivery (same dedupe key). */
  duplicates: number;
}

/** Verifies, stores and (after the commit) enqueues one webhook request for `adapter`. */
export async function receiveInbound(
  deps: InboundDeps,
  adapter: Pick<ChannelAdapter, "type" | "inbound">,
  input: ReceiveInboundInput,
): Promise<ReceiveInboundResult> {
  const inbound = adapter.inbound;
  if (!inbound) throw new DomainError("channel_not_supported", `${adapter.type} channels have no webhook`);
  if (!inbound.verify({ rawBody: input.rawBody, header: input.header }, input.secret)) {
    metrics.webhookSignatureRejections.inc({ channel: adapter.type });
    await countSignatureRejection(deps, adapter, input);
    throw new DomainError("invalid_signature", `Missing or invalid ${inbound.signatureHeader}`);
  }

  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(input.rawBody).toString("utf8"));
  } catch {
    throw new DomainError("invalid_json", "The request body is not valid JSON");
  }
  const split = inbound.split(json, { channelId: input.channelId });
  if (split.length === 0) return { pending: 0, ignored: 0, duplicates: 0 };
  const rows = split.map((row) => ({ ...row, id: newId("inboundEvent"), source: adapter.type }));

  const store = storeFor(deps.db);
  const stored = await store.write(rows, input.rawBody.byteLength);
  // Pending rows have a connected channel, hence a workspace (`insertRows`).
  const pending = stored.filter(
    (s): s is StoredRow & { workspaceId: string } => s.status === "pending" && s.workspaceId !== null,
  );
  if (pending.length > 0 && deps.queue) store.enqueueLater(pending, deps.queue, deps.log);
  else if (pending.length > 0)
    deps.log.warn({ events: pending.length }, "no job queue attached: events wait for recovery");
  const duplicates = stored.filter((s) => s.status === "duplicate").length;
  return { pending: pending.length, ignored: stored.length - pending.length - duplicates, duplicates };
}

// ---- group commit ------------------------------------------------------------------------------

interface NewRow extends InboundRow {
  id: string;
  source: ChannelType;
}

interface StoredRow {
  id: string;
  status: "pending" | "ignored" | "duplicate";
  /** The channel's workspace; null when no connected channel took the row (always `ignored` then). */
  workspaceId: string | null;
}

interface WaitingWrite {
  rows: NewRow[];
  bytes: number;
  resolve: (stored: StoredRow[]) => void;
  reject: (error: unknown) => void;
}

interface ToEnqueue {
  eventId: string;
  workspaceId: string;
  queue: JobQueue;
  log: Logger;
  trace: TraceCarrier;
}

/** How often the channels' event counters are written while events arrive. */
const COUNTER_FLUSH_MS = 500;

/** A batch stops growing past this many requests or body bytes (a statement of sane size). */
const MAX_BATCH_REQUESTS = 128;
const MAX_BATCH_BYTES = 4 * 1024 * 1024;
/** Jobs enqueued per wait for an idle moment (at most a second), in statements of `ENQUEUE_CHUNK`. */
const MAX_ENQUEUE_BATCH = 500;
/**
 * Jobs per `enqueueMany` statement. On PGlite a statement blocks the one thread: 500 job rows at once
 * held every in-flight acknowledgement for tens of milliseconds (the ingest p99 went from ~50 to
 * ~33 ms with chunks of 100). Between chunks, waiting webhooks are written first (`CHUNK_WAIT_MS` at most).
 */
const ENQUEUE_CHUNK = 100;
const CHUNK_WAIT_MS = 50;

/** One per database handle: batches the webhook writes; the pacer holds background work behind them. */
class InboundStore {
  readonly #db: Db;
  readonly #pacer;
  #waiting: WaitingWrite[] = [];
  #flushing = false;
  #scheduled = false;
  #toEnqueue: ToEnqueue[] = [];
  #enqueueing = false;
  /** Events per channel not yet added to `channel.events_received` / `last_event_at`. */
  #counts = new Map<string, { events: number; at: Date }>();
  #countersTimer: NodeJS.Timeout | null = null;

  constructor(db: Db) {
    this.#db = db;
    this.#pacer = ingestPacer(db);
    this.#pacer.attachWriter(() => this.#flushing || this.#waiting.length > 0);
  }

  write(rows: NewRow[], bytes: number): Promise<StoredRow[]> {
    this.#pacer.noteRequest();
    return new Promise((resolve, reject) => {
      this.#waiting.push({ rows, bytes, resolve, reject });
      if (!this.#flushing && !this.#scheduled) {
        this.#scheduled = true;
        setTimeout(() => {
          this.#scheduled = false;
          if (!this.#flushing) void this.#flush();
        }, 1);
      }
    });
  }

  async #flush(): Promise<void> {
    this.#flushing = true;
    try {
      while (this.#waiting.length > 0) {
        const batch = this.#takeBatch();
        try {
          this.#settle(
            batch,
            await insertRows(
              this.#db,
              batch.flatMap((w) => w.rows),
            ),
          );
        } catch (error) {
          if (batch.length === 1) {
            batch[0]!.reject(error);
            continue;
          }
          // One request the database refuses must not fail the others of its batch: each on its own.
          for (const w of batch) {
            try {
              this.#settle([w], await insertRows(this.#db, w.rows));
            } catch (own) {
              w.reject(own);
            }
          }
        }
      }
    } finally {
      this.#flushing = false;
      this.#pacer.writeSettled();
    }
  }

  /** Answers the requests of a written batch and adds its events to the counters. */
  #settle(batch: WaitingWrite[], stored: Awaited<ReturnType<typeof insertRows>>): void {
    for (const row of stored) {
      if (!row.channelId || row.status !== "pending") continue;
      const count = this.#counts.get(row.channelId) ?? { events: 0, at: new Date(0) };
      count.events += row.items;
      count.at = new Date();
      this.#counts.set(row.channelId, count);
    }
    this.#scheduleCounters();
    const byId = new Map(stored.map((s) => [s.id, s]));
    for (const w of batch)
      w.resolve(
        w.rows.map((r) => {
          const row = byId.get(r.id);
          // A row the insert skipped collided with an earlier delivery's dedupe key.
          if (!row) return { id: r.id, status: "duplicate", workspaceId: null };
          return { id: r.id, status: row.status, workspaceId: row.workspaceId };
        }),
      );
  }

  #scheduleCounters(): void {
    if (this.#countersTimer || this.#counts.size === 0) return;
    this.#countersTimer = setTimeout(() => {
      this.#countersTimer = null;
      void inBackground(() => this.flushCounters());
    }, COUNTER_FLUSH_MS);
    this.#countersTimer.unref();
  }

  /** Writes the counters added up since the last write (at shutdown too). */
  async flushCounters(): Promise<void> {
    if (this.#countersTimer) {
      clearTimeout(this.#countersTimer);
      this.#countersTimer = null;
    }
    const counts = this.#counts;
    this.#counts = new Map();
    try {
      await writeCounters(this.#db, counts);
    } catch {
      // Put them back for the next write (the database may be closing or briefly unavailable).
      for (const [id, c] of counts) {
        const pending = this.#counts.get(id);
        this.#counts.set(id, pending ? { events: pending.events + c.events, at: pending.at } : c);
      }
      this.#scheduleCounters();
    }
  }

  #takeBatch(): WaitingWrite[] {
    let bytes = 0;
    let n = 0;
    while (n < this.#waiting.length && n < MAX_BATCH_REQUESTS) {
      bytes += this.#waiting[n]!.bytes;
      if (n > 0 && bytes > MAX_BATCH_BYTES) break;
      n++;
    }
    return this.#waiting.splice(0, n);
  }

  enqueueLater(events: { id: string; workspaceId: string }[], queue: JobQueue, log: Logger): void {
    // The jobs are enqueued later, in batches: each keeps the trace of the request that brought it.
    const trace = currentTraceCarrier();
    for (const { id, workspaceId } of events) this.#toEnqueue.push({ eventId: id, workspaceId, queue, log, trace });
    if (!this.#enqueueing) void this.#enqueueAll();
  }

  /**
   * After the 200, everything waiting in one `enqueueMany` per queue. A failure here loses nothing:
   * the rows stay `pending` for `recoverInboundEvents`.
   */
  async #enqueueAll(): Promise<void> {
    this.#enqueueing = true;
    try {
      while (this.#toEnqueue.length > 0) {
        await this.#pacer.idle(1000);
        const batch = this.#toEnqueue.splice(0, MAX_ENQUEUE_BATCH);
        for (let i = 0; i < batch.length; i += ENQUEUE_CHUNK) {
          if (i > 0) await this.#pacer.idle(CHUNK_WAIT_MS);
          await enqueueChunk(batch.slice(i, i + ENQUEUE_CHUNK));
        }
      }
    } finally {
      this.#enqueueing = false;
    }
  }
}

/**
 * One `enqueueMany` per queue, the events of a workspace batched into jobs (`inboundEventJobs`); a
 * failure is logged and the events wait for recovery.
 */
async function enqueueChunk(chunk: ToEnqueue[]): Promise<void> {
  for (const queue of new Set(chunk.map((b) => b.queue))) {
    const ofQueue = chunk.filter((b) => b.queue === queue);
    const traceOf = new Map(ofQueue.map((b) => [b.eventId, b.trace]));
    // A job of several events continues the trace of its first one.
    const jobs = inboundEventJobs(ofQueue.map(({ eventId, workspaceId }) => ({ id: eventId, workspaceId }))).map(
      (job) => {
        const first = "eventId" in job.payload ? job.payload.eventId : job.payload.eventIds[0];
        const trace = first === undefined ? undefined : traceOf.get(first);
        return trace?.traceparent ? { ...job, trace } : job;
      },
    );
    await queue
      .enqueueMany(processInboundEvent, jobs)
      .catch((err: unknown) =>
        ofQueue[0]!.log.error(
          { err, events: ofQueue.length },
          "could not enqueue inbound events; they are recovered at the next start",
        ),
      );
  }
}

const stores = new WeakMap<Db, InboundStore>();

/** Writes the webhook counters still held in memory: call before the database closes. */
export async function flushInboundCounters(db: Db): Promise<void> {
  await stores.get(db)?.flushCounters();
}

function storeFor(db: Db): InboundStore {
  let store = stores.get(db);
  if (!store) {
    store = new InboundStore(db);
    stores.set(db, store);
  }
  return store;
}

/**
 * One statement per batch: resolve each row to its connected channel (by id, or by the source's
 * external id), insert every row (pending, or ignored without a channel or without events; a dedupe
 * key seen before inserts nothing). Written in SQL because the query builder has no data-modifying
 * CTEs; the rows travel as one JSON parameter.
 */
async function insertRows(
  db: Db,
  rows: NewRow[],
): Promise<(Omit<StoredRow, "status"> & { status: "pending" | "ignored"; channelId: string | null; items: number })[]> {
  const values = rows.map((r) => ({
    id: r.id,
    source: r.source,
    channel_id: "id" in r.channel ? r.channel.id : null,
    external_id: "externalId" in r.channel ? r.channel.externalId : null,
    payload: r.payload,
    items: r.items,
    dedupe_key: r.dedupeKey ?? null,
  }));
  let incoming = JSON.stringify(values);
  // jsonb refuses `\u0000` and lone-surrogate escapes, which JSON.stringify writes for NUL and half
  // surrogate pairs (other non-ASCII text is written as is): rare, so looked for in the output only.
  if (incoming.includes("\\u")) incoming = JSON.stringify(storableJson(values));
  const result = await db.execute(sql`
    with incoming as (
      select * from jsonb_to_recordset(${incoming}::jsonb)
        as x(id text, source channel_type, channel_id text, external_id text, payload jsonb, items int, dedupe_key text)
    ), matched as (
      select i.*, coalesce(by_id.id, by_external.id) as matched_channel_id,
        coalesce(by_id.workspace_id, by_external.workspace_id) as workspace_id,
        coalesce(i.external_id, by_id.external_id) as account_id
      from incoming i
      left join channel by_id on i.channel_id is not null and by_id.id = i.channel_id
        and by_id.type = i.source and by_id.disconnected_at is null
      left join channel by_external on i.channel_id is null and by_external.type = i.source
        and by_external.external_id = i.external_id and by_external.disconnected_at is null
    ), stored as (
      insert into inbound_event (id, channel_id, workspace_id, source, external_id, payload, dedupe_key, signature_ok, status)
      select id, matched_channel_id, workspace_id, source, account_id, payload, dedupe_key, true,
        (case when matched_channel_id is not null and items > 0 then 'pending' else 'ignored' end)::inbound_event_status
      from matched
      on conflict (source, dedupe_key) where dedupe_key is not null do nothing
      returning id, status
    )
    select s.id, s.status, m.matched_channel_id as "channelId", m.workspace_id as "workspaceId", m.items
    from stored s join matched m on m.id = s.id`);
  return rowsOf(result);
}

/** Adds the batch's events to the channels' counters. */
async function writeCounters(db: Db, counts: Map<string, { events: number; at: Date }>): Promise<void> {
  if (counts.size === 0) return;
  const rows = JSON.stringify([...counts].map(([id, c]) => ({ id, events: c.events, at: c.at.toISOString() })));
  await db.execute(sql`
    update channel c set events_received = c.events_received + x.events,
      last_event_at = greatest(c.last_event_at, x.at)
    from jsonb_to_recordset(${rows}::jsonb) as x(id text, events int, at timestamptz)
    where c.id = x.id`);
}
