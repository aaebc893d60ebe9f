import { analyticsDailyQuery, analyticsQueryEmbeddings, chatbots, type Db, rowsOf } from "@tandem/db";
import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { AppJobDeps } from "../app-deps.ts";
import { ingestIdle } from "../ingest-pacing.ts";
import { defineJob, type JobContext } from "../jobs/define-job.ts";
import type { JobQueue } from "../jobs/queue.ts";
import { embeddingKey } from "../knowledge/embeddings/embedding-key.ts";
import { MAX_RANGE_DAYS } from "./get-analytics.ts";

const DAY_MS = 24 * 60 * 60_000;

/**
 * How far back a text must have been asked for its vector to stay, in days before today (UTC). A
 * read ending today covers at most `MAX_RANGE_DAYS` local days, today included: from UTC's today
 * minus 364 (a zone ahead of UTC) to minus 366 (a zone behind it).
 */
export const QUERY_EMBEDDING_WINDOW_DAYS = MAX_RANGE_DAYS;

/**
 * Deletes the cached vectors of the top queries (`analytics_query_embedding`, `cluster-queries.ts`)
 * that no read will use again, one workspace at a time, `between` called between workspaces:
 *
 * - those of an embedding key no chatbot of the workspace has (`retrieval.embedding`; deleted
 *   chatbots included, as their analytics can still be read): the model was changed or removed;
 * - those of a text not asked in the workspace within `QUERY_EMBEDDING_WINDOW_DAYS`
 *   (`analytics_daily_query`): no period that ends today holds it.
 *
 * A read of a custom range that ended long ago embeds such texts again (one call of at most 50) and
 * they go at the next run. So the table holds at most a vector per key in use and text of the last
 * year, and never grows with the years. Returns how many were deleted.
 *
 * It hashes every text of the year once per workspace (about 0.3 s for 50,000 texts on PGlite, on a
 * loaded machine): once a day is enough (`schedulePruneQueryEmbeddings`), a vector lives a day longer.
 */
export async function pruneQueryEmbeddings(db: Db, { between }: { between?: () => Promise<void> } = {}) {
  const cached = await db
    .selectDistinct({ workspaceId: analyticsQueryEmbeddings.workspaceId })
    .from(analyticsQueryEmbeddings);
  let deleted = 0;
  for (const [i, { workspaceId }] of cached.entries()) {
    if (i > 0) await between?.();
    deleted += await pruneWorkspace(db, workspaceId);
  }
  return deleted;
}

async function pruneWorkspace(db: Db, workspaceId: string): Promise<number> {
  const bots = await db
    .select({ retrieval: chatbots.retrievalSettings })
    .from(chatbots)
    .where(eq(chatbots.workspaceId, workspaceId));
  const keys = [...new Set(bots.flatMap((b) => (b.retrieval.embedding ? [embeddingKey(b.retrieval.embedding)] : [])))];
  const e = analyticsQueryEmbeddings;
  const q = analyticsDailyQuery;
  const unusedModels = await db.execute(sql`
    delete from ${e}
    where ${e.workspaceId} = ${workspaceId}
      and ${e.model} not in (select jsonb_array_elements_text(${JSON.stringify(keys)}::jsonb))
    returning 1`);
  // An anti-join: the texts of the window are hashed once each (as `queryHash` does), not per vector.
  const notAsked = await db.execute(sql`
    delete from ${e}
    where ${e.workspaceId} = ${workspaceId}
      and not exists (
        select 1 from ${q}
        where ${q.workspaceId} = ${workspaceId}
          and ${q.date} >= (now() at time zone 'UTC')::date - ${QUERY_EMBEDDING_WINDOW_DAYS}::int
          and encode(sha256(convert_to(${q.query}, 'UTF8')), 'hex') = ${e.queryHash})
    returning 1`);
  return rowsOf(unusedModels).length + rowsOf(notAsked).length;
}

/** The daily run of `pruneQueryEmbeddings`, enqueued by the hourly `database-maintenance`. */
export const pruneQueryEmbeddingsJob = defineJob({
  name: "prune-query-embeddings",
  schema: z.object({}),
  retry: { attempts: 3 },
  system: true,
  concurrency: 1,
  background: true,
  handle: async (_payload, deps: JobContext<AppJobDeps>) => {
    const deleted = await pruneQueryEmbeddings(deps.db, { between: () => ingestIdle(deps.db) });
    deps.log.info({ deleted }, "top queries' vectors pruned");
  },
});

/**
 * Enqueues today's prune (UTC). The job id names the day, so every hourly call after the first adds
 * nothing. Returns whether it was added.
 */
export async function schedulePruneQueryEmbeddings(queue: JobQueue, now = Date.now()): Promise<boolean> {
  const day = Math.floor(now / DAY_MS);
  const { deduplicated } = await queue.enqueue(pruneQueryEmbeddingsJob, {}, { jobId: `query-embeddings:day-${day}` });
  return !deduplicated;
}
