import { inBackground } from "@tandem/db";
import type { Logger } from "../logger.ts";
import { reportError } from "../observability/error-reporting.ts";
import { type TraceCarrier, traceJobRun } from "../observability/job-spans.ts";
import { metrics } from "../observability/metrics.ts";
import { type AnyJobDefinition, type JobContext, type JobRunInfo, parsePayload } from "./define-job.ts";

/**
 * One run of a handler, shared by both drivers: validate the stored payload, build the context, call
 * it — in a span that continues the trace of whoever enqueued the job (`trace`), counted and timed
 * per job name (`/api/metrics`).
 */
export async function runJob<TDeps extends object>(
  def: AnyJobDefinition<TDeps>,
  deps: TDeps,
  run: Omit<JobRunInfo, "log" | "name"> & {
    payload: unknown;
    log: Logger;
    workspaceId?: string | null;
    trace?: TraceCarrier | undefined;
  },
): Promise<void> {
  const log = run.log.child({
    job: def.name,
    jobId: run.jobId,
    attempt: run.attempt,
    ...(run.workspaceId ? { workspaceId: run.workspaceId } : {}),
  });
  const info: JobRunInfo = {
    jobId: run.jobId,
    jobKey: run.jobKey,
    name: def.name,
    attempt: run.attempt,
    maxAttempts: run.maxAttempts,
    log,
    signal: run.signal,
  };
  const started = performance.now();
  try {
    await traceJobRun({ ...info, workspaceId: run.workspaceId }, run.trace, async () => {
      const payload = parsePayload(def, run.payload);
      const handle = async () => def.handle(payload, { ...deps, ...info } as JobContext<TDeps>);
      await (def.background ? inBackground(handle) : handle());
    });
    metrics.jobsCompleted.inc({ job: def.name });
  } finally {
    metrics.jobDuration.observe({ job: def.name }, (performance.now() - started) / 1000);
  }
}

/**
 * A run that threw, as the driver decided: counted, and — when the job failed for good — reported
 * to Sentry with its name and id (retries are not: the next attempt may well succeed).
 */
export function recordJobFailure(
  job: { name: string; jobId: string; attempt: number; workspaceId?: string | null | undefined },
  error: unknown,
  final: boolean,
): void {
  metrics.jobsFailed.inc({ job: job.name, final: String(final) });
  if (final)
    reportError(error, { job: job.name, jobId: job.jobId, attempt: job.attempt, workspaceId: job.workspaceId });
}
