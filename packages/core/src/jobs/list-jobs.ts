import type { Ctx } from "../context.ts";
import { type JobsAccess, jobScopeFor, queueOf } from "./job-scope.ts";
import type { FailedJob, JobCounts } from "./queue.ts";

export interface JobsOverview {
  driver: "db" | "bullmq";
  /** Whether the caller is an operator, who also sees system jobs. */
  system: boolean;
  counts: JobCounts;
  byName: Record<string, JobCounts>;
  /** Most recent first. */
  failed: FailedJob[];
}

/** The jobs page: counts per state and per job name, and recent failed jobs, of the caller's scope. */
export async function listJobs(ctx: Ctx, input: { limit: number }, access: JobsAccess): Promise<JobsOverview> {
  const queue = queueOf(ctx);
  const scope = await jobScopeFor(ctx, access);
  const { byName, ...counts } = await queue.counts(scope);
  const failed = await queue.listFailed(scope, { limit: input.limit });
  return { driver: queue.driver, system: scope.system === true, counts, byName, failed };
}
