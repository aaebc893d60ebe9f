import type { Logger } from "../logger.ts";
import type { TraceCarrier } from "../observability/job-spans.ts";
import type { JobDefinition } from "./define-job.ts";
import type { JobRegistry } from "./registry.ts";

/**
 * One interface, two drivers: `createDbJobQueue` (the embedded queue stored in the database, used
 * when REDIS_URL is unset) and `createBullmqJobQueue` (REDIS_URL set). Both behave the same:
 *
 * - **Deduplication.** `jobId` is a key derived from the work (`bot-reply:{messageId}`). It is
 *   unique per job name for as long as the job is kept, in any state: enqueueing a key that is
 *   waiting, delayed, active, completed or failed returns the existing job with
 *   `deduplicated: true` and changes nothing. Completed jobs are kept for
 *   `retention.completedMs` and failed ones for `retention.failedMs`; after that the key is free.
 *   To run failed work again call `retry(id)` (or enqueue with a new key).
 * - **Retries.** A handler error is retried with exponential backoff and jitter until the job's
 *   attempts are used up, unless the error is not retryable (see errors.ts); then the job is
 *   `failed`, kept for admins (`listFailed`, `retry`).
 * - **Crash recovery.** A running job holds a lease (DB: `lease_expires_at`; BullMQ: the job lock)
 *   renewed while its process lives. When the process dies, the lease runs out and the job goes
 *   back to waiting without charging the interrupted attempt; a job that stalls more than
 *   `maxStalls` times (it keeps killing its worker) fails instead.
 * - **Graceful stop.** `stop()` takes no new jobs, waits for running ones up to `timeoutMs`, then
 *   aborts their `signal` and returns them to the queue (again without charging the attempt).
 * - **Workspaces.** Every job is enqueued with the workspace it works for, except system jobs
 *   (`defineJob({ system: true })`). Listings, counts and retries take a `JobScope`: another
 *   workspace's job is "not found". At most `workspaceConcurrency` of a name's slots hold one
 *   workspace's jobs (each driver's comment says who gets a free slot first).
 */
export interface JobQueue {
  readonly driver: "db" | "bullmq";
  /**
   * Validates the payload (throws `InvalidJobPayloadError`) and stores the job. Works in a process
   * that never starts the queue (producer only) and while it stops; throws once `stop()` resolved.
   */
  enqueue<TPayload, TInput>(
    // biome-ignore lint/suspicious/noExplicitAny: producers need not know the handler's deps
    def: JobDefinition<TPayload, any, TInput>,
    payload: NoInfer<TInput>,
    options?: EnqueueOptions,
  ): Promise<EnqueueResult>;
  /**
   * Many jobs of one kind in one round trip (one INSERT, or one BullMQ `addBulk`), for producers
   * that create work in bursts. Same validation and deduplication as `enqueue`; answers how many
   * were new.
   */
  enqueueMany<TPayload, TInput>(
    // biome-ignore lint/suspicious/noExplicitAny: producers need not know the handler's deps
    def: JobDefinition<TPayload, any, TInput>,
    items: EnqueueItem<NoInfer<TInput>>[],
  ): Promise<{ added: number }>;
  /** Starts running the registered handlers. A producer-only process never calls it. */
  start(): Promise<void>;
  /** Stops taking jobs, lets running ones finish up to `timeoutMs`, returns the rest to the queue, releases connections. */
  stop(options?: StopOptions): Promise<StopResult>;
  /** Failed ("dead") jobs in the scope, most recent first. */
  listFailed(scope: JobScope, options?: { limit?: number }): Promise<FailedJob[]>;
  /**
   * Moves a failed job of the scope back to waiting with a fresh set of attempts. False when it is
   * not failed, gone, or not in the scope.
   */
  retry(scope: JobScope, jobId: string): Promise<boolean>;
  /** Jobs in the scope per state (BullMQ: `delayed` includes jobs deferred for their workspace's turn). */
  counts(scope: JobScope): Promise<QueueCounts>;
  /**
   * Every workspace's jobs together, per job name: the backlog and how late its oldest due job is.
   * For operators' metrics (`/api/metrics`), never shown to a workspace.
   */
  stats(): Promise<QueueStats[]>;
}

export interface QueueStats {
  name: string;
  /** Due and not started. */
  waiting: number;
  delayed: number;
  active: number;
  failed: number;
  /** When the oldest waiting job became due (null: none waiting): the queue's lag is now minus this. */
  oldestDueAt: Date | null;
}

/** Whose jobs a listing, a count or a retry covers. An empty scope covers nothing. */
export interface JobScope {
  /** The jobs of this workspace. */
  workspaceId?: string | undefined;
  /** The jobs of no workspace (housekeeping): for operators. */
  system?: boolean | undefined;
}

export interface EnqueueOptions {
  /** Deduplication key, derived from the work. */
  jobId?: string;
  /** Run no earlier than this many milliseconds from now. */
  delayMs?: number;
  /** The workspace the job works for: required, except for system jobs (which must not have one). */
  workspaceId?: string;
}

/** One job of an `enqueueMany` call. */
export interface EnqueueItem<TInput> {
  payload: TInput;
  jobId?: string;
  workspaceId?: string;
  /**
   * The trace this job continues, when it is not the caller's own: work batched after the requests
   * that caused it (webhook events) names each request's trace. Default: the active one.
   */
  trace?: TraceCarrier | undefined;
}

export interface EnqueueResult {
  id: string;
  /** True when a job with the same key already existed: nothing was added. */
  deduplicated: boolean;
}

export interface StopOptions {
  /** How long running jobs may take to finish. Default 10 s. */
  timeoutMs?: number;
}

export interface StopResult {
  /** Jobs that were still running at the timeout and went back to the queue. */
  returned: number;
}

export interface FailedJob {
  id: string;
  name: string;
  jobKey: string | null;
  /** Null for a system job. */
  workspaceId: string | null;
  payload: unknown;
  attempts: number;
  maxAttempts: number;
  error: string | null;
  failedAt: Date | null;
  createdAt: Date;
}

export interface JobCounts {
  waiting: number;
  /** Waiting for a later time (enqueued with `delayMs`, or backing off before a retry). */
  delayed: number;
  active: number;
  completed: number;
  failed: number;
}

export interface QueueCounts extends JobCounts {
  byName: Record<string, JobCounts>;
}

export interface Retention {
  completedMs: number;
  failedMs: number;
}

/** Options every driver takes. */
export interface JobQueueOptions<TDeps extends object> {
  registry: JobRegistry<TDeps>;
  /** Given to every handler, merged with the run info (`jobId`, `attempt`, `log`, `signal`). */
  deps: TDeps;
  log: Logger;
  /** How long a running job's lease lasts without renewal; a dead process's jobs are recovered after it. Default 30 s. */
  leaseMs?: number;
  /** How often expired leases are looked for. Default 15 s. */
  recoveryIntervalMs?: number;
  /** Times a job may be recovered from a dead worker before it fails. Default 1. */
  maxStalls?: number;
  retention?: Partial<Retention>;
}

export const QUEUE_DEFAULTS = {
  leaseMs: 30_000,
  recoveryIntervalMs: 15_000,
  maxStalls: 1,
  stopTimeoutMs: 10_000,
  retention: { completedMs: 24 * 60 * 60_000, failedMs: 14 * 24 * 60 * 60_000 } satisfies Retention,
} as const;

export const STALLED_ERROR = "job stalled more than allowable limit";

export function emptyCounts(): JobCounts {
  return { waiting: 0, delayed: 0, active: 0, completed: 0, failed: 0 };
}

/**
 * Shared by the drivers: a key must be a non-empty string, a delay a finite number, and the job has
 * a workspace unless it is a system job.
 */
export function checkEnqueueOptions(
  def: { name: string; system: boolean },
  options: EnqueueOptions,
): { jobKey: string | null; delayMs: number; workspaceId: string | null } {
  if (options.jobId !== undefined && (typeof options.jobId !== "string" || options.jobId.length === 0)) {
    throw new Error("jobId must be a non-empty string");
  }
  const delayMs = options.delayMs ?? 0;
  if (!Number.isFinite(delayMs)) throw new Error("delayMs must be a finite number");
  const workspaceId = options.workspaceId ?? null;
  if (def.system && workspaceId !== null)
    throw new Error(`Job "${def.name}" is a system job: it is enqueued without a workspaceId`);
  if (!def.system && (typeof workspaceId !== "string" || !WORKSPACE_ID.test(workspaceId)))
    throw new Error(`Job "${def.name}" works for a workspace: enqueue it with its workspaceId`);
  return { jobKey: options.jobId ?? null, delayMs: Math.max(0, Math.round(delayMs)), workspaceId };
}

/** Workspace ids as `newId` makes them (`ws_…`); BullMQ job ids embed them, so nothing else gets in. */
const WORKSPACE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Whether a job of `workspaceId` (null: a system job) is in `scope`. */
export function inScope(scope: JobScope, workspaceId: string | null): boolean {
  return workspaceId === null ? scope.system === true : scope.workspaceId === workspaceId;
}
