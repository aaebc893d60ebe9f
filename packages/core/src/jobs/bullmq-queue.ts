import { randomUUID } from "node:crypto";
import {
  DelayedError,
  type Job,
  type JobsOptions,
  Queue,
  UnrecoverableError,
  WaitingError,
  Worker,
  type WorkerOptions,
} from "bullmq";
import { Redis } from "ioredis";
import { isCarrier, type TraceCarrier, traceEnqueue } from "../observability/job-spans.ts";
import { backoffDelay } from "./backoff.ts";
import { type AnyJobDefinition, type JobDefinition, parsePayload } from "./define-job.ts";
import { describeError, isRetryable, retryAfterMsOf } from "./errors.ts";
import {
  checkEnqueueOptions,
  type EnqueueItem,
  type EnqueueOptions,
  type EnqueueResult,
  emptyCounts,
  type FailedJob,
  inScope,
  type JobQueue,
  type JobQueueOptions,
  type JobScope,
  QUEUE_DEFAULTS,
  type QueueCounts,
  type QueueStats,
  type Retention,
  type StopOptions,
  type StopResult,
} from "./queue.ts";
import { recordJobFailure, runJob } from "./run-job.ts";

/**
 * The scaled driver: one BullMQ queue (and, in processes that run jobs, one worker) per job name,
 * so each name has its own concurrency. Every BullMQ setting is derived in `bullmqSettings` from
 * the job's definition and the queue options, in this one place.
 *
 * Ids: a job's BullMQ id is `{owner}.{key}` — the owner being its workspace id, or `system` — with
 * the key escaped (BullMQ forbids `:`), or `{owner}.{uuid}` without a key. The id this driver hands
 * out is `{name}/{bullmq id}`, so `retry(id)` finds the queue. The owner in the id is what lets a
 * workspace's jobs be counted and listed from the state sets alone (`ZSCAN … MATCH {owner}.*`),
 * without reading every job.
 *
 * Workspaces: the worker runs `concurrency` jobs of a name at once; a job whose workspace already
 * has `workspaceConcurrency` of them running in this process is deferred (moved to delayed for
 * about a second, its attempt not charged), so the others' jobs behind it get the free slots.
 */
export interface BullmqJobQueueOptions<TDeps extends object> extends JobQueueOptions<TDeps> {
  redisUrl: string;
  /** Redis key prefix. Default "tandem"; tests use their own. */
  prefix?: string;
}

export function createBullmqJobQueue<TDeps extends object>(options: BullmqJobQueueOptions<TDeps>): JobQueue {
  return new BullmqJobQueue(options);
}

/** What a BullMQ job's data holds: the payload plus what dedup detection and admins need. */
export interface JobEnvelope {
  payload: unknown;
  key: string | null;
  /** Null for a system job (and for jobs stored before workspaces were recorded). */
  workspaceId?: string | null;
  /** Unique per enqueue call: tells whether `add` stored our job or found an existing one. */
  enqueueId: string;
  /** The W3C trace context of the enqueue (`traceparent`), while tracing is on. */
  trace?: TraceCarrier;
}

export const BULLMQ_PREFIX = "tandem";

/** How long a job waits when its workspace already has its share of slots here (plus up to half again, jitter). */
export const WORKSPACE_DEFER_MS = 1_000;

export interface BullmqSettings {
  retention: Retention;
  leaseMs: number;
  recoveryIntervalMs: number;
  maxStalls: number;
}

/** The single place where a job definition becomes BullMQ job and worker options. */
export function bullmqSettings(def: Pick<AnyJobDefinition, "retry" | "concurrency">, settings: BullmqSettings) {
  const job: JobsOptions = {
    attempts: def.retry.attempts,
    backoff: { type: "tandem" },
    removeOnComplete: { age: Math.ceil(settings.retention.completedMs / 1000) },
    removeOnFail: { age: Math.ceil(settings.retention.failedMs / 1000) },
  };
  const worker: Omit<WorkerOptions, "connection" | "prefix"> = {
    concurrency: def.concurrency,
    lockDuration: settings.leaseMs,
    stalledInterval: settings.recoveryIntervalMs,
    maxStalledCount: settings.maxStalls,
    settings: {
      // `attempt` is the 1-based number of the attempt that failed; non-retryable errors never get here.
      backoffStrategy: (attempt: number, _type?: string, error?: Error) =>
        retryAfterMsOf(error) ?? backoffDelay(def.retry.backoff, attempt),
    },
  };
  return { job, worker };
}

const SYSTEM_OWNER = "system";

/**
 * The BullMQ id of a job: `{owner}.{key}` (BullMQ refuses ':' in custom ids: escaped reversibly),
 * or `{owner}.{uuid}` for a job without a key. Owner: the workspace id, or `system`.
 */
export function bullmqJobId(workspaceId: string | null, key: string | null): string {
  const rest = key === null ? randomUUID() : key.replace(/[%:]/g, (c) => encodeURIComponent(c));
  return `${workspaceId ?? SYSTEM_OWNER}.${rest}`;
}

/** The owner a BullMQ id names (null for ids of jobs stored before owners were recorded). */
function ownerOf(bullId: string): string | null {
  const dot = bullId.indexOf(".");
  return dot > 0 ? bullId.slice(0, dot) : null;
}

/** The owners (id prefixes) a scope covers. */
function ownersOf(scope: JobScope): string[] {
  return [...(scope.workspaceId ? [scope.workspaceId] : []), ...(scope.system ? [SYSTEM_OWNER] : [])];
}

const publicId = (name: string, bullId: string) => `${name}/${bullId}`;

function parsePublicId(id: string): { name: string; bullId: string } | null {
  const slash = id.indexOf("/");
  if (slash <= 0 || slash === id.length - 1) return null;
  return { name: id.slice(0, slash), bullId: id.slice(slash + 1) };
}

interface RunningJob {
  job: Job<JobEnvelope>;
  token: string;
  controller: AbortController;
  /** Set when stop() hands the job back to the queue; its outcome is then ignored. */
  returned: Promise<void> | null;
  release: () => void;
}

class BullmqJobQueue<TDeps extends object> implements JobQueue {
  readonly driver = "bullmq" as const;
  readonly #options: BullmqJobQueueOptions<TDeps>;
  readonly #settings: BullmqSettings;
  readonly #prefix: string;
  readonly #redis: Redis;
  readonly #queues = new Map<string, Queue<JobEnvelope>>();
  readonly #workers: Worker<JobEnvelope>[] = [];
  readonly #running = new Map<string, RunningJob>();
  /** Jobs running here per `{name}\n{workspace id, or '' for system jobs}`: the unit of `workspaceConcurrency`. */
  readonly #groupRunning = new Map<string, number>();
  #state: "idle" | "running" | "stopping" | "stopped" = "idle";
  #stopping: Promise<StopResult> | null = null;

  constructor(options: BullmqJobQueueOptions<TDeps>) {
    this.#options = options;
    this.#prefix = options.prefix ?? BULLMQ_PREFIX;
    this.#settings = {
      retention: { ...QUEUE_DEFAULTS.retention, ...options.retention },
      leaseMs: options.leaseMs ?? QUEUE_DEFAULTS.leaseMs,
      recoveryIntervalMs: options.recoveryIntervalMs ?? QUEUE_DEFAULTS.recoveryIntervalMs,
      maxStalls: options.maxStalls ?? QUEUE_DEFAULTS.maxStalls,
    };
    // One shared connection for producers and workers' commands; each worker adds its own blocking one.
    this.#redis = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
    this.#redis.on("error", (error) => options.log.error({ err: error }, "redis connection error"));
  }

  #queue(name: string): Queue<JobEnvelope> {
    let queue = this.#queues.get(name);
    if (!queue) {
      queue = new Queue<JobEnvelope>(name, { connection: this.#redis, prefix: this.#prefix });
      queue.on("error", (error) => this.#options.log.error({ err: error, queue: name }, "job queue error"));
      this.#queues.set(name, queue);
    }
    return queue;
  }

  /** Every queue this process knows of: the handlers it runs and the jobs it produced. */
  #knownQueues(): Queue<JobEnvelope>[] {
    for (const def of this.#options.registry.list()) this.#queue(def.name);
    return [...this.#queues.values()];
  }

  async enqueue<TPayload, TInput>(
    // biome-ignore lint/suspicious/noExplicitAny: producers need not know the handler's deps
    def: JobDefinition<TPayload, any, TInput>,
    payload: NoInfer<TInput>,
    options: EnqueueOptions = {},
  ): Promise<EnqueueResult> {
    // Allowed while stopping: a job finishing during shutdown may enqueue its next step.
    if (this.#state === "stopped") throw new Error("The job queue is stopped");
    parsePayload(def, payload);
    const { jobKey, delayMs: delay, workspaceId } = checkEnqueueOptions(def, options);
    const queue = this.#queue(def.name);
    return traceEnqueue(def.name, workspaceId, async (carrier) => {
      const envelope: JobEnvelope = {
        payload,
        key: jobKey,
        workspaceId,
        enqueueId: randomUUID(),
        ...(carrier ? { trace: carrier } : {}),
      };
      const bullId = bullmqJobId(workspaceId, jobKey);
      await queue.add(def.name, envelope, {
        ...bullmqSettings(def, this.#settings).job,
        jobId: bullId,
        ...(delay > 0 ? { delay } : {}),
      });
      if (jobKey === null) return { id: publicId(def.name, bullId), deduplicated: false };
      // `add` with an existing id is a no-op that returns the id either way: look at whose job is stored.
      const stored = await queue.getJob(bullId);
      return { id: publicId(def.name, bullId), deduplicated: stored?.data.enqueueId !== envelope.enqueueId };
    });
  }

  async enqueueMany<TPayload, TInput>(
    // biome-ignore lint/suspicious/noExplicitAny: producers need not know the handler's deps
    def: JobDefinition<TPayload, any, TInput>,
    items: EnqueueItem<NoInfer<TInput>>[],
  ): Promise<{ added: number }> {
    if (this.#state === "stopped") throw new Error("The job queue is stopped");
    if (items.length === 0) return { added: 0 };
    const queue = this.#queue(def.name);
    const settings = bullmqSettings(def, this.#settings).job;
    const checked = items.map((item) => {
      parsePayload(def, item.payload);
      return { item, ...checkEnqueueOptions(def, item) };
    });
    const envelopes = await traceEnqueue(def.name, checked[0]?.workspaceId, async (carrier) => {
      const envelopes = checked.map(({ item, jobKey, workspaceId }) => {
        const trace = item.trace ?? carrier;
        const envelope: JobEnvelope = {
          payload: item.payload,
          key: jobKey,
          workspaceId,
          enqueueId: randomUUID(),
          ...(trace ? { trace } : {}),
        };
        return { name: def.name, data: envelope, opts: { ...settings, jobId: bullmqJobId(workspaceId, jobKey) } };
      });
      await queue.addBulk(envelopes);
      return envelopes;
    });
    // An existing id makes `addBulk` a no-op for that job: new ones are those stored with our enqueue id.
    const stored = await Promise.all(
      envelopes.map((e) => (e.data.key === null ? Promise.resolve(null) : queue.getJob(e.opts.jobId))),
    );
    return {
      added: envelopes.filter((e, i) => e.data.key === null || stored[i]?.data.enqueueId === e.data.enqueueId).length,
    };
  }

  async start(): Promise<void> {
    if (this.#state === "running") return;
    if (this.#state !== "idle") throw new Error("A stopped job queue cannot be started again");
    this.#state = "running";
    for (const def of this.#options.registry.list()) {
      const worker = new Worker<JobEnvelope>(def.name, (job, token, signal) => this.#process(def, job, token, signal), {
        ...bullmqSettings(def, this.#settings).worker,
        connection: this.#redis,
        prefix: this.#prefix,
      });
      worker.on("error", (error) => this.#options.log.error({ err: error, queue: def.name }, "job worker error"));
      worker.on("failed", (job, error) => {
        if (job && error.name !== "WaitingError") {
          this.#options.log.warn(
            { err: error, job: def.name, jobId: job.id, attemptsMade: job.attemptsMade },
            "job failed",
          );
        }
      });
      this.#workers.push(worker);
    }
    await Promise.all(this.#workers.map((w) => w.waitUntilReady()));
  }

  async #process(
    def: AnyJobDefinition<TDeps>,
    job: Job<JobEnvelope>,
    token: string | undefined,
    bullSignal: AbortSignal | undefined,
  ): Promise<void> {
    const id = publicId(def.name, job.id ?? "");
    const group = `${def.name}\n${job.data.workspaceId ?? ""}`;
    const groupRunning = this.#groupRunning.get(group) ?? 0;
    if (def.workspaceConcurrency < def.concurrency && groupRunning >= def.workspaceConcurrency) {
      // Its workspace has its share of slots here: back to the queue for a moment, for the others.
      await job.moveToDelayed(Date.now() + WORKSPACE_DEFER_MS * (1 + Math.random() / 2), token);
      throw new DelayedError();
    }
    this.#groupRunning.set(group, groupRunning + 1);
    const controller = new AbortController();
    bullSignal?.addEventListener("abort", () => controller.abort(bullSignal.reason), { once: true });
    let release = () => {};
    const released = new Promise<never>((_, reject) => {
      release = () => reject(new WaitingError());
    });
    released.catch(() => {});
    const running: RunningJob = { job, token: token ?? "", controller, returned: null, release };
    this.#running.set(id, running);
    try {
      await Promise.race([
        runJob(def, this.#options.deps, {
          jobId: id,
          jobKey: job.data.key,
          workspaceId: job.data.workspaceId ?? null,
          attempt: job.attemptsMade + 1,
          maxAttempts: job.opts.attempts ?? 1,
          signal: controller.signal,
          payload: job.data.payload,
          trace: isCarrier(job.data.trace) ? job.data.trace : undefined,
          log: this.#options.log,
        }),
        released,
      ]);
    } catch (error) {
      if (running.returned) {
        await running.returned;
        throw new WaitingError();
      }
      const reason = describeError(error);
      const final = !isRetryable(error) || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      recordJobFailure(
        { name: def.name, jobId: id, attempt: job.attemptsMade + 1, workspaceId: job.data.workspaceId },
        error,
        final,
      );
      if (!isRetryable(error)) throw new UnrecoverableError(reason);
      // Same failure text as the database driver; keep the retry-after for the backoff strategy.
      throw Object.assign(new Error(reason, { cause: error }), { retryAfterMs: retryAfterMsOf(error) });
    } finally {
      this.#running.delete(id);
      const left = (this.#groupRunning.get(group) ?? 1) - 1;
      if (left > 0) this.#groupRunning.set(group, left);
      else this.#groupRunning.delete(group);
    }
    if (running.returned) {
      await running.returned;
      throw new WaitingError();
    }
  }

  stop(options: StopOptions = {}): Promise<StopResult> {
    if (this.#stopping) return this.#stopping;
    this.#stopping = this.#stop(options.timeoutMs ?? QUEUE_DEFAULTS.stopTimeoutMs);
    return this.#stopping;
  }

  async #stop(timeoutMs: number): Promise<StopResult> {
    this.#state = "stopping";
    // close() stops fetching and resolves once the worker's running jobs have settled.
    const closed = Promise.all(this.#workers.map((w) => w.close()));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      closed.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    let returned = 0;
    if (timedOut) {
      const unfinished = [...this.#running.values()];
      returned = unfinished.length;
      for (const run of unfinished) {
        run.controller.abort(new Error("The job queue stopped before the job finished"));
        run.returned = run.job
          .moveToWait(run.token)
          .then(() => {})
          .catch((error: unknown) => {
            this.#options.log.error(
              { err: error, jobId: run.job.id },
              "could not return a job to the queue; it will stall",
            );
          });
        run.release();
      }
      if (returned) this.#options.log.warn({ returned }, "jobs still running at shutdown were returned to the queue");
    }
    await closed;
    await Promise.all([...this.#queues.values()].map((q) => q.close()));
    await this.#redis.quit().catch(() => this.#redis.disconnect());
    this.#state = "stopped";
    return { returned };
  }

  async listFailed(scope: JobScope, options: { limit?: number } = {}): Promise<FailedJob[]> {
    const limit = options.limit ?? 50;
    const owners = ownersOf(scope);
    const newest = await Promise.all(
      this.#knownQueues().map(async (queue) => {
        // A scan may return a member twice (the set being rehashed meanwhile): one entry per id.
        const failedAt = new Map<string, number>();
        for (const owner of owners) {
          for await (const [bullId, at] of zscanOwned(this.#redis, queue.keys.failed!, owner)) failedAt.set(bullId, at);
        }
        const newestFirst = [...failedAt].sort((a, b) => b[1] - a[1]).slice(0, limit);
        const found = await Promise.all(newestFirst.map(([bullId]) => queue.getJob(bullId)));
        return found.flatMap((job) =>
          job && inScope(scope, job.data.workspaceId ?? null) ? [toFailedJob(queue.name, job)] : [],
        );
      }),
    );
    return newest
      .flat()
      .sort((a, b) => (b.failedAt?.getTime() ?? 0) - (a.failedAt?.getTime() ?? 0))
      .slice(0, limit);
  }

  async retry(scope: JobScope, jobId: string): Promise<boolean> {
    const parsed = parsePublicId(jobId);
    const owner = parsed && ownerOf(parsed.bullId);
    if (!parsed || !owner || !ownersOf(scope).includes(owner)) return false;
    const job = await this.#queue(parsed.name).getJob(parsed.bullId);
    if (!job || !inScope(scope, job.data.workspaceId ?? null) || (await job.getState()) !== "failed") return false;
    await job.retry("failed", { resetAttemptsMade: true, resetAttemptsStarted: true });
    return true;
  }

  async stats(): Promise<QueueStats[]> {
    const queues = this.#knownQueues().sort((a, b) => a.name.localeCompare(b.name));
    return Promise.all(queues.map((queue) => bullmqStats(this.#redis, queue)));
  }

  /**
   * Per state, the jobs whose id carries an owner of the scope: the sorted sets are scanned with
   * `ZSCAN … MATCH` (the server filters; nothing is read per job), the lists (waiting, active) read
   * in pages of ids. The cost grows with the jobs kept (completed ones for a day), so this serves
   * an admin's page, not a hot path.
   */
  async counts(scope: JobScope): Promise<QueueCounts> {
    const owners = ownersOf(scope);
    const total: QueueCounts = { ...emptyCounts(), byName: {} };
    for (const queue of this.#knownQueues()) {
      const keys = queue.keys;
      const inSet = async (key: string) => {
        const ids = new Set<string>(); // a scan may return a member twice
        for (const owner of owners) for await (const [bullId] of zscanOwned(this.#redis, key, owner)) ids.add(bullId);
        return ids.size;
      };
      const inList = async (key: string) => {
        let n = 0;
        for await (const bullId of listIds(this.#redis, key)) if (owners.includes(ownerOf(bullId) ?? "")) n++;
        return n;
      };
      const counts = {
        waiting: (await inList(keys.wait!)) + (await inSet(keys.prioritized!)),
        delayed: await inSet(keys.delayed!),
        active: await inList(keys.active!),
        completed: await inSet(keys.completed!),
        failed: await inSet(keys.failed!),
      };
      if (Object.values(counts).every((n) => n === 0)) continue;
      total.byName[queue.name] = counts;
      for (const key of Object.keys(counts) as (keyof typeof counts)[]) total[key] += counts[key];
    }
    return total;
  }
}

/** Per queue: BullMQ's own counts, and the oldest job of the wait list (its right end). */
async function bullmqStats(client: Redis, queue: Queue<JobEnvelope>): Promise<QueueStats> {
  const counts = await queue.getJobCounts("wait", "prioritized", "delayed", "active", "failed");
  const oldestId = await client.lindex(queue.keys.wait!, -1);
  const oldest = oldestId ? await queue.getJob(oldestId) : undefined;
  return {
    name: queue.name,
    waiting: (counts.wait ?? 0) + (counts.prioritized ?? 0),
    delayed: counts.delayed ?? 0,
    active: counts.active ?? 0,
    failed: counts.failed ?? 0,
    oldestDueAt: oldest ? new Date(oldest.timestamp + (oldest.opts.delay ?? 0)) : null,
  };
}

/** `[bullmq id, score]` of the members of a sorted set owned by `owner`, a page at a time. */
async function* zscanOwned(client: Redis, key: string, owner: string): AsyncGenerator<[string, number]> {
  let cursor = "0";
  do {
    const [next, flat] = await client.zscan(key, cursor, "MATCH", `${owner}.*`, "COUNT", 1000);
    cursor = next;
    for (let i = 0; i + 1 < flat.length; i += 2) yield [flat[i]!, Number(flat[i + 1])];
  } while (cursor !== "0");
}

/** The ids in a list, a page at a time. */
async function* listIds(client: Redis, key: string): AsyncGenerator<string> {
  const page = 1000;
  for (let start = 0; ; start += page) {
    const ids = await client.lrange(key, start, start + page - 1);
    yield* ids;
    if (ids.length < page) return;
  }
}

function toFailedJob(name: string, job: Job<JobEnvelope>): FailedJob {
  return {
    id: publicId(name, job.id ?? ""),
    name,
    jobKey: job.data.key,
    workspaceId: job.data.workspaceId ?? null,
    payload: job.data.payload,
    attempts: job.attemptsMade,
    maxAttempts: job.opts.attempts ?? 1,
    error: job.failedReason ?? null,
    failedAt: job.finishedOn ? new Date(job.finishedOn) : null,
    createdAt: new Date(job.timestamp),
  };
}
