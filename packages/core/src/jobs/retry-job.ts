import { recordAudit } from "../audit/record-audit.ts";
import type { Ctx } from "../context.ts";
import { DomainError } from "../errors.ts";
import { type JobsAccess, jobScopeFor, queueOf } from "./job-scope.ts";

/**
 * Runs a failed job of the caller's scope again, with a fresh set of attempts. Another workspace's
 * job, like a job that is not failed, is `job_not_found`.
 */
export async function retryJob(ctx: Ctx, jobId: string, access: JobsAccess): Promise<{ id: string }> {
  const queue = queueOf(ctx);
  if (!(await queue.retry(await jobScopeFor(ctx, access), jobId)))
    throw new DomainError("job_not_found", "No failed job with this id");
  await recordAudit(ctx, { action: "job.retry", entityType: "job", entityId: jobId });
  return { id: jobId };
}
