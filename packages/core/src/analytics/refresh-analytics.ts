import { rowsOf, workspaces } from "@tandem/db";
import { sql } from "drizzle-orm";
import { z } from "zod";
import type { AppJobDeps } from "../app-deps.ts";
import { defineJob, type JobContext } from "../jobs/define-job.ts";
import type { JobQueue } from "../jobs/queue.ts";
import { addDays, localToday, refreshAnalyticsRollups } from "./rollups.ts";

/**
 * Keeps one workspace's daily rollups up to date (`rollups.ts`): what was created since the last
 * refresh, plus today and yesterday in its time zone; everything after a time-zone change. Enqueued
 * hourly for every workspace by `scheduleAnalyticsRefresh` and after a time-zone change.
 */
export const refreshAnalytics = defineJob({
  name: "refresh-analytics",
  schema: z.object({ workspaceId: z.string().min(1) }),
  retry: { attempts: 3 },
  concurrency: 1,
  background: true,
  handle: async ({ workspaceId }, deps: JobContext<AppJobDeps>) => {
    const [row] = rowsOf<{ timeZone: string }>(
      await deps.db.execute(
        sql`select coalesce(settings -> 'analytics' ->> 'timeZone', 'UTC') as "timeZone" from ${workspaces} where id = ${workspaceId}`,
      ),
    );
    if (!row) return; // deleted since
    const today = localToday(row.timeZone);
    await refreshAnalyticsRollups(deps.db, workspaceId, { days: { from: addDays(today, -1), to: today } });
  },
});

/** Enqueues one refresh per workspace for this hour (the job id names the hour: enqueueing twice adds nothing). */
export async function scheduleAnalyticsRefresh(deps: Pick<AppJobDeps, "db">, queue: JobQueue, now = Date.now()) {
  const hour = Math.floor(now / 3_600_000);
  const ids = await deps.db.select({ id: workspaces.id }).from(workspaces);
  if (ids.length === 0) return 0;
  const { added } = await queue.enqueueMany(
    refreshAnalytics,
    ids.map(({ id }) => ({ payload: { workspaceId: id }, workspaceId: id, jobId: `analytics:${id}:${hour}` })),
  );
  return added;
}
