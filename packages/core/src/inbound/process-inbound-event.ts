/**
 * Turns stored `inbound_event` rows into inbox state, for any channel: a row's source names the
 * adapter (`runtime.channels`), which normalises the stored payload into customer events; each event
 * is applied by the shared pipeline (`apply-customer-event.ts`). Idempotency is per event, not per
 * row, so a retry after a partial failure replays safely (see `receiveCustomerMessage`).
 *
 * **Batches.** A job carries one row (`eventId`) or several rows of one workspace (`eventIds`: the
 * inbound store and start-up recovery enqueue a burst that way). The rows are claimed, and the
 * processed ones marked, in one statement each; rows holding only customer messages are stored
 * `MESSAGES_PER_TRANSACTION` at a time in one transaction with their follow-ups enqueued together
 * (`receiveCustomerMessages`); any other row runs on its own, in order. A batch transaction that
 * fails is replayed row by row, so one poison row fails alone: it is marked `failed` with its error,
 * its neighbours are processed, and the job's retry finds only the failed row still to do (the job
 * rethrows the first retryable failure, else the first failure; a row that failed for good is tried
 * again only when a neighbour's retryable failure retries the job). Each step of a job — a batch
 * transaction, or a row on its own — starts at a moment `ingestIdle` leaves free.
 */
import { channels, type Db, inBackground, inboundEvents, isEmbeddedDb } from "@tandem/db";
import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { AppJobDeps } from "../app-deps.ts";
import type { CustomerEvent } from "../channels/adapter.ts";
import {
  type ReceiveCustomerMessageInput,
  receiveCustomerMessages,
} from "../conversations/receive-customer-message.ts";
import { ingestBusy, ingestIdle } from "../ingest-pacing.ts";
import { defineJob, type JobContext } from "../jobs/define-job.ts";
import { describeError, isRetryable } from "../jobs/errors.ts";
import { metrics } from "../observability/metrics.ts";
import { applyCustomerEvent, type EventScope } from "./apply-customer-event.ts";

type ChannelRow = typeof channels.$inferSelect;
type EventRow = typeof inboundEvents.$inferSelect;
type MessageEvent = Extract<CustomerEvent, { type: "message" }>;

/** Rows per job: what the inbound store and recovery put in one `eventIds` payload. */
export const EVENTS_PER_JOB = 50;
/**
 * Customer messages stored per transaction. On PGlite's one connection a transaction holds every
 * webhook acknowledgement until it commits: 20 messages take about as long as one acknowledgement's
 * budget on a busy machine. A PostgreSQL server takes more per commit. While this process's
 * webhooks pour in (a batch that starts overdue, see ingest-pacing.ts) a transaction takes at most
 * `duringBurst`, whatever the database: storing a batch costs this process's CPU too. (A worker
 * process answers no webhooks: it is never in a burst.)
 */
const MESSAGES_PER_TRANSACTION = { embedded: 20, duringBurst: 4, server: 50 };

export const processInboundEvent = defineJob({
  name: "process-inbound-event",
  schema: z.union([
    z.object({ eventId: z.string().min(1) }),
    z.object({ eventIds: z.array(z.string().min(1)).min(1).max(EVENTS_PER_JOB) }),
  ]),
  retry: { attempts: 5 },
  // Events of one row run in order; separate jobs run side by side (a PostgreSQL pool uses it).
  concurrency: 4,
  // On PGlite's one connection, acknowledging webhooks and sending replies go first: a burst is
  // stored at full speed and processed in the gaps (queries at most 200 ms behind; see ingestIdle
  // for the start of each transaction), so it never starves.
  background: true,
  handle: async (payload, deps: JobContext<AppJobDeps>) => {
    const ids = "eventId" in payload ? [payload.eventId] : payload.eventIds;
    // Webhook acknowledgements come first (see ingest-pacing.ts): start in a moment they leave free.
    await ingestIdle(deps.db);
    const run = new BatchRun(deps, await claim(deps.db, ids));
    await run.process();
    run.throwFailure();
  },
});

interface Prepared {
  row: EventRow;
  scope: EventScope;
  events: CustomerEvent[];
}

/** One job's rows: prepared in order, applied in batches where they hold only customer messages. */
class BatchRun {
  readonly #deps: JobContext<AppJobDeps>;
  readonly #rows: EventRow[];
  readonly #perTransaction: number;
  readonly #channels = new Map<string, ChannelRow | null>();
  readonly #failures: unknown[] = [];
  /** The job waited for its start (`ingestIdle`): its first step need not wait again. */
  #waited = true;

  constructor(deps: JobContext<AppJobDeps>, rows: EventRow[]) {
    this.#deps = deps;
    this.#rows = rows;
    this.#perTransaction = isEmbeddedDb(deps.db) ? MESSAGES_PER_TRANSACTION.embedded : MESSAGES_PER_TRANSACTION.server;
  }

  async process(): Promise<void> {
    const deps = this.#deps;
    const retried = this.#rows.filter((row) => row.attempts > 1 && row.channelId);
    for (const row of retried) await bumpChannel(deps.db, row.channelId!, "retries");

    const ignored: string[] = [];
    let batch: Prepared[] = [];
    let batchMessages = 0;
    for (const row of this.#rows) {
      let prepared: Prepared | null;
      try {
        prepared = await this.#prepare(row);
      } catch (error) {
        await this.#fail(row, error);
        continue;
      }
      if (!prepared) {
        ignored.push(row.id);
        continue;
      }
      if (!prepared.events.every((e) => e.type === "message")) {
        // Echoes, receipts, reactions…: on their own, after the messages before them.
        await this.#applyBatch(batch);
        batch = [];
        batchMessages = 0;
        await this.#turn();
        await this.#applyOne(prepared);
        continue;
      }
      batch.push(prepared);
      batchMessages += prepared.events.length;
      if (batchMessages >= this.#perTransaction) {
        await this.#applyBatch(batch);
        batch = [];
        batchMessages = 0;
      }
    }
    await this.#applyBatch(batch);
    if (ignored.length > 0) await finish(deps.db, ignored, "ignored");
  }

  /** Rethrows after every row had its turn: the first retryable failure, so the job retries the failed rows. */
  throwFailure(): void {
    if (this.#failures.length === 0) return;
    throw this.#failures.find(isRetryable) ?? this.#failures[0];
  }

  /** The row's adapter, channel and events; null when there is nothing to do with it. */
  async #prepare(row: EventRow): Promise<Prepared | null> {
    const adapter = this.#deps.channels.find(row.source);
    if (!adapter?.inbound) return null;
    const key = `${row.source}:${row.externalId ?? ""}:${row.channelId ?? ""}`;
    if (!this.#channels.has(key)) this.#channels.set(key, await resolveChannel(this.#deps.db, row));
    const channel = this.#channels.get(key);
    if (!channel) return null;
    const events = adapter.inbound.normalize(row.payload, channel);
    return { row, scope: { channel, eventId: row.id, receivedAt: row.receivedAt }, events };
  }

  /** Message-only rows in one transaction; if it fails, each row again on its own. */
  async #applyBatch(batch: Prepared[]): Promise<void> {
    const [first] = batch;
    if (!first) return;
    await this.#turn();
    if (batch.length === 1 && first.events.length <= 1) return this.#applyOne(first);
    if (ingestBusy(this.#deps.db)) {
      // Started overdue while this process's webhooks pour in (PGlite, or a process that both answers
      // webhooks and runs jobs): a short transaction now, the rest at the next turn.
      const cut = rowsHolding(batch, MESSAGES_PER_TRANSACTION.duringBurst);
      if (cut < batch.length) {
        this.#waited = true;
        await this.#applyBatch(batch.slice(0, cut));
        await this.#applyBatch(batch.slice(cut));
        return;
      }
    }
    try {
      await receiveCustomerMessages(
        this.#deps,
        batch.flatMap((p) => p.events.map((event) => messageInput(p.scope, event as MessageEvent))),
      );
    } catch (error) {
      this.#deps.log.warn({ err: error, events: batch.length }, "a batch of inbound events failed: one by one");
      for (const prepared of batch) await this.#applyOne(prepared);
      return;
    }
    await this.#finishProcessed(batch);
  }

  /** Waits for a moment acknowledgements leave free, unless the step is the one the job waited for. */
  async #turn(): Promise<void> {
    if (this.#waited) this.#waited = false;
    else await ingestIdle(this.#deps.db);
  }

  async #applyOne(prepared: Prepared): Promise<void> {
    try {
      for (const event of prepared.events) await applyCustomerEvent(this.#deps, prepared.scope, event);
    } catch (error) {
      await this.#fail(prepared.row, error);
      return;
    }
    await this.#finishProcessed([prepared]);
  }

  async #finishProcessed(done: Prepared[]): Promise<void> {
    const db = this.#deps.db;
    const byChannel = new Map<string, string[]>();
    for (const { row, scope } of done)
      byChannel.set(scope.channel.id, [...(byChannel.get(scope.channel.id) ?? []), row.id]);
    for (const [channelId, ids] of byChannel) await inBackground(() => finish(db, ids, "processed", channelId));
  }

  async #fail(row: EventRow, error: unknown): Promise<void> {
    const deps = this.#deps;
    this.#failures.push(error);
    const final = !isRetryable(error) || deps.attempt >= deps.maxAttempts;
    await deps.db
      .update(inboundEvents)
      .set({ status: "failed", error: describeError(error) })
      .where(eq(inboundEvents.id, row.id));
    if (final) metrics.inboundEventsFailed.inc({ channel: row.source });
    if (final && row.channelId) await bumpChannel(deps.db, row.channelId, "eventsFailed");
  }
}

/**
 * The jobs for stored rows: those of one workspace `EVENTS_PER_JOB` to a job (a job holds one
 * workspace's slot, so `workspaceConcurrency` still shares the slots), in the order given. The job
 * id derives from the rows, so enqueueing the same rows again is a no-op.
 */
export function inboundEventJobs(events: { id: string; workspaceId: string }[]) {
  const byWorkspace = new Map<string, string[]>();
  for (const { id, workspaceId } of events) byWorkspace.set(workspaceId, [...(byWorkspace.get(workspaceId) ?? []), id]);
  return [...byWorkspace].flatMap(([workspaceId, ids]) =>
    Array.from({ length: Math.ceil(ids.length / EVENTS_PER_JOB) }, (_, i) => {
      const eventIds = ids.slice(i * EVENTS_PER_JOB, (i + 1) * EVENTS_PER_JOB);
      return eventIds.length === 1
        ? { payload: { eventId: eventIds[0]! }, jobId: `inbound:${eventIds[0]}`, workspaceId }
        : { payload: { eventIds }, jobId: `inbound:${eventIds[0]}+${eventIds.length}`, workspaceId };
    }),
  );
}

/** How many of the first rows hold at least `messages` events (at least one row). */
function rowsHolding(batch: Prepared[], messages: number): number {
  let held = 0;
  for (const [i, prepared] of batch.entries()) {
    held += prepared.events.length;
    if (held >= messages) return i + 1;
  }
  return batch.length;
}

function messageInput(scope: EventScope, event: MessageEvent): ReceiveCustomerMessageInput {
  return {
    channel: scope.channel,
    from: event.from,
    thread: event.thread,
    message: event.message,
    standby: event.standby,
    inboundEventId: scope.eventId,
    receivedAt: scope.receivedAt,
  };
}

/** Marks the rows still to do `processing` (one statement), in the order the job lists them. */
async function claim(db: Db, ids: string[]): Promise<EventRow[]> {
  const claimed = await db
    .update(inboundEvents)
    .set({ status: "processing", attempts: sql`${inboundEvents.attempts} + 1` })
    .where(and(inArray(inboundEvents.id, ids), inArray(inboundEvents.status, ["pending", "processing", "failed"])))
    .returning();
  const position = new Map(ids.map((id, i) => [id, i]));
  return claimed.sort((a, b) => position.get(a.id)! - position.get(b.id)!);
}

/**
 * The row's connected (not disconnected) channel, looked up again at processing time: by the id the
 * row was stored with when the URL named it, else by the platform account the payload named.
 */
async function resolveChannel(db: Db, event: EventRow): Promise<ChannelRow | null> {
  const byAccount = event.externalId
    ? and(eq(channels.type, event.source), eq(channels.externalId, event.externalId))
    : null;
  const match = event.channelId && !byAccount ? eq(channels.id, event.channelId) : byAccount;
  if (!match) return null;
  const [channel] = await db
    .select()
    .from(channels)
    .where(and(match, isNull(channels.disconnectedAt)))
    .limit(1);
  return channel ?? null;
}

async function finish(db: Db, ids: string[], status: "processed" | "ignored", channelId?: string) {
  await db
    .update(inboundEvents)
    .set({ status, processedAt: sql`now()`, error: null, ...(channelId ? { channelId } : {}) })
    .where(inArray(inboundEvents.id, ids));
}

async function bumpChannel(db: Db, channelId: string, counter: "retries" | "eventsFailed") {
  const column = channels[counter];
  await db
    .update(channels)
    .set({ [counter]: sql`${column} + 1` })
    .where(eq(channels.id, channelId));
}
