/**
 * The POST half of the Messenger webhook: verify → validate → store → answer. Processing happens in
 * the `process-inbound-event` job, so Meta gets its 200 in milliseconds whatever the pipeline does.
 *
 * Decisions:
 * - **One `inbound_event` row per `entry[]` item** (the events of one Page), holding that entry as
 *   Meta sent it. An entry names one Page, so the row can carry its channel and workspace, and a
 *   batch addressed to several Pages is processed (and retried) per Page.
 * - **Group commit.** Requests that arrive while a write is in flight are written together by the next
 *   one, in a single statement (channel lookup, multi-row insert, counters) per batch instead of a
 *   transaction per request. A flush starts 1 ms after the first request of a batch, so requests
 *   parsed together share a commit; an idle server adds that millisecond and nothing more.
 * - **No request fails another.** Text PostgreSQL refuses (NUL, half a surrogate pair) is stored
 *   cleaned (`storableJson`: NUL removed, lone surrogates → U+FFFD): a customer's message is never
 *   refused for what they typed. A batch the database still refuses is written again request by
 *   request, so only the request at fault gets its 500 (and Meta's retry).
 * - **Durable before the 200, enqueued after it.** The rows are committed before we answer; the jobs
 *   (id `inbound:{eventId}`) are enqueued afterwards, many per `enqueueMany`. If the process dies in between,
 *   the rows are still `pending` and `recoverInboundEvents` enqueues them at the next start.
 * - **Acknowledgements first.** In embedded mode every query shares PGlite's one connection, and
 *   processing an event costs ten times what storing it does. Enqueueing and processing therefore
 *   start only at a moment when no webhook write is waiting or running and no burst is under way
 *   (`ingestIdle`: fewer than `BURST_REQUESTS` webhooks in the last `BURST_WINDOW_MS`), one task per
 *   such moment, and their queries yield to the acknowledgements' (`background` jobs): a burst is
 *   acknowledged at full speed and processed right after it — or, if it goes on past a task's
 *   deadline, one task at a time between two webhook writes, `OVERDUE_RELEASE_GAP_MS` apart — and a
 *   quiet server processes at once. (With PostgreSQL + Redis the jobs run in the worker
 *   process, whose writer is always idle.)
 * - **Pages nobody connected** (or only disconnected channels): the entry is kept with status
 *   `ignored` and no channel. There is no channel row to count them on, so `listUnconnectedPages`
 *   reports them per Page id from the stored rows: the Messenger webhook's health in the dashboard.
 * - **Counters** `events_received` (one per messaging/standby item) and `last_event_at` are added up
 *   in memory and written at most every `COUNTER_FLUSH_MS` (and at shutdown), one statement for all
 *   channels: bumping the channel row with every batch left PGlite — which has no autovacuum — a
 *   longer chain of dead row versions to walk at every later lookup of that channel. The entries are
 *   durable before the 200; the counters are statistics, a crash may lose the last half second.
 * - **Bad signatures** store nothing. When the unsigned body names Pages we know, their channels'
 *   `signature_rejections` go up: the count is all we take from a body we cannot trust. Anyone can
 *   send such a body, so the count is a hint, never the channel's state (the dashboard's status
 *   comes from signed events), and it is rate-limited: at most one counted rejection per sender
 *   address (an IPv6 sender's /64) a minute, and `SIGNATURE_REJECTION_LIMITS.perPage` per Page an
 *   hour. A flood costs one limiter hit per request and no database write.
 */
import { channels, type Db, inBackground, inboundEvents, newId, rowsOf, workspaces } from "@tandem/db";
import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Config } from "../../config.ts";
import { DomainError } from "../../errors.ts";
import type { JobQueue } from "../../jobs/queue.ts";
import type { Logger } from "../../logger.ts";
import { addressBucket } from "../../net/client-address.ts";
import type { RateLimiter, RateLimitRule } from "../../rate-limit/limiter.ts";
import { storableJson } from "../../storable-text.ts";
import { processInboundEvent } from "./process-inbound-event.ts";
import { parseMessengerWebhook, verifyMessengerSignature } from "./webhook.ts";

export interface WebhookDeps {
  db: Db;
  config: Pick<Config, "facebook">;
  log: Logger;
  /** Bounds the signature-rejection counting (see the module comment). */
  limiter: RateLimiter;
  /** Null in a process that has no queue attached: the events wait for `recoverInboundEvents`. */
  queue: JobQueue | null;
}

export interface ReceiveMessengerWebhookInput {
  /** The request body exactly as received: the signature covers these bytes. */
  rawBody: Uint8Array;
  /** The `X-Hub-Signature-256` header. */
  signature: string | null | undefined;
  /** The sender's address (`clientAddress`), for the per-sender limit on counting bad signatures. */
  sourceAddress?: string | undefined;
}

export interface ReceiveMessengerWebhookResult {
  /** Entries stored for processing. */
  pending: number;
  /** Entries stored but not processed: unknown Page, or nothing in them to process. */
  ignored: number;
}

export async function receiveMessengerWebhook(
  deps: WebhookDeps,
  input: ReceiveMessengerWebhookInput,
): Promise<ReceiveMessengerWebhookResult> {
  const appSecret = deps.config.facebook.appSecret;
  if (!appSecret) {
    throw new DomainError(
      "messenger_not_configured",
      "Messenger webhooks cannot be verified: FB_APP_SECRET is not set on this server",
    );
  }
  if (!verifyMessengerSignature(input.rawBody, input.signature, appSecret)) {
    await countSignatureRejection(deps, input.rawBody, input.sourceAddress);
    throw new DomainError("invalid_signature", "Missing or invalid X-Hub-Signature-256");
  }

  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(input.rawBody).toString("utf8"));
  } catch {
    throw new DomainError("invalid_json", "The request body is not valid JSON");
  }
  const webhook = parseMessengerWebhook(json);
  // Store the entries as Meta sent them (parsing drops unknown fields; the raw entry keeps them).
  const rawEntries = (json as { entry: unknown[] }).entry;
  const rows: NewInboundEntry[] = webhook.entry.map((entry, i) => ({
    id: newId("inboundEvent"),
    pageId: entry.id,
    payload: rawEntries[i],
    items: (entry.messaging?.length ?? 0) + (entry.standby?.length ?? 0),
  }));
  if (rows.length === 0) return { pending: 0, ignored: 0 };

  const writer = writerFor(deps.db);
  const stored = await writer.write(rows, input.rawBody.byteLength);
  // Pending entries have a connected channel, hence a workspace (`insertEntries`).
  const pending = stored.filter(
    (s): s is StoredEntry & { workspaceId: string } => s.status === "pending" && s.workspaceId !== null,
  );
  if (pending.length > 0 && deps.queue) writer.enqueueLater(pending, deps.queue, deps.log);
  else if (pending.length > 0)
    deps.log.warn({ events: pending.length }, "no job queue attached: events wait for recovery");
  return { pending: pending.length, ignored: stored.length - pending.length };
}

/**
 * Resolves at a moment when this process has no webhook write waiting or running (or after
 * `maxWaitMs`, so background work always progresses). Pipeline jobs await it before they start.
 */
export function ingestIdle(db: Db, maxWaitMs = 1000): Promise<void> {
  return writerFor(db).idle(maxWaitMs);
}

/** How many bad-signature calls are counted on channels: per sender and per Page. */
export const SIGNATURE_REJECTION_LIMITS = {
  perSender: { limit: 1, windowMs: 60_000 },
  perPage: { limit: 30, windowMs: 60 * 60_000 },
} satisfies Record<string, RateLimitRule>;

async function countSignatureRejection(
  deps: WebhookDeps,
  rawBody: Uint8Array,
  sourceAddress: string | undefined,
): Promise<void> {
  try {
    const sender = `webhook:bad-signature:sender:${addressBucket(sourceAddress)}`;
    if (!(await deps.limiter.hit(sender, SIGNATURE_REJECTION_LIMITS.perSender)).allowed) return;
    const named = pageIdsOfUntrustedBody(rawBody);
    const pageIds: string[] = [];
    for (const pageId of named) {
      const page = `webhook:bad-signature:page:${pageId}`;
      if ((await deps.limiter.hit(page, SIGNATURE_REJECTION_LIMITS.perPage)).allowed) pageIds.push(pageId);
    }
    if (pageIds.length === 0) return;
    await deps.db
      .update(channels)
      .set({ signatureRejections: sql`${channels.signatureRejections} + 1`, lastSignatureRejectionAt: sql`now()` })
      .where(
        and(eq(channels.type, "messenger"), inArray(channels.externalId, pageIds), isNull(channels.disconnectedAt)),
      );
  } catch (err) {
    deps.log.error({ err }, "could not count a webhook signature rejection");
  }
}

/** At most a few distinct, id-shaped `entry[].id` strings; anything unexpected gives none. */
function pageIdsOfUntrustedBody(rawBody: Uint8Array): string[] {
  try {
    const body = JSON.parse(Buffer.from(rawBody).toString("utf8")) as { entry?: unknown };
    if (!Array.isArray(body.entry)) return [];
    const ids = body.entry
      .map((e) => (e && typeof e === "object" ? (e as { id?: unknown }).id : undefined))
      .filter((id): id is string => typeof id === "string" && /^[\w.-]{1,64}$/.test(id));
    return [...new Set(ids)].slice(0, 10);
  } catch {
    return [];
  }
}

// ---- group commit ------------------------------------------------------------------------------

interface NewInboundEntry {
  id: string;
  pageId: string;
  payload: unknown;
  /** messaging[] + standby[] items in the entry. */
  items: number;
}

interface StoredEntry {
  id: string;
  status: "pending" | "ignored";
  /** The channel's workspace; null when no connected channel took the entry (always `ignored` then). */
  workspaceId: string | null;
}

interface WaitingWrite {
  rows: NewInboundEntry[];
  bytes: number;
  resolve: (stored: StoredEntry[]) => void;
  reject: (error: unknown) => void;
}

interface ToEnqueue {
  eventId: string;
  workspaceId: string;
  queue: JobQueue;
  log: Logger;
}

/** More webhooks than this within two windows (about 250 a second) is a burst: processing waits. */
const BURST_REQUESTS = 25;
const BURST_WINDOW_MS = 50;
/** During a burst, waiters past their deadline start one per this many milliseconds. */
export const OVERDUE_RELEASE_GAP_MS = 250;

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

/** One per database handle: batches the webhook writes and paces the background work behind them. */
class InboundEntryWriter {
  readonly #db: Db;
  #waiting: WaitingWrite[] = [];
  #flushing = false;
  #scheduled = false;
  #idleWaiters: { resolve: () => void; deadline: number }[] = [];
  #lastOverdueRelease = 0;
  #toEnqueue: ToEnqueue[] = [];
  #enqueueing = false;
  /** Events per channel not yet added to `channel.events_received` / `last_event_at`. */
  #counts = new Map<string, { events: number; at: Date }>();
  #countersTimer: NodeJS.Timeout | null = null;
  /** Webhook requests in the current and the previous `BURST_WINDOW_MS`. */
  #windowStart = 0;
  #windowCount = 0;
  #previousWindowCount = 0;
  #watchTimer: NodeJS.Timeout | null = null;

  constructor(db: Db) {
    this.#db = db;
  }

  write(rows: NewInboundEntry[], bytes: number): Promise<StoredEntry[]> {
    this.#rollWindow();
    this.#windowCount++;
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
            await insertEntries(
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
              this.#settle([w], await insertEntries(this.#db, w.rows));
            } catch (own) {
              w.reject(own);
            }
          }
        }
      }
    } finally {
      this.#flushing = false;
      this.#releaseOne();
      this.#releaseOverdue();
    }
  }

  /** Answers the requests of a written batch and adds its events to the counters. */
  #settle(batch: WaitingWrite[], stored: Awaited<ReturnType<typeof insertEntries>>): void {
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
        w.rows.map((r) => ({
          id: r.id,
          status: byId.get(r.id)?.status ?? "ignored",
          workspaceId: byId.get(r.id)?.workspaceId ?? null,
        })),
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

  get #busy(): boolean {
    return this.#flushing || this.#waiting.length > 0 || this.#bursting;
  }

  /** Webhooks keep arriving: at least `BURST_REQUESTS` in the current and the previous window. */
  get #bursting(): boolean {
    this.#rollWindow();
    return this.#windowCount + this.#previousWindowCount >= BURST_REQUESTS;
  }

  #rollWindow(): void {
    const now = Date.now();
    if (now - this.#windowStart < BURST_WINDOW_MS) return;
    this.#previousWindowCount = now - this.#windowStart < 2 * BURST_WINDOW_MS ? this.#windowCount : 0;
    this.#windowCount = 0;
    this.#windowStart = now;
  }

  idle(maxWaitMs: number): Promise<void> {
    if (!this.#busy && this.#idleWaiters.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#idleWaiters.push({ resolve, deadline: Date.now() + maxWaitMs });
      this.#watch();
    });
  }

  /**
   * While anyone waits, look again every half window: a burst ends without a flush to notice it,
   * and a waiter's deadline passes without one.
   */
  #watch(): void {
    if (this.#watchTimer || this.#idleWaiters.length === 0) return;
    this.#watchTimer = setTimeout(() => {
      this.#watchTimer = null;
      this.#releaseOne();
      this.#releaseOverdue();
      this.#watch();
    }, BURST_WINDOW_MS / 2);
    this.#watchTimer.unref();
  }

  /**
   * Lets one waiter start, then the next one a turn of the event loop later if still idle: requests
   * that arrived meanwhile get written first, so background work never piles up in front of them.
   */
  #releaseOne(): void {
    if (this.#busy) return;
    this.#idleWaiters.shift()?.resolve();
    if (this.#idleWaiters.length > 0) setImmediate(() => this.#releaseOne());
  }

  /**
   * During a burst that outlasts a waiter's deadline, that waiter starts anyway — but one at a time,
   * `OVERDUE_RELEASE_GAP_MS` apart, and only between two webhook writes. Overdue waiters released
   * together (four jobs whose one-second timers expired in the same tick) ran their transactions
   * back to back and held every in-flight acknowledgement for 40–80 ms.
   */
  #releaseOverdue(): void {
    if (this.#flushing || this.#waiting.length > 0) return;
    const now = Date.now();
    if (now - this.#lastOverdueRelease < OVERDUE_RELEASE_GAP_MS) return;
    let next = -1;
    for (let i = 0; i < this.#idleWaiters.length; i++) {
      const waiter = this.#idleWaiters[i]!;
      if (waiter.deadline <= now && (next < 0 || waiter.deadline < this.#idleWaiters[next]!.deadline)) next = i;
    }
    if (next < 0) return;
    this.#lastOverdueRelease = now;
    this.#idleWaiters.splice(next, 1)[0]!.resolve();
  }

  enqueueLater(events: { id: string; workspaceId: string }[], queue: JobQueue, log: Logger): void {
    for (const { id, workspaceId } of events) this.#toEnqueue.push({ eventId: id, workspaceId, queue, log });
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
        await this.idle(1000);
        const batch = this.#toEnqueue.splice(0, MAX_ENQUEUE_BATCH);
        for (let i = 0; i < batch.length; i += ENQUEUE_CHUNK) {
          if (i > 0) await this.idle(CHUNK_WAIT_MS);
          await enqueueChunk(batch.slice(i, i + ENQUEUE_CHUNK));
        }
      }
    } finally {
      this.#enqueueing = false;
    }
  }
}

/** One `enqueueMany` per queue; a failure is logged and the events wait for recovery. */
async function enqueueChunk(chunk: ToEnqueue[]): Promise<void> {
  for (const queue of new Set(chunk.map((b) => b.queue))) {
    const ofQueue = chunk.filter((b) => b.queue === queue);
    await queue
      .enqueueMany(
        processInboundEvent,
        ofQueue.map(({ eventId, workspaceId }) => ({ payload: { eventId }, jobId: `inbound:${eventId}`, workspaceId })),
      )
      .catch((err: unknown) =>
        ofQueue[0]!.log.error(
          { err, events: ofQueue.length },
          "could not enqueue inbound events; they are recovered at the next start",
        ),
      );
  }
}

const writers = new WeakMap<Db, InboundEntryWriter>();

/** Writes the webhook counters still held in memory: call before the database closes. */
export async function flushWebhookCounters(db: Db): Promise<void> {
  await writers.get(db)?.flushCounters();
}

function writerFor(db: Db): InboundEntryWriter {
  let writer = writers.get(db);
  if (!writer) {
    writer = new InboundEntryWriter(db);
    writers.set(db, writer);
  }
  return writer;
}

/**
 * One statement per batch: resolve each Page to its connected channel, insert every entry (pending,
 * or ignored without a channel or without events), bump the channels' counters. Written in SQL
 * because the query builder has no data-modifying CTEs; the rows travel as one JSON parameter.
 */
async function insertEntries(
  db: Db,
  rows: NewInboundEntry[],
): Promise<(StoredEntry & { channelId: string | null; items: number })[]> {
  const values = rows.map((r) => ({ id: r.id, page_id: r.pageId, payload: r.payload, items: r.items }));
  let incoming = JSON.stringify(values);
  // jsonb refuses `\u0000` and lone-surrogate escapes, which JSON.stringify writes for NUL and half
  // surrogate pairs (other non-ASCII text is written as is): rare, so looked for in the output only.
  if (incoming.includes("\\u")) incoming = JSON.stringify(storableJson(values));
  const result = await db.execute(sql`
    with incoming as (
      select * from jsonb_to_recordset(${incoming}::jsonb) as x(id text, page_id text, payload jsonb, items int)
    ), matched as (
      select i.*, c.id as channel_id, c.workspace_id
      from incoming i
      left join channel c on c.type = 'messenger' and c.external_id = i.page_id and c.disconnected_at is null
    ), stored as (
      insert into inbound_event (id, channel_id, workspace_id, source, external_id, payload, signature_ok, status)
      select id, channel_id, workspace_id, 'messenger', page_id, payload, true,
        (case when channel_id is not null and items > 0 then 'pending' else 'ignored' end)::inbound_event_status
      from matched
      returning id, status
    )
    select s.id, s.status, m.channel_id as "channelId", m.workspace_id as "workspaceId", m.items
    from stored s join matched m on m.id = s.id`);
  return rowsOf<StoredEntry & { channelId: string | null; items: number }>(result);
}

/** Adds the batch's events to the channels' counters; `null` is written now, else bumped in memory. */
async function writeCounters(db: Db, counts: Map<string, { events: number; at: Date }>): Promise<void> {
  if (counts.size === 0) return;
  const rows = JSON.stringify([...counts].map(([id, c]) => ({ id, events: c.events, at: c.at.toISOString() })));
  await db.execute(sql`
    update channel c set events_received = c.events_received + x.events,
      last_event_at = greatest(c.last_event_at, x.at)
    from jsonb_to_recordset(${rows}::jsonb) as x(id text, events int, at timestamptz)
    where c.id = x.id`);
}

// ---- reporting and recovery --------------------------------------------------------------------

/** How far back `listUnconnectedPages` looks. */
export const UNCONNECTED_PAGE_WINDOW_DAYS = 7;

export interface UnconnectedPage {
  pageId: string;
  /** messaging[] + standby[] items received for the Page in the window. */
  events: number;
  lastEventAt: Date;
}

/**
 * Pages that sent events in the last week though no channel is connected to them (never connected,
 * or disconnected while Facebook kept the app subscribed), most recent first: the admin either
 * connects the Page or removes the app from it. Their entries are `ignored`, without a channel.
 *
 * Only for the workspace that can claim the Page: the one it was connected to before, or — for a
 * Page no workspace ever connected — the installation's only workspace. With several workspaces a
 * never-connected Page is listed for none: its id and traffic are no other tenant's business.
 */
export async function listUnconnectedPages(db: Db, workspaceId: string, limit = 20): Promise<UnconnectedPage[]> {
  const items = sql<number>`coalesce(jsonb_array_length(case when jsonb_typeof(${inboundEvents.payload}->'messaging') = 'array' then ${inboundEvents.payload}->'messaging' end), 0)
    + coalesce(jsonb_array_length(case when jsonb_typeof(${inboundEvents.payload}->'standby') = 'array' then ${inboundEvents.payload}->'standby' end), 0)`;
  const rows = await db
    .select({
      pageId: inboundEvents.externalId,
      events: sql<number>`sum(${items})::int`,
      lastEventAt: sql<string>`max(${inboundEvents.receivedAt})`,
    })
    .from(inboundEvents)
    .where(
      and(
        eq(inboundEvents.status, "ignored"),
        sql`${inboundEvents.receivedAt} > now() - make_interval(days => ${UNCONNECTED_PAGE_WINDOW_DAYS})`,
        eq(inboundEvents.source, "messenger"),
        isNull(inboundEvents.channelId),
        // Connected since: not a stray any more.
        sql`not exists (select 1 from ${channels} c where c.type = 'messenger' and c.external_id = ${inboundEvents.externalId} and c.disconnected_at is null)`,
        sql`(
          exists (select 1 from ${channels} c where c.type = 'messenger' and c.external_id = ${inboundEvents.externalId} and c.workspace_id = ${workspaceId})
          or (
            not exists (select 1 from ${channels} c where c.type = 'messenger' and c.external_id = ${inboundEvents.externalId})
            and (select count(*) from ${workspaces}) = 1
          )
        )`,
      ),
    )
    .groupBy(inboundEvents.externalId)
    .orderBy(sql`max(${inboundEvents.receivedAt}) desc`)
    .limit(limit);
  return rows.flatMap((r) =>
    r.pageId ? [{ pageId: r.pageId, events: Number(r.events), lastEventAt: new Date(r.lastEventAt) }] : [],
  );
}

/**
 * Start-up recovery: enqueues every Messenger inbound event not processed yet (`pending`, or
 * `processing` when the process died mid-way). The job id `inbound:{eventId}` makes an event whose
 * job is still queued a no-op, so calling this from every starting process is safe.
 */
export async function recoverInboundEvents(
  deps: Pick<WebhookDeps, "db" | "log"> & { queue: JobQueue },
): Promise<number> {
  let recovered = 0;
  let after = "";
  for (;;) {
    const page = await deps.db
      .select({ id: inboundEvents.id, workspaceId: inboundEvents.workspaceId })
      .from(inboundEvents)
      .where(
        and(
          eq(inboundEvents.source, "messenger"),
          inArray(inboundEvents.status, ["pending", "processing"]),
          sql`${inboundEvents.id} > ${after}`,
        ),
      )
      .orderBy(inboundEvents.id)
      .limit(500);
    // A pending entry always has its channel's workspace (`insertEntries`); one without is a bug to see.
    const orphans = page.filter((e) => e.workspaceId === null).map((e) => e.id);
    if (orphans.length)
      deps.log.error({ events: orphans }, "pending inbound events without a workspace: not recovered");
    const { added } = await deps.queue.enqueueMany(
      processInboundEvent,
      page.flatMap(({ id, workspaceId }) =>
        workspaceId === null ? [] : [{ payload: { eventId: id }, jobId: `inbound:${id}`, workspaceId }],
      ),
    );
    recovered += added;
    if (page.length < 500) break;
    after = page[page.length - 1]!.id;
  }
  if (recovered > 0) deps.log.info({ recovered }, "re-enqueued inbound events left unprocessed");
  return recovered;
}
