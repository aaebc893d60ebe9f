/**
 * Housekeeping that keeps a long-running install as fast on its hundredth day as on its first, run
 * by the `database-maintenance` job once an hour in whichever process runs jobs.
 *
 * - **Raw webhook entries** (`inbound_event`) are evidence for a while, not forever: once processed
 *   (or ignored) they are deleted after `INBOUND_EVENT_RETENTION_DAYS`, failed ones after
 *   `FAILED_INBOUND_EVENT_RETENTION_DAYS` at the earliest. What they produced (contacts,
 *   conversations, messages) stays. `pending` and `processing` entries are never touched.
 * - **Agents' uploads no reply sent** (the composer uploads a file as soon as it is picked) are
 *   deleted from DATA_DIR a day after their upload (`sweepUnsentUploads`).
 * - **Chatbot error records** (`chatbot_error`, the chatbots' health) are deleted after
 *   `CHATBOT_ERROR_RETENTION_DAYS` (30).
 * - **Audit rows** older than `AUDIT_LOG_RETENTION_DAYS` (a year by default; 0 keeps them) are
 *   deleted (`pruneAuditLog`).
 * - **Sessions** past their expiry (30 days unused, or 90 days after sign-in) are deleted, and any
 *   socket still open on one is disconnected.
 * - **Embedded database**: PGlite runs PostgreSQL without its postmaster, so there is no autovacuum
 *   and no auto-analyze. Without them every updated or deleted row (a job changes status three
 *   times, a conversation with every message) stays in the tables and indexes for good, and the
 *   planner never learns how big the tables became. The job vacuums and analyzes the tables that
 *   change all day when autovacuum's default thresholds say so (`tablesDue`), one statement per
 *   table. On a PostgreSQL server autovacuum does this already.
 *
 * - **Analytics rollups**: a `refresh-analytics` job per workspace recomputes today and yesterday.
 * - **Shopify reconcile**: a full `shopify-sync` of every connected store once a day, and syncs that
 *   crashed with nobody to take them over marked failed.
 * - **Top queries' vectors** (`analytics_query_embedding`): a `prune-query-embeddings` job once a day
 *   deletes those of a text not asked in the last year or of an embedding model no chatbot has.
 *
 * Each step waits for a moment free of webhook acknowledgements (`ingestIdle`), and its queries run
 * behind everyone else's (`background` job): on PGlite's one connection a customer never waits for it.
 */
import { type Db, inboundEvents, isEmbeddedDb, rowsOf } from "@tandem/db";
import { sql } from "drizzle-orm";
import { z } from "zod";
import { schedulePruneQueryEmbeddings } from "../analytics/prune-query-embeddings.ts";
import { scheduleAnalyticsRefresh } from "../analytics/refresh-analytics.ts";
import type { AppJobDeps } from "../app-deps.ts";
import { pruneAuditLog } from "../audit/prune-audit-log.ts";
import { deleteExpiredSessions } from "../auth/sessions.ts";
import { pruneChatbotErrors } from "../chatbot-health/prune-chatbot-errors.ts";
import { ingestIdle } from "../ingest-pacing.ts";
import { defineJob, type JobContext } from "../jobs/define-job.ts";
import type { JobQueue } from "../jobs/queue.ts";
import { sweepUnsentUploads } from "../media/media-store.ts";
import { scheduleShopifyReconcile } from "../shopify/schedule-shopify-reconcile.ts";

export const MAINTENANCE_INTERVAL_MS = 60 * 60_000;
/** An upload no reply sent within a day is deleted. */
export const UNSENT_UPLOAD_RETENTION_MS = 24 * 60 * 60_000;
/** Failed entries are what someone may still want to look into: kept a month at least. */
export const FAILED_INBOUND_EVENT_RETENTION_DAYS = 30;
/** Rows deleted per statement: a short statement never holds PGlite's thread for long. */
const PRUNE_CHUNK = 500;
/** The tables whose rows are updated or deleted all day long. */
export const VACUUMED_TABLES = [
  "job",
  "inbound_event",
  "channel",
  "conversation",
  "contact",
  "message",
  "session",
  // Knowledge: grows in bursts (an upload, an import, a re-embedding); retrieval's plans need its statistics.
  "knowledge_source",
  "document",
  "chunk",
  "chunk_embedding",
] as const;

export interface PruneOptions {
  retentionDays: number;
  /** Called between chunks (the job waits for a quiet moment there). */
  between?: () => Promise<void>;
}

/** Deletes processed, ignored and (later) failed webhook entries past their retention; returns how many. */
export async function pruneInboundEvents(db: Db, { retentionDays, between }: PruneOptions): Promise<number> {
  const failedDays = Math.max(retentionDays, FAILED_INBOUND_EVENT_RETENTION_DAYS);
  let deleted = 0;
  for (;;) {
    const result = await db.execute(sql`
      delete from ${inboundEvents} where ${inboundEvents.id} in (
        select ${inboundEvents.id} from ${inboundEvents}
        where (${inboundEvents.status} in ('processed', 'ignored')
            and ${inboundEvents.receivedAt} < now() - make_interval(days => ${retentionDays}))
          or (${inboundEvents.status} = 'failed'
            and ${inboundEvents.receivedAt} < now() - make_interval(days => ${failedDays}))
        limit ${PRUNE_CHUNK})
      returning ${inboundEvents.id}`);
    const n = rowsOf(result).length;
    deleted += n;
    if (n < PRUNE_CHUNK) return deleted;
    await between?.();
  }
}

export interface TableMaintenance {
  table: string;
  vacuum: boolean;
  analyze: boolean;
}

/**
 * What autovacuum would do now, by its default thresholds: vacuum a table once dead rows exceed
 * 50 + 20 % of its rows (or inserts since the last vacuum exceed 1,000 + 20 %), analyze it once
 * changed rows exceed 50 + 10 %. A table never vacuumed or analyzed is due. A big table that mostly
 * grows (messages) is therefore visited every few hours at most, not every hour.
 */
export async function tablesDue(
  db: Db,
  tables: readonly string[] = VACUUMED_TABLES,
  /** Rows the caller just wrote, per table: the cumulative statistics may not show them yet. */
  written: Readonly<Record<string, number>> = {},
): Promise<TableMaintenance[]> {
  const rows = rowsOf<{
    table: string;
    rows: number;
    dead: number;
    inserted: number;
    changed: number;
    vacuumed: boolean;
    analyzed: boolean;
  }>(
    await db.execute(sql`
      select s.relname as "table", greatest(c.reltuples, 0)::float8 as "rows", s.n_dead_tup::float8 as "dead",
        s.n_ins_since_vacuum::float8 as "inserted", s.n_mod_since_analyze::float8 as "changed",
        (s.last_vacuum is not null) as "vacuumed", (s.last_analyze is not null) as "analyzed"
      from pg_stat_user_tables s join pg_class c on c.oid = s.relid
      where s.relname in (select jsonb_array_elements_text(${JSON.stringify(tables)}::jsonb))
      order by s.relname`),
  );
  return rows
    .map((r) => {
      const n = Number(r.rows);
      return {
        table: r.table,
        vacuum: !r.vacuumed || Number(r.dead) > 50 + 0.2 * n || Number(r.inserted) > 1000 + 0.2 * n,
        analyze: !r.analyzed || Math.max(Number(r.changed), written[r.table] ?? 0) > 50 + 0.1 * n,
      };
    })
    .filter((t) => t.vacuum || t.analyze);
}

/**
 * Vacuums and/or analyzes the busy tables that are due (`tablesDue`), one statement per table;
 * only on an embedded database. Returns what was done.
 */
export async function vacuumEmbeddedDatabase(db: Db, between?: () => Promise<void>): Promise<TableMaintenance[]> {
  if (!isEmbeddedDb(db)) return [];
  const due = await tablesDue(db);
  for (const [i, { table, vacuum, analyze }] of due.entries()) {
    if (i > 0) await between?.();
    const command = vacuum ? `vacuum${analyze ? " (analyze)" : ""}` : "analyze";
    // The names come from VACUUMED_TABLES, never from input.
    await db.execute(sql.raw(`${command} "${table}"`));
  }
  return due;
}

/**
 * Right after a burst of writes to the knowledge tables (a document's chunks, an FAQ import), on the
 * embedded database: analyzes those that are due, so retrieval's next query is planned on their real
 * size — without statistics PostgreSQL reads every chunk of the workspace instead of asking the
 * full-text index (about 0.5 s instead of 20 ms at 100,000 chunks). A PostgreSQL server's autovacuum
 * does this by itself within a minute. Returns the tables analyzed.
 */
export async function analyzeKnowledgeIfDue(
  db: Db,
  /** Rows this process just wrote, per table: the cumulative statistics may not show them yet. */
  written: Partial<Record<(typeof KNOWLEDGE_TABLES)[number], number>> = {},
): Promise<string[]> {
  if (!isEmbeddedDb(db)) return [];
  const due = (await tablesDue(db, KNOWLEDGE_TABLES, written)).filter((t) => t.analyze).map((t) => t.table);
  // The names come from KNOWLEDGE_TABLES, never from input.
  for (const table of due) await db.execute(sql.raw(`analyze "${table}"`));
  return due;
}

const KNOWLEDGE_TABLES = ["document", "chunk", "chunk_embedding"] as const;

/**
 * Right after a burst of chunks (an ingest, an FAQ import), on either database: moves the entries
 * the full-text index keeps aside for new chunks into the index proper. GIN's fast update collects
 * new entries in a pending list (up to `gin_pending_list_limit`, 4 MB) that every search reads whole
 * until a VACUUM (autovacuum comes only once a fifth of the table has changed; PGlite has none) or
 * until the list is full: with 1,500 chunks just added to 100,000 (493 pending pages), an every-word
 * query took 12–17 ms on PostgreSQL, 0.3–0.7 ms once emptied. Returns the pending pages moved.
 */
export async function flushChunkSearchIndex(db: Db): Promise<number> {
  const result = await db.execute(sql`SELECT gin_clean_pending_list('chunk_search_idx'::regclass)::int AS pages`);
  return rowsOf<{ pages: number }>(result)[0]?.pages ?? 0;
}

/** After a burst of chunks: `flushChunkSearchIndex`, then `analyzeKnowledgeIfDue`. */
export async function settleKnowledgeWrites(
  db: Db,
  written: Parameters<typeof analyzeKnowledgeIfDue>[1],
): Promise<void> {
  await flushChunkSearchIndex(db);
  await analyzeKnowledgeIfDue(db, written);
}

export const databaseMaintenance = defineJob({
  name: "database-maintenance",
  schema: z.object({}),
  retry: { attempts: 3 },
  system: true,
  concurrency: 1,
  background: true,
  handle: async (_payload, deps: JobContext<AppJobDeps>) => {
    const quietMoment = () => ingestIdle(deps.db);
    try {
      await quietMoment();
      const started = Date.now();
      const pruned = await pruneInboundEvents(deps.db, {
        retentionDays: deps.config.inboundEventRetentionDays,
        between: quietMoment,
      });
      await quietMoment();
      const chatbotErrors = await pruneChatbotErrors(deps.db, { between: quietMoment });
      const prunedAudit = await pruneAuditLog(deps.db, {
        retentionDays: deps.config.auditLogRetentionDays,
        between: quietMoment,
      });
      await quietMoment();
      const expiredSessions = await deleteExpiredSessions(deps);
      const unsentUploads = await sweepUnsentUploads(
        deps.config.dataDir,
        new Date(Date.now() - UNSENT_UPLOAD_RETENTION_MS),
      );
      const maintained = await vacuumEmbeddedDatabase(deps.db, quietMoment);
      // Each workspace's analytics rollups: today and yesterday recomputed (`analytics/rollups.ts`).
      const analyticsRefreshes = await scheduleAnalyticsRefresh(deps, deps.queue);
      // Each connected Shopify store's full sync, once a day (`shopify/schedule-shopify-reconcile.ts`).
      const shopifyReconciles = await scheduleShopifyReconcile(deps, deps.queue);
      // The top queries' vectors no read will use, once a day (`analytics/prune-query-embeddings.ts`).
      const queryEmbeddingsPrune = await schedulePruneQueryEmbeddings(deps.queue);
      deps.log.info(
        {
          pruned,
          chatbotErrors,
          prunedAudit,
          expiredSessions,
          unsentUploads,
          vacuumed: maintained.filter((t) => t.vacuum).map((t) => t.table),
          analyzed: maintained.filter((t) => t.analyze).map((t) => t.table),
          analyticsRefreshes,
          shopifyReconciles,
          queryEmbeddingsPrune,
          ms: Date.now() - started,
        },
        "database maintenance done",
      );
    } finally {
      // The next run, whatever happened to this one (a failure is retried, and logged by the queue).
      await scheduleDatabaseMaintenance(deps.queue);
    }
  },
});

/**
 * Enqueues the maintenance run of the next hour slot. The job id names the slot, so every process
 * that starts (web processes, workers) and every run that ends schedules the same single job.
 */
export async function scheduleDatabaseMaintenance(queue: JobQueue, now = Date.now()): Promise<void> {
  const slot = Math.floor(now / MAINTENANCE_INTERVAL_MS) + 1;
  await queue.enqueue(
    databaseMaintenance,
    {},
    { jobId: `maintenance:${slot}`, delayMs: slot * MAINTENANCE_INTERVAL_MS - now },
  );
}
