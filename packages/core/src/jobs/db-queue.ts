import { randomBytes } from "node:crypto";
import os from "node:os";
import { type Db, inBackground, inForeground, rowsOf } from "@tandem/db";
import { type JobRow, jobs } from "@tandem/db/schema/jobs";
import { and, desc, eq, inArray, isNull, lte, or, type SQL, sql } from "drizzle-orm";
import { splitTraceField, traceEnqueue, withTraceField } from "../observability/job-spans.ts";
import { decideAfterFailure } from "./backoff.ts";
import { type AnyJobDefinition, type JobDefinition, parsePayload } from "./define-job.ts";
import { describeError } from "./errors.ts";
import {
  checkEnqueueOptions,
  type EnqueueItem,
  type EnqueueOptions,
  type EnqueueResult,
  emptyCounts,
  type FailedJob,
  type JobCounts,
  type JobQueue,
  type JobQueueOptions,
  type JobScope,
  QUEUE_DEFAULTS,
  type QueueCounts,
  type QueueStats,
  type Retention,
  STALLED_ERROR,
  type StopOptions,
  type StopResult,
} from "./queue.ts";
import { recordJobFailure, runJob } from "./run-job.ts";

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
 *
 * **Workspaces share the slots.** One workspace holds at most `workspaceConcurrency` of a name's
 * slots (`concurrency`) here, and a free slot goes to a workspace waiting for one before the next job
 * of a workspace with a long backlog (`#claimRows`). The claim walks the workspaces that have due jobs
 * through `job_waiting_idx` (one index probe per workspace, however long a workspace's backlog).
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

/**
 * Groups whose last start a claim remembers, per job name: a group forgotten counts as served long
 * ago, which is what it is. Bounds the state sent with each claim.
 */
const MAX_REMEMBERED_GROUPS = 200;

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
  /** Per job name: slots held by running jobs and claim-on-enqueue inserts in flight, in all and per group. */
  readonly #busy = new Map<string, { total: number; groups: Map<string, number> }>();
  /** Per job name: slots reserved by the table claim in flight (one at a time per name). */
  readonly #claiming = new Map<string, number>();
  /** Per job name: when each group last had a job started here (a sequence number), least recent first. */
  readonly #lastStart = new Map<string, Map<string, number>>();
  #starts = 0;
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
    const { jobKey, delayMs, workspaceId } = checkEnqueueOptions(def, options);
    // The payload is stored as given (with the trace context beside it) and parsed again by the
    // handler, so schema transforms run once.
    return traceEnqueue(def.name, workspaceId, async (carrier) => {
      const stored = withTraceField(payload, carrier) as object;
      if (delayMs === 0) {
        const claimed = await this.#insertClaimed(def.name, workspaceId, jobKey, stored, def.retry.attempts);
        if (claimed) return claimed;
      }
      for (let tries = 0; tries < 3; tries++) {
        const [inserted] = await this.#db
          .insert(jobs)
          .values({
            name: def.name,
            workspaceId,
            jobKey,
            payload: stored,
            maxAttempts: def.retry.attempts,
            ...(delayMs > 0 ? { runAt: ms(delayMs) } : {}),
          })
          // A conflict can only be on job_name_key_key (name, workspace, key): the id is generated.
          .onConflictDoNothing()
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
          .where(
            and(
              eq(jobs.name, def.name),
              sql`coalesce(${jobs.workspaceId}, '') = ${workspaceId ?? ""}`,
              eq(jobs.jobKey, jobKey),
            ),
          );
        if (existing) return { id: existing.id, deduplicated: true };
        // The conflicting row was pruned in between: insert again.
      }
      throw new Error(`Could not enqueue job "${def.name}"`);
    });
  }

  /**
   * Claim on enqueue (see the module comment): inserts the job as `active`, locked by this process,
   * and runs it. Null when this process cannot run it now (no handler, no free slot or its workspace
   * has its share, a claim of the name in flight, not running); a job with the same key already
   * there is left to the normal path, which reports it.
   */
  async #insertClaimed(
    name: string,
    workspaceId: string | null,
    jobKey: string | null,
    payload: object,
    maxAttempts: number,
  ): Promise<EnqueueResult | null> {
    const def = this.#options.registry.get(name);
    const group = workspaceId ?? "";
    // While a claim of this name is in flight, the shares it computed must hold: take the normal path.
    if (!def || this.#state !== "running" || this.#claiming.has(name)) return null;
    if (this.#freeSlots(name) <= 0 || this.#groupBusy(name, group) >= def.workspaceConcurrency) return null;
    this.#hold(name, group);
    const token = `${this.#workerId}:${++this.#claims}`;
    let row: JobRow | undefined;
    try {
      [row] = await this.#db
        .insert(jobs)
        .values({
          name,
          workspaceId,
          jobKey,
          payload,
          maxAttempts,
          status: "active",
          attempts: 1,
          lockedAt: sql`now()`,
          lockedBy: token,
          leaseExpiresAt: ms(this.#leaseMs),
        })
        .onConflictDoNothing()
        .returning();
    } catch (error) {
      this.#unhold(name, group);
      throw error;
    }
    if (!row) {
      this.#unhold(name, group);
      return null;
    }
    if (this.#state === "running") this.#run(def, row, token);
    else {
      this.#unhold(name, group);
      await this.#handBack({ id: row.id, name, token } as RunningJob);
    }
    return { id: row.id, deduplicated: false };
  }

  /** Jobs of `name` this process may still start: its concurrency minus those running or being claimed. */
  #freeSlots(name: string): number {
    const def = this.#options.registry.get(name);
    if (!def) return 0;
    return def.concurrency - (this.#busy.get(name)?.total ?? 0) - (this.#claiming.get(name) ?? 0);
  }

  /** Records that `group` was served now (most recent last; only the latest `MAX_REMEMBERED_GROUPS` are kept). */
  #noteStart(name: string, group: string): void {
    let starts = this.#lastStart.get(name);
    if (!starts) {
      starts = new Map();
      this.#lastStart.set(name, starts);
    }
    starts.delete(group);
    starts.set(group, ++this.#starts);
    if (starts.size > MAX_REMEMBERED_GROUPS) starts.delete(starts.keys().next().value!);
  }

  #groupBusy(name: string, group: string): number {
    return this.#busy.get(name)?.groups.get(group) ?? 0;
  }

  /** Takes a slot of `name` for `group` (a workspace id, or '' for system jobs). */
  #hold(name: string, group: string): void {
    let busy = this.#busy.get(name);
    if (!busy) {
      busy = { total: 0, groups: new Map() };
      this.#busy.set(name, busy);
    }
    busy.total++;
    busy.groups.set(group, (busy.groups.get(group) ?? 0) + 1);
  }

  /** Gives a slot back; true when its group held its whole share (jobs of it may be waiting for one). */
  #unhold(name: string, group: string): boolean {
    const busy = this.#busy.get(name);
    const held = busy?.groups.get(group) ?? 0;
    if (!busy || held <= 0) return false;
    busy.total--;
    if (held === 1) busy.groups.delete(group);
    else busy.groups.set(group, held - 1);
    const def = this.#options.registry.get(name);
    return def !== undefined && def.workspaceConcurrency < def.concurrency && held >= def.workspaceConcurrency;
  }

  async enqueueMany<TPayload, TInput>(
    // biome-ignore lint/suspicious/noExplicitAny: producers need not know the handler's deps
    def: JobDefinition<TPayload, any, TInput>,
    items: EnqueueItem<NoInfer<TInput>>[],
  ): Promise<{ added: number }> {
    if (this.#state === "stopped") throw new Error("The job queue is stopped");
    if (items.length === 0) return { added: 0 };
    const checked = items.map((item) => {
      parsePayload(def, item.payload);
      return { item, ...checkEnqueueOptions(def, item) };
    });
    return traceEnqueue(def.name, checked[0]?.workspaceId, async (carrier) => {
      const rows = checked.map(({ item, jobKey, workspaceId }) => ({
        name: def.name,
        workspaceId,
        jobKey,
        payload: withTraceField(item.payload, item.trace ?? carrier) as object,
        maxAttempts: def.retry.attempts,
      }));
      const inserted = await this.#db.insert(jobs).values(rows).onConflictDoNothing().returning({ id: jobs.id });
      if (inserted.length > 0) {
        this.#backlog = true;
        this.#wakeIn(0);
      }
      return { added: inserted.length };
    });
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

  async listFailed(scope: JobScope, options: { limit?: number } = {}): Promise<FailedJob[]> {
    const rows = await this.#db
      .select()
      .from(jobs)
      .where(and(eq(jobs.status, "failed"), scopeFilter(scope)))
      .orderBy(desc(jobs.finishedAt), desc(jobs.id))
      .limit(options.limit ?? 50);
    return rows.map(toFailedJob);
  }

  async retry(scope: JobScope, jobId: string): Promise<boolean> {
    const rows = await this.#db
      .update(jobs)
      .set({ status: "waiting", attempts: 0, stalls: 0, runAt: sql`now()`, finishedAt: null })
      .where(and(eq(jobs.id, jobId), eq(jobs.status, "failed"), scopeFilter(scope)))
      .returning({ id: jobs.id });
    if (rows.length) this.#wake();
    return rows.length > 0;
  }

  async counts(scope: JobScope): Promise<QueueCounts> {
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
      .where(scopeFilter(scope))
      .groupBy(jobs.name);
    const total: QueueCounts = { ...emptyCounts(), byName: {} };
    for (const { name, ...counts } of rows) {
      total.byName[name] = counts;
      for (const key of Object.keys(counts) as (keyof JobCounts)[]) total[key] += Number(counts[key]);
    }
    return total;
  }

  async stats(): Promise<QueueStats[]> {
    // Completed rows (kept a day) are not read; on the embedded database the scrape waits its turn.
    const rows = await inBackground(() =>
      this.#db
        .select({
          name: jobs.name,
          waiting: sql<number>`count(*) filter (where ${jobs.status} = 'waiting' and ${jobs.runAt} <= now())::int`,
          delayed: sql<number>`count(*) filter (where ${jobs.status} = 'waiting' and ${jobs.runAt} > now())::int`,
          active: sql<number>`count(*) filter (where ${jobs.status} = 'active')::int`,
          failed: sql<number>`count(*) filter (where ${jobs.status} = 'failed')::int`,
          oldestDueAt: sql<
            string | null
          >`min(${jobs.runAt}) filter (where ${jobs.status} = 'waiting' and ${jobs.runAt} <= now())`,
        })
        .from(jobs)
        .where(inArray(jobs.status, ["waiting", "active", "failed"]))
        .groupBy(jobs.name),
    );
    const byName = new Map(rows.map((r) => [r.name, r]));
    const names = new Set([...this.#options.registry.list().map((d) => d.name), ...byName.keys()]);
    return [...names].sort().map((name) => {
      const row = byName.get(name);
      return {
        name,
        waiting: Number(row?.waiting ?? 0),
        delayed: Number(row?.delayed ?? 0),
        active: Number(row?.active ?? 0),
        failed: Number(row?.failed ?? 0),
        oldestDueAt: row?.oldestDueAt ? new Date(row.oldestDueAt) : null,
      };
    });
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
    this.#claiming.set(name, limit);
    try {
      await this.#claimRows(def, limit);
    } finally {
      this.#claiming.delete(name);
    }
  }

  /**
   * Up to `limit` due jobs of one name, shared between workspaces: each group (a workspace, or ''
   * for system jobs) offers its oldest jobs up to its remaining share (`workspaceConcurrency` minus
   * its jobs running here); the group with the fewest jobs running here goes first, then the one
   * served longest ago. So a workspace with a long backlog, or with jobs stuck on a slow provider,
   * does not keep the others waiting. The groups with due jobs are found by a skip scan of
   * `job_waiting_idx`. (Ranking each group's jobs to interleave them within one claim doubled the
   * statement's cost on PGlite; claims mostly fill one freed slot anyway.)
   */
  async #claimRows(def: AnyJobDefinition<TDeps>, limit: number): Promise<void> {
    const name = def.name;
    const token = `${this.#workerId}:${++this.#claims}`;
    // Per group: [jobs running here, sequence number of its last start]; absent groups count as [0, 0].
    const state: Record<string, [number, number]> = {};
    for (const [group, seq] of this.#lastStart.get(name) ?? []) state[group] = [0, seq];
    for (const [group, n] of this.#busy.get(name)?.groups ?? []) state[group] = [n, state[group]?.[1] ?? 0];
    const groupState = JSON.stringify(state);
    const busy = sql`coalesce((${groupState}::jsonb -> g.key ->> 0)::int, 0)`;
    const lastStart = sql`coalesce((${groupState}::jsonb -> g.key ->> 1)::bigint, 0)`;
    const candidates = sql`
      with recursive groups(key) as (
        (select coalesce(j.workspace_id, '') from job j
          where j.name = ${name} and j.status = 'waiting' and j.run_at <= now()
          order by coalesce(j.workspace_id, '') limit 1)
        union all
        select (select coalesce(j.workspace_id, '') from job j
                 where j.name = ${name} and j.status = 'waiting' and j.run_at <= now()
                   and coalesce(j.workspace_id, '') > g.key
                 order by coalesce(j.workspace_id, '') limit 1)
        from groups g where g.key is not null
      )
      select c.id from groups g cross join lateral (
        select j.id, j.run_at from job j
        where j.name = ${name} and j.status = 'waiting' and j.run_at <= now() and coalesce(j.workspace_id, '') = g.key
        order by j.run_at, j.id
        limit least(${limit}::int, greatest(0, ${def.workspaceConcurrency}::int - ${busy}))
        for update skip locked
      ) c
      where g.key is not null
      order by ${busy}, ${lastStart}, c.run_at, c.id
      limit ${limit}::int`;
    const claimed = await this.#db
      .update(jobs)
      .set({
        status: "active",
        attempts: sql`${jobs.attempts} + 1`,
        lockedAt: sql`now()`,
        lockedBy: token,
        leaseExpiresAt: ms(this.#leaseMs),
      })
      .where(and(sql`${jobs.id} in (${candidates})`, eq(jobs.status, "waiting")))
      .returning();
    // Every slot filled: more may be waiting.
    if (claimed.length >= limit) this.#backlog = true;
    for (const row of claimed) {
      this.#hold(name, row.workspaceId ?? "");
      this.#run(def, row, token);
    }
  }

  /** Runs a claimed job in a slot already held for it (`#hold`); the slot is given back when it ends. */
  #run(def: AnyJobDefinition<TDeps>, row: JobRow, token: string): void {
    const group = row.workspaceId ?? "";
    this.#noteStart(row.name, group);
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
      const shareWasFull = this.#unhold(row.name, group);
      // A freed slot matters only if jobs were left waiting for one.
      if (this.#backlog || shareWasFull) this.#wake();
    });
  }

  async #execute(def: AnyJobDefinition<TDeps>, row: JobRow, run: RunningJob): Promise<void> {
    const owned = and(eq(jobs.id, row.id), eq(jobs.status, "active"), eq(jobs.lockedBy, run.token));
    const unlock = { lockedBy: null, lockedAt: null, leaseExpiresAt: null };
    try {
      const { payload, carrier } = splitTraceField(row.payload);
      await runJob(def, this.#options.deps, {
        jobId: row.id,
        jobKey: row.jobKey,
        workspaceId: row.workspaceId,
        attempt: row.attempts,
        maxAttempts: row.maxAttempts,
        signal: run.controller.signal,
        payload,
        trace: carrier,
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
      recordJobFailure(
        { name: def.name, jobId: row.id, attempt: row.attempts, workspaceId: row.workspaceId },
        error,
        !decision.retry,
      );
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

/** Rows of the scope: the workspace's, and those of no workspace when `system` is set. */
function scopeFilter(scope: JobScope): SQL {
  const parts: SQL[] = [];
  if (scope.workspaceId) parts.push(eq(jobs.workspaceId, scope.workspaceId));
  if (scope.system) parts.push(isNull(jobs.workspaceId));
  return or(...parts) ?? sql`false`;
}

function toFailedJob(row: JobRow): FailedJob {
  return {
    id: row.id,
    name: row.name,
    jobKey: row.jobKey,
    workspaceId: row.workspaceId,
    payload: splitTraceField(row.payload).payload,
    attempts: row.attempts,
    maxAttempts: row.maxAttempts,
    error: row.lastError,
    failedAt: row.finishedAt,
    createdAt: row.createdAt,
  };
}
