import { randomBytes } from "node:crypto";
import os from "node:os";
import { type Db, inBackground, inForeground, rowsOf } from "@tandem/db";
import { type JobRow, jobs } from "@tandem/db/schema/jobs";
import { and, asc, desc, eq, inArray, lte, type SQL, sql } from "drizzle-orm";
import { decideAfterFailure } from "./backoff.ts";
import { type AnyJobDefinition, type JobDefinition, parsePayload } from "./define-job.ts";
import { describeError } from "./errors.ts";
import {
  checkEnqueueOptions,
  type EnqueueOptions,
  type EnqueueResult,
  emptyCounts,
  type FailedJob,
  type JobCounts,
  type JobQueue,
  type JobQueueOptions,
  QUEUE_DEFAULTS,
  type QueueCounts,
  type Retention,
  STALLED_ERROR,
  type StopOptions,
  type StopResult,
} from "./queue.ts";
import { runJob } from "./run-job.ts";

/**
 * The embedded queue: jobs are rows of the `job` table, run by the process that owns the database
 * (PGlite allows one connection per process). Work is claimed with
 * `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)`, so it is also safe with several
 * processes on one PostgreSQL server. Latency stays low without busy polling: an enqueue in this
 * process wakes the runner at once, and a short poll catches everything else (other processes,
 * retries coming due).
 *
 * **Claim on enqueue.** A job enqueued for now, in a process that runs jobs of that name and has a free
 * slot for them, is inserted already claimed (`active`, locked by this process) and started at once:
 * the next step of the pipeline skips the wake-up, the due check and the claim (two statements and
 * a turn of the event loop per step — on PGlite's one connection, most of a step's latency). Durability
 * is the same: the row is written before the job runs, and its lease recovers it if the process dies.
 */
export interface DbJobQueueOptions<TDeps extends object> extends JobQueueOptions<TDeps> {
  db: Db;
  /** How often the table is polled for due jobs. Default 1 s. */
  pollIntervalMs?: number;
}

export function createDbJobQueue<TDeps extends object>(options: DbJobQueueOptions<TDeps>): JobQueue {
  return new DbJobQueue(options);
}

interface RunningJob {
  id: string;
  name: string;
  /** The lock token written by the claim; every later write on the row requires it. */
  token: string;
  controller: AbortController;
  /** Set when the row was handed back (stop timeout, lost lease): the handler's outcome is ignored. */
  released: boolean;
  done: Promise<void>;
}

const ms = (value: number): SQL => sql`now() + ${value}::double precision * interval '1 millisecond'`;

class DbJobQueue<TDeps extends object> implements JobQueue {
  readonly driver = "db" as const;
  readonly #db: Db;
  readonly #options: DbJobQueueOptions<TDeps>;
  readonly #pollIntervalMs: number;
  readonly #leaseMs: number;
  readonly #recoveryIntervalMs: number;
  readonly #maxStalls: number;
  readonly #retention: Retention;
  readonly #workerId = `${os.hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
  #claims = 0;
  #state: "idle" | "running" | "stopping" | "stopped" = "idle";
  #stopping: Promise<StopResult> | null = null;
  readonly #running = new Map<string, RunningJob>();
  /**
   * Jobs may be waiting in the table for a free slot here: set by an enqueue that left a job waiting and
   * by a claim that filled every slot; a job finishing wakes the runner only then (the poll and the
   * retry timers cover the rest).
   */
  #backlog = true;
  /** Slots taken by claim-on-enqueue inserts still in flight, per job name. */
  readonly #reserved = new Map<string, number>();
  #pollTimer: NodeJS.Timeout | null = null;
  #heartbeatTimer: NodeJS.Timeout | null = null;
  #recoveryTimer: NodeJS.Timeout | null = null;
  readonly #wakeTimers = new Set<NodeJS.Timeout>();
  #tick: Promise<void> | null = null;
  #tickAgain = false;
  #lastPrune = 0;

  constructor(options: DbJobQueueOptions<TDeps>) {
    this.#options = options;
    this.#db = options.db;
    this.#pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.#leaseMs = options.leaseMs ?? QUEUE_DEFAULTS.leaseMs;
    this.#recoveryIntervalMs = options.recoveryIntervalMs ?? QUEUE_DEFAULTS.recoveryIntervalMs;
    this.#maxStalls = options.maxStalls ?? QUEUE_DEFAULTS.maxStalls;
    this.#retention = { ...QUEUE_DEFAULTS.retention, ...options.retention };
  }

  get #log() {
    return this.#options.log;
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
    const { jobKey, delayMs } = checkEnqueueOptions(options);
    // The payload is stored as given and parsed again by the handler, so schema transforms run once.
    if (delayMs === 0) {
      const claimed = await this.#insertClaimed(def.name, jobKey, payload as object, def.retry.attempts);
      if (claimed) return claimed;
    }
    for (let tries = 0; tries < 3; tries++) {
      const [inserted] = await this.#db
        .insert(jobs)
        .values({
          name: def.name,
          jobKey,
          payload: payload as object,
          maxAttempts: def.retry.attempts,
          ...(delayMs > 0 ? { runAt: ms(delayMs) } : {}),
        })
        .onConflictDoNothing({ target: [jobs.name, jobs.jobKey] })
        .returning({ id: jobs.id });
      if (inserted) {
        this.#backlog = true;
        this.#wakeIn(delayMs);
        return { id: inserted.id, deduplicated: false };
      }
      if (jobKey === null) break;
      const [existing] = await this.#db
        .select({ id: jobs.id })
        .from(jobs)
        .where(and(eq(jobs.name, def.name), eq(jobs.jobKey, jobKey)));
      if (existing) return { id: existing.id, deduplicated: true };
      // The conflicting row was pruned in between: insert again.
    }
    throw new Error(`Could not enqueue job "${def.name}"`);
  }

  /**
   * Claim on enqueue (see the module comment): inserts the job as `active`, locked by this process,
   * and runs it. Null when this process cannot run it now (no handler, no free slot, not running);
   * `deduplicated` when a job with the same key exists (it is left as it is).
   */
  async #insertClaimed(
    name: string,
    jobKey: string | null,
    payload: object,
    maxAttempts: number,
  ): Promise<EnqueueResult | null> {
    const def = this.#options.registry.get(name);
    if (!def || this.#state !== "running" || this.#freeSlots(name) <= 0) return null;
    this.#reserved.set(name, (this.#reserved.get(name) ?? 0) + 1);
    const token = `${this.#workerId}:${++this.#claims}`;
    let row: JobRow | undefined;
    try {
      [row] = await this.#db
        .insert(jobs)
        .values({
          name,
          jobKey,
          payload,
          maxAttempts,
          status: "active",
          attempts: 1,
          lockedAt: sql`now()`,
          lockedBy: token,
          leaseExpiresAt: ms(this.#leaseMs),
        })
        .onConflictDoNothing({ target: [jobs.name, jobs.jobKey] })
        .returning();
    } finally {
      this.#reserved.set(name, (this.#reserved.get(name) ?? 1) - 1);
    }
    if (!row) return null; // a job with this key exists: the normal path reports it
    if (this.#state === "running") this.#run(def, row, token);
    else await this.#handBack({ id: row.id, name, token } as RunningJob);
    return { id: row.id, deduplicated: false };
  }

  /** Jobs of `name` this process may still start: its concurrency minus those running or being claimed. */
  #freeSlots(name: string): number {
    const def = this.#options.registry.get(name);
    if (!def) return 0;
    let busy = this.#reserved.get(name) ?? 0;
    for (const run of this.#running.values()) if (run.name === name) busy++;
    return def.concurrency - busy;
  }

  async enqueueMany<TPayload, TInput>(
    // biome-ignore lint/suspicious/noExplicitAny: producers need not know the handler's deps
    def: JobDefinition<TPayload, any, TInput>,
    items: { payload: NoInfer<TInput>; jobId?: string }[],
  ): Promise<{ added: number }> {
    if (this.#state === "stopped") throw new Error("The job queue is stopped");
    if (items.length === 0) return { added: 0 };
    const rows = items.map((item) => {
      parsePayload(def, item.payload);
      const { jobKey } = checkEnqueueOptions(item.jobId === undefined ? {} : { jobId: item.jobId });
      return { name: def.name, jobKey, payload: item.payload as object, maxAttempts: def.retry.attempts };
    });
    const inserted = await this.#db
      .insert(jobs)
      .values(rows)
      .onConflictDoNothing({ target: [jobs.name, jobs.jobKey] })
      .returning({ id: jobs.id });
    if (inserted.length > 0) {
      this.#backlog = true;
      this.#wakeIn(0);
    }
    return { added: inserted.length };
  }

  async start(): Promise<void> {
    if (this.#state === "running") return;
    if (this.#state !== "idle") throw new Error("A stopped job queue cannot be started again");
    this.#state = "running";
    await this.#sweep();
    this.#heartbeatTimer = setInterval(() => void this.#heartbeat(), Math.max(10, Math.floor(this.#leaseMs / 3)));
    this.#heartbeatTimer.unref();
    this.#recoveryTimer = setInterval(() => void this.#sweep(), this.#recoveryIntervalMs);
    this.#recoveryTimer.unref();
    this.#wake();
  }

  stop(options: StopOptions = {}): Promise<StopResult> {
    if (this.#stopping) return this.#stopping;
    this.#stopping = this.#stop(options.timeoutMs ?? QUEUE_DEFAULTS.stopTimeoutMs);
    return this.#stopping;
  }

  async #stop(timeoutMs: number): Promise<StopResult> {
    this.#state = "stopping";
    this.#clearTimer("poll");
    this.#clearTimer("recovery");
    for (const timer of this.#wakeTimers) clearTimeout(timer);
    this.#wakeTimers.clear();
    // A claim already in flight may still hand us jobs; they count as running.
    await this.#tick?.catch(() => {});

    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([Promise.allSettled([...this.#running.values()].map((r) => r.done)), deadline]);
    clearTimeout(timer);

    const unfinished = [...this.#running.values()];
    for (const run of unfinished) {
      run.released = true;
      run.controller.abort(new Error("The job queue stopped before the job finished"));
    }
    await Promise.all(unfinished.map((run) => this.#handBack(run)));
    this.#clearTimer("heartbeat");
    this.#state = "stopped";
    if (unfinished.length)
      this.#log.warn({ returned: unfinished.length }, "jobs still running at shutdown were returned to the queue");
    return { returned: unfinished.length };
  }

  async listFailed(options: { limit?: number } = {}): Promise<FailedJob[]> {
    const rows = await this.#db
      .select()
      .from(jobs)
      .where(eq(jobs.status, "failed"))
      .orderBy(desc(jobs.finishedAt), desc(jobs.id))
      .limit(options.limit ?? 50);
    return rows.map(toFailedJob);
  }

  async retry(jobId: string): Promise<boolean> {
    const rows = await this.#db
      .update(jobs)
      .set({ status: "waiting", attempts: 0, stalls: 0, runAt: sql`now()`, finishedAt: null })
      .where(and(eq(jobs.id, jobId), eq(jobs.status, "failed")))
      .returning({ id: jobs.id });
    if (rows.length) this.#wake();
    return rows.length > 0;
  }

  async counts(): Promise<QueueCounts> {
    const rows = await this.#db
      .select({
        name: jobs.name,
        waiting: sql<number>`count(*) filter (where ${jobs.status} = 'waiting' and ${jobs.runAt} <= now())::int`,
        delayed: sql<number>`count(*) filter (where ${jobs.status} = 'waiting' and ${jobs.runAt} > now())::int`,
        active: sql<number>`count(*) filter (where ${jobs.status} = 'active')::int`,
        completed: sql<number>`count(*) filter (where ${jobs.status} = 'completed')::int`,
        failed: sql<number>`count(*) filter (where ${jobs.status} = 'failed')::int`,
      })
      .from(jobs)
      .groupBy(jobs.name);
    const total: QueueCounts = { ...emptyCounts(), byName: {} };
    for (const { name, ...counts } of rows) {
      total.byName[name] = counts;
      for (const key of Object.keys(counts) as (keyof JobCounts)[]) total[key] += Number(counts[key]);
    }
    return total;
  }

  // --- running -------------------------------------------------------------------------------

  #wake(): void {
    if (this.#state !== "running") return;
    if (this.#tick) {
      this.#tickAgain = true;
      return;
    }
    this.#clearTimer("poll");
    this.#tick = this.#claimLoop()
      .catch((error: unknown) => this.#log.error({ err: error }, "job queue poll failed"))
      .finally(() => {
        this.#tick = null;
        if (this.#state === "running") {
          this.#pollTimer = setTimeout(() => this.#wake(), this.#pollIntervalMs);
          this.#pollTimer.unref();
        }
      });
  }

  #wakeIn(delayMs: number): void {
    if (this.#state !== "running") return;
    if (delayMs <= 0) {
      this.#wake();
      return;
    }
    if (delayMs > 60_000) return; // the poll finds it; no need to hold a timer that long
    const timer = setTimeout(() => {
      this.#wakeTimers.delete(timer);
      this.#wake();
    }, delayMs + 5);
    timer.unref();
    this.#wakeTimers.add(timer);
  }

  async #claimLoop(): Promise<void> {
    do {
      this.#tickAgain = false;
      this.#backlog = false;
      const free = new Map<string, number>();
      for (const def of this.#options.registry.list()) {
        const slots = this.#freeSlots(def.name);
        if (slots > 0) free.set(def.name, slots);
        else this.#backlog = true; // its due jobs wait for a slot
      }
      if (free.size === 0) return;
      // One index probe per job name (`job_waiting_idx`), however many jobs wait: a backlog of
      // thousands must not make every tick scan it.
      const due = rowsOf<{ name: string }>(
        await this.#db.execute(sql`
          select n.name from jsonb_array_elements_text(${JSON.stringify([...free.keys()])}::jsonb) as n(name)
          where exists (
            select 1 from ${jobs} where ${jobs.name} = n.name and ${jobs.status} = 'waiting' and ${jobs.runAt} <= now()
          )`),
      );
      for (const { name } of due) {
        if (this.#state !== "running") return;
        await this.#claim(name, free.get(name) ?? 0);
      }
    } while (this.#tickAgain && this.#state === "running");
  }

  async #claim(name: string, wanted: number): Promise<void> {
    const def = this.#options.registry.get(name);
    // Slots may have been taken by claim-on-enqueue since the loop counted them.
    const limit = Math.min(wanted, this.#freeSlots(name));
    if (!def || limit <= 0) return;
    this.#reserved.set(name, (this.#reserved.get(name) ?? 0) + limit);
    try {
      await this.#claimRows(def, limit);
    } finally {
      this.#reserved.set(name, (this.#reserved.get(name) ?? limit) - limit);
    }
  }

  async #claimRows(def: AnyJobDefinition<TDeps>, limit: number): Promise<void> {
    const name = def.name;
    const token = `${this.#workerId}:${++this.#claims}`;
    const candidates = this.#db
      .select({ id: jobs.id })
      .from(jobs)
      .where(and(eq(jobs.name, name), eq(jobs.status, "waiting"), lte(jobs.runAt, sql`now()`)))
      .orderBy(asc(jobs.runAt), asc(jobs.id))
      .limit(limit)
      .for("update", { skipLocked: true });
    const claimed = await this.#db
      .update(jobs)
      .set({
        status: "active",
        attempts: sql`${jobs.attempts} + 1`,
        lockedAt: sql`now()`,
        lockedBy: token,
        leaseExpiresAt: ms(this.#leaseMs),
      })
      .where(inArray(jobs.id, candidates))
      .returning();
    // Every slot filled: more may be waiting.
    if (claimed.length >= limit) this.#backlog = true;
    for (const row of claimed) this.#run(def, row, token);
  }

  #run(def: AnyJobDefinition<TDeps>, row: JobRow, token: string): void {
    const run: RunningJob = {
      id: row.id,
      name: row.name,
      token,
      controller: new AbortController(),
      released: false,
      done: Promise.resolve(),
    };
    this.#running.set(row.id, run);
    run.done = inForeground(() => this.#execute(def, row, run)).finally(() => {
      this.#running.delete(row.id);
      // A freed slot matters only if jobs were left waiting for one.
      if (this.#backlog) this.#wake();
    });
  }

  async #execute(def: AnyJobDefinition<TDeps>, row: JobRow, run: RunningJob): Promise<void> {
    const owned = and(eq(jobs.id, row.id), eq(jobs.status, "active"), eq(jobs.lockedBy, run.token));
    const unlock = { lockedBy: null, lockedAt: null, leaseExpiresAt: null };
    try {
      await runJob(def, this.#options.deps, {
        jobId: row.id,
        jobKey: row.jobKey,
        attempt: row.attempts,
        maxAttempts: row.maxAttempts,
        signal: run.controller.signal,
        payload: row.payload,
        log: this.#log,
      });
      if (run.released) return;
      // Bookkeeping: the next step of the pipeline goes first (a crash before this re-runs an idempotent job).
      await inBackground(() =>
        this.#db
          .update(jobs)
          .set({ status: "completed", finishedAt: sql`now()`, ...unlock })
          .where(owned),
      );
    } catch (error) {
      if (run.released) return;
      const decision = decideAfterFailure(def.retry.backoff, row.attempts, row.maxAttempts, error);
      const log = this.#log.child({ job: def.name, jobId: row.id, attempt: row.attempts });
      try {
        if (decision.retry) {
          log.warn({ err: error, retryInMs: decision.delayMs }, "job failed, will retry");
          await this.#db
            .update(jobs)
            .set({ status: "waiting", runAt: ms(decision.delayMs), lastError: describeError(error), ...unlock })
            .where(owned);
          this.#wakeIn(decision.delayMs);
        } else {
          log.error({ err: error }, "job failed");
          await this.#db
            .update(jobs)
            .set({ status: "failed", finishedAt: sql`now()`, lastError: describeError(error), ...unlock })
            .where(owned);
        }
      } catch (writeError) {
        // The lease runs out and recovery picks the job up again.
        log.error({ err: writeError }, "could not record the job's failure");
      }
    }
  }

  /** Returns a job this process holds to the queue, without charging the interrupted attempt. */
  async #handBack(run: RunningJob): Promise<void> {
    try {
      await this.#db
        .update(jobs)
        .set({
          status: "waiting",
          attempts: sql`greatest(${jobs.attempts} - 1, 0)`,
          runAt: sql`now()`,
          lockedBy: null,
          lockedAt: null,
          leaseExpiresAt: null,
        })
        .where(and(eq(jobs.id, run.id), eq(jobs.status, "active"), eq(jobs.lockedBy, run.token)));
    } catch (error) {
      this.#log.error({ err: error, jobId: run.id }, "could not return a job to the queue; its lease will expire");
    }
  }

  /** Renews the leases of the jobs running here; a job whose lease was lost is abandoned. */
  async #heartbeat(): Promise<void> {
    const held = [...this.#running.values()].filter((r) => !r.released);
    if (held.length === 0) return;
    try {
      const renewed = await this.#db
        .update(jobs)
        .set({ leaseExpiresAt: ms(this.#leaseMs) })
        .where(
          and(
            eq(jobs.status, "active"),
            inArray(
              jobs.id,
              held.map((r) => r.id),
            ),
            inArray(jobs.lockedBy, [...new Set(held.map((r) => r.token))]),
          ),
        )
        .returning({ id: jobs.id });
      const alive = new Set(renewed.map((r) => r.id));
      for (const run of held) {
        if (alive.has(run.id) || this.#running.get(run.id) !== run) continue;
        run.released = true;
        run.controller.abort(new Error("The job's lease was lost"));
        this.#log.warn({ jobId: run.id, job: run.name }, "job lease lost; another worker may run it");
      }
    } catch (error) {
      this.#log.error({ err: error }, "could not renew job leases");
    }
  }

  /** Recovers jobs of dead workers (lease expired) and prunes finished jobs past their retention. */
  async #sweep(): Promise<void> {
    try {
      const giveUp = sql`${jobs.stalls} >= ${this.#maxStalls}`;
      const recovered = await this.#db
        .update(jobs)
        .set({
          status: sql`case when ${giveUp} then 'failed'::job_status else 'waiting'::job_status end`,
          attempts: sql`case when ${giveUp} then ${jobs.attempts} else greatest(${jobs.attempts} - 1, 0) end`,
          stalls: sql`${jobs.stalls} + 1`,
          runAt: sql`now()`,
          finishedAt: sql`case when ${giveUp} then now() else null end`,
          lastError: sql`case when ${giveUp} then ${STALLED_ERROR} else ${jobs.lastError} end`,
          lockedBy: null,
          lockedAt: null,
          leaseExpiresAt: null,
        })
        .where(and(eq(jobs.status, "active"), lte(jobs.leaseExpiresAt, sql`now()`)))
        .returning({ id: jobs.id, name: jobs.name, status: jobs.status });
      for (const job of recovered) {
        this.#log.warn({ jobId: job.id, job: job.name, status: job.status }, "recovered a job whose worker died");
      }
      if (recovered.length) this.#wake();

      if (Date.now() - this.#lastPrune >= 60_000) {
        this.#lastPrune = Date.now();
        await this.#db.delete(jobs).where(
          sql`(${jobs.status} = 'completed' and ${jobs.finishedAt} < ${ms(-this.#retention.completedMs)})
             or (${jobs.status} = 'failed' and ${jobs.finishedAt} < ${ms(-this.#retention.failedMs)})`,
        );
      }
    } catch (error) {
      this.#log.error({ err: error }, "job recovery sweep failed");
    }
  }

  #clearTimer(which: "poll" | "heartbeat" | "recovery"): void {
    if (which === "poll" && this.#pollTimer) {
      clearTimeout(this.#pollTimer);
      this.#pollTimer = null;
    } else if (which === "heartbeat" && this.#heartbeatTimer) {
      clearInterval(this.#heartbeatTimer);
      this.#heartbeatTimer = null;
    } else if (which === "recovery" && this.#recoveryTimer) {
      clearInterval(this.#recoveryTimer);
      this.#recoveryTimer = null;
    }
  }
}

function toFailedJob(row: JobRow): FailedJob {
  return {
    id: row.id,
    name: row.name,
    jobKey: row.jobKey,
    payload: row.payload,
    attempts: row.attempts,
    maxAttempts: row.maxAttempts,
    error: row.lastError,
    failedAt: row.finishedAt,
    createdAt: row.createdAt,
  };
}
