import { inBackground } from "@tandem/db";
import type { Logger } from "../logger.ts";
import { type AnyJobDefinition, type JobContext, type JobRunInfo, parsePayload } from "./define-job.ts";

/** One run of a handler, shared by both drivers: validate the stored payload, build the context, call it. */
export async function runJob<TDeps extends object>(
  def: AnyJobDefinition<TDeps>,
  deps: TDeps,
  run: Omit<JobRunInfo, "log" | "name"> & { payload: unknown; log: Logger; workspaceId?: string | null },
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
  const payload = parsePayload(def, run.payload);
  const handle = async () => def.handle(payload, { ...deps, ...info } as JobContext<TDeps>);
  await (def.background ? inBackground(handle) : handle());
}
