import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createDb, type Database, jobs, migrate } from "@tandem/db";
import { Worker } from "bullmq";
import { eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  createTestDatabase,
  type PostgresServer,
  startPostgresServer,
} from "../../../../tests/support/postgres-server.ts";
import { startRedisServer, type TestServer } from "../../../../tests/support/redis-server.ts";
import { DomainError } from "../errors.ts";
import { silentLogger } from "../logger.ts";
import { backoffDelay, decideAfterFailure } from "./backoff.ts";
import { createBullmqJobQueue } from "./bullmq-queue.ts";
import { createDbJobQueue } from "./db-queue.ts";
import { type AnyJobDefinition, defineJob, type JobContext, type JobDefinition } from "./define-job.ts";
import { InvalidJobPayloadError, NonRetryableError, RetryableError } from "./errors.ts";
import { type JobQueue, type JobQueueOptions, type JobScope, STALLED_ERROR } from "./queue.ts";
import { JobRegistry } from "./registry.ts";

/**
 * One behaviour suite for every driver: the embedded queue on PGlite and on a real PostgreSQL
 * server, and BullMQ on a real Redis. Assertions are about outcomes; waits poll generously.
 */

interface Call {
  name: string;
  payload: unknown;
  jobId: string;
  jobKey: string | null;
  attempt: number;
  maxAttempts: number;
}

interface TestDeps {
  calls: Call[];
}

type QueueTuning = Partial<Omit<JobQueueOptions<TestDeps>, "registry" | "deps" | "log">>;

interface Harness {
  label: string;
  /** Free slots go to the workspace with the fewest jobs running first (the database driver; BullMQ takes jobs in order). */
  fewestRunningFirst: boolean;
  setup(): Promise<void>;
  teardown(): Promise<void>;
  /** Called after each test. */
  reset?(): void;
  createQueue(registry: JobRegistry<TestDeps>, deps: TestDeps, tuning?: QueueTuning): JobQueue;
  /** Leaves `def`'s job claimed by a worker that then died: active, its lease running out, nobody renewing it. */
  abandonJob(queue: JobQueue, def: AnyJobDefinition<TestDeps>, payload: unknown): Promise<string>;
}

const TUNING: QueueTuning = { leaseMs: 2_000, recoveryIntervalMs: 250 };

/** The jobs of no workspace: most tests here use system jobs; the workspace tests use their own scopes. */
const SYSTEM: JobScope = { system: true };

type Truthy<T> = Exclude<T, false | 0 | "" | null | undefined>;

async function waitFor<T>(probe: () => T | Promise<T>, what: string, timeoutMs = 20_000): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as Truthy<T>;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Failed jobs of one job name (the database is shared by the tests of a driver). */
const failedOf = async (queue: JobQueue, name: string) =>
  (await queue.listFailed(SYSTEM, { limit: 100 })).filter((j) => j.name === name);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function dbHarness(label: string, open: () => Promise<Database>, close: () => Promise<void> = async () => {}): Harness {
  let database: Database;
  return {
    label,
    fewestRunningFirst: true,
    async setup() {
      database = await open();
      await migrate(database);
    },
    async teardown() {
      await database?.close();
      await close();
    },
    createQueue(registry, deps, tuning = {}) {
      return createDbJobQueue({
        db: database.db,
        registry,
        deps,
        log: silentLogger,
        pollIntervalMs: 50,
        ...TUNING,
        ...tuning,
      });
    },
    async abandonJob(queue, def, payload) {
      const { id } = await queue.enqueue(def, payload);
      await database.db
        .update(jobs)
        .set({
          status: "active",
          attempts: sql`${jobs.attempts} + 1`,
          lockedAt: sql`now()`,
          lockedBy: "dead-worker:1",
          leaseExpiresAt: sql`now() + interval '300 milliseconds'`,
        })
        .where(eq(jobs.id, id));
      return id;
    },
  };
}

function bullmqHarness(): Harness {
  let redis: TestServer;
  let prefix = "";
  return {
    label: "bullmq (redis-server)",
    fewestRunningFirst: false,
    async setup() {
      redis = await startRedisServer();
    },
    async teardown() {
      await redis?.stop();
    },
    reset() {
      prefix = "";
    },
    createQueue(registry, deps, tuning = {}) {
      // Each test gets its own key space, so queues of one test never see jobs of another.
      prefix ||= `t${randomUUID().slice(0, 8)}`;
      return createBullmqJobQueue({
        redisUrl: redis.url,
        prefix,
        registry,
        deps,
        log: silentLogger,
        ...TUNING,
        ...tuning,
      });
    },
    async abandonJob(queue, def, payload) {
      const { id } = await queue.enqueue(def, payload);
      // A worker that takes the job and dies: its lock is never renewed and expires.
      const dying = new Worker(def.name, null, {
        connection: { url: redis.url },
        prefix,
        autorun: false,
        lockDuration: 300,
      });
      const job = await dying.getNextJob(randomUUID());
      expect(job && `${def.name}/${job.id}`).toBe(id);
      await dying.close();
      return id;
    },
  };
}

let postgres: PostgresServer | undefined;

const harnesses: Harness[] = [
  dbHarness("db queue (PGlite)", async () => {
    const template = process.env.TANDEM_PGLITE_TEMPLATE;
    return template ? createDb({ loadDataDir: new Blob([await readFile(template)]) }) : createDb();
  }),
  dbHarness(
    "db queue (PostgreSQL server)",
    async () => {
      postgres = await startPostgresServer();
      return createDb({ databaseUrl: await createTestDatabase(postgres), poolSize: 5 });
    },
    async () => {
      await postgres?.stop();
    },
  ),
  bullmqHarness(),
];

describe.each(harnesses)("job queue: $label", (harness) => {
  let queues: JobQueue[] = [];
  let seq = 0;
  const jobName = (base: string) => `${base}-${++seq}-${randomUUID().slice(0, 6)}`;

  beforeAll(() => harness.setup(), 120_000);
  afterAll(() => harness.teardown(), 60_000);
  afterEach(async () => {
    await Promise.all(queues.map((q) => q.stop({ timeoutMs: 0 })));
    queues = [];
    harness.reset?.();
  });

  function setup(defs: AnyJobDefinition<TestDeps>[], tuning?: QueueTuning) {
    const deps: TestDeps = { calls: [] };
    const queue = harness.createQueue(new JobRegistry<TestDeps>().register(...defs), deps, tuning);
    queues.push(queue);
    return { queue, calls: deps.calls };
  }

  function recordingJob<S extends z.ZodType<unknown, object>>(
    base: string,
    schema: S,
    options: {
      attempts?: number;
      concurrency?: number;
      workspaceConcurrency?: number;
      /** Jobs of workspaces (enqueued with a `workspaceId`) instead of system jobs. */
      ofWorkspaces?: boolean;
      behave?: (ctx: JobContext<TestDeps>, payload: z.output<S>) => Promise<void> | void;
    } = {},
  ): JobDefinition<z.output<S>, TestDeps, z.input<S>> {
    return defineJob({
      name: jobName(base),
      schema,
      retry: { attempts: options.attempts ?? 3, backoff: { baseMs: 20, maxMs: 100, jitter: "none" } },
      system: !options.ofWorkspaces,
      concurrency: options.concurrency ?? 1,
      ...(options.workspaceConcurrency ? { workspaceConcurrency: options.workspaceConcurrency } : {}),
      handle: async (payload, ctx: JobContext<TestDeps>) => {
        ctx.calls.push({
          name: ctx.name,
          payload,
          jobId: ctx.jobId,
          jobKey: ctx.jobKey,
          attempt: ctx.attempt,
          maxAttempts: ctx.maxAttempts,
        });
        await options.behave?.(ctx, payload);
      },
    });
  }

  it("runs a job with its typed payload and the app's dependencies", async () => {
    const def = recordingJob("send-greeting", z.object({ to: z.string(), times: z.coerce.number().int() }));
    const { queue, calls } = setup([def]);
    await queue.start();

    const { id, deduplicated } = await queue.enqueue(def, { to: "ada", times: "2" });
    expect(deduplicated).toBe(false);

    await waitFor(() => calls.length === 1, "the handler");
    expect(calls[0]).toEqual({
      name: def.name,
      payload: { to: "ada", times: 2 },
      jobId: id,
      jobKey: null,
      attempt: 1,
      maxAttempts: 3,
    });
    const counts = await waitFor(async () => {
      const c = await queue.counts(SYSTEM);
      return c.byName[def.name]?.completed === 1 && c;
    }, "the job to complete");
    expect(counts.failed).toBe(0);
  });

  it("rejects an invalid payload at enqueue and stores nothing", async () => {
    const def = recordingJob("check-payload", z.object({ id: z.string().min(3) }));
    const { queue } = setup([def]);
    await expect(queue.enqueue(def, { id: "x" })).rejects.toBeInstanceOf(InvalidJobPayloadError);
    // @ts-expect-error the payload type comes from the definition
    await expect(queue.enqueue(def, { nope: true })).rejects.toThrow(/Invalid payload/);
    const counts = await queue.counts(SYSTEM);
    expect(counts.byName[def.name] ?? { waiting: 0, delayed: 0 }).toMatchObject({ waiting: 0, delayed: 0 });
  });

  it("fails a job whose stored payload no longer validates, without retrying", async () => {
    const strict = recordingJob("import-catalog", z.object({ shop: z.string().url() }), { attempts: 5 });
    // A producer built against an older, looser schema of the same job.
    const loose = defineJob({
      name: strict.name,
      schema: z.object({ shop: z.string() }),
      retry: { attempts: 5 },
      system: true,
      handle: () => {},
    });
    const { queue, calls } = setup([strict]);
    await queue.start();

    const { id } = await queue.enqueue(loose, { shop: "not a url" });
    const [failed] = await waitFor(async () => {
      const list = await queue.listFailed(SYSTEM);
      return list.some((j) => j.id === id) && list;
    }, "the job to fail");
    expect(failed).toMatchObject({
      id,
      name: strict.name,
      attempts: 1,
      maxAttempts: 5,
      payload: { shop: "not a url" },
    });
    expect(failed?.error).toMatch(/Invalid payload/);
    expect(calls).toHaveLength(0);
  });

  it("retries with backoff until the handler succeeds", async () => {
    const def = recordingJob("flaky-call", z.object({ n: z.number() }), {
      attempts: 5,
      behave: (ctx) => {
        if (ctx.attempt < 3) throw new Error(`boom ${ctx.attempt}`);
      },
    });
    const { queue, calls } = setup([def]);
    await queue.start();
    await queue.enqueue(def, { n: 1 });

    await waitFor(async () => (await queue.counts(SYSTEM)).byName[def.name]?.completed === 1, "the job to complete");
    expect(calls.map((c) => c.attempt)).toEqual([1, 2, 3]);
    expect(await failedOf(queue, def.name)).toEqual([]);
  });

  it("honours a retry-after on the error and gives up at once on a non-retryable one", async () => {
    const later = recordingJob("rate-limited", z.object({}), {
      attempts: 3,
      behave: (ctx) => {
        if (ctx.attempt === 1) throw new RetryableError("429", { retryAfterMs: 50 });
      },
    });
    const never = recordingJob("revoked-token", z.object({}), {
      attempts: 5,
      behave: () => {
        throw new NonRetryableError("token revoked");
      },
    });
    const { queue, calls } = setup([later, never]);
    await queue.start();
    await queue.enqueue(later, {});
    const { id } = await queue.enqueue(never, {});

    await waitFor(
      async () => (await queue.counts(SYSTEM)).byName[later.name]?.completed === 1,
      "the rate-limited job to complete",
    );
    const failed = await waitFor(
      async () => (await queue.listFailed(SYSTEM)).find((j) => j.id === id),
      "the job to fail",
    );
    expect(failed).toMatchObject({ attempts: 1, maxAttempts: 5 });
    expect(failed.error).toMatch(/token revoked/);
    expect(calls.filter((c) => c.name === never.name)).toHaveLength(1);
  });

  it("keeps a job that used up its attempts as failed, and retry() runs it again", async () => {
    let broken = true;
    const def = recordingJob("sync-store", z.object({ store: z.string() }), {
      attempts: 2,
      behave: () => {
        if (broken) throw new Error("upstream down");
      },
    });
    const { queue, calls } = setup([def]);
    await queue.start();
    const { id } = await queue.enqueue(def, { store: "s1" }, { jobId: "sync:s1" });

    const failed = await waitFor(
      async () => (await queue.listFailed(SYSTEM, { limit: 10 })).find((j) => j.id === id),
      "the job to fail",
    );
    expect(failed).toMatchObject({
      name: def.name,
      jobKey: "sync:s1",
      attempts: 2,
      maxAttempts: 2,
      payload: { store: "s1" },
    });
    expect(failed.error).toMatch(/upstream down/);
    expect(failed.failedAt).toBeInstanceOf(Date);
    expect((await queue.counts(SYSTEM)).byName[def.name]).toMatchObject({ failed: 1, waiting: 0, active: 0 });
    // The failed job still holds its key: enqueueing the same work again is a no-op.
    expect(await queue.enqueue(def, { store: "s1" }, { jobId: "sync:s1" })).toEqual({ id, deduplicated: true });

    broken = false;
    expect(await queue.retry(SYSTEM, id)).toBe(true);
    await waitFor(
      async () => (await queue.counts(SYSTEM)).byName[def.name]?.completed === 1,
      "the retried job to complete",
    );
    expect(calls.map((c) => c.attempt)).toEqual([1, 2, 1]);
    expect(await failedOf(queue, def.name)).toEqual([]);
    expect(await queue.retry(SYSTEM, id)).toBe(false);
    expect(await queue.retry(SYSTEM, "no-such-job")).toBe(false);
  });

  it("runs a job id once, for repeated and concurrent enqueues", async () => {
    const def = recordingJob("generate-bot-reply", z.object({ messageId: z.string() }), { concurrency: 3 });
    const { queue, calls } = setup([def]);

    const first = await queue.enqueue(def, { messageId: "m1" }, { jobId: "bot-reply:m1" });
    const again = await queue.enqueue(def, { messageId: "m1" }, { jobId: "bot-reply:m1" });
    expect(first.deduplicated).toBe(false);
    expect(again).toEqual({ id: first.id, deduplicated: true });

    const racing = await Promise.all(
      Array.from({ length: 8 }, () => queue.enqueue(def, { messageId: "42" }, { jobId: "42" })),
    );
    expect(racing.filter((r) => !r.deduplicated)).toHaveLength(1);
    expect(new Set(racing.map((r) => r.id)).size).toBe(1);

    await queue.start();
    await waitFor(async () => (await queue.counts(SYSTEM)).byName[def.name]?.completed === 2, "both jobs to complete");
    expect(calls.map((c) => c.jobKey).sort()).toEqual(["42", "bot-reply:m1"]);
    // Completed jobs keep their key for the retention period.
    expect((await queue.enqueue(def, { messageId: "m1" }, { jobId: "bot-reply:m1" })).deduplicated).toBe(true);
    expect((await queue.counts(SYSTEM)).byName[def.name]).toMatchObject({ waiting: 0, delayed: 0, completed: 2 });
  });

  it("never runs more jobs of a name at once than its concurrency, however they are enqueued", async () => {
    let running = 0;
    let peak = 0;
    const def = recordingJob("send-outbound-message", z.object({ n: z.number() }), {
      concurrency: 2,
      behave: async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 30));
        running--;
      },
    });
    const { queue, calls } = setup([def]);
    await queue.start();
    // While running: some enqueued one by one, some at once, some in a batch, some by a running job's peers.
    await queue.enqueue(def, { n: 0 });
    await Promise.all([1, 2, 3, 4].map((n) => queue.enqueue(def, { n })));
    await queue.enqueueMany(
      def,
      [5, 6, 7].map((n) => ({ payload: { n } })),
    );
    await queue.enqueue(def, { n: 8 }, { jobId: "eight" });
    expect((await queue.enqueue(def, { n: 8 }, { jobId: "eight" })).deduplicated).toBe(true);
    await waitFor(() => calls.length === 9, "all nine jobs to run");
    await waitFor(async () => (await queue.counts(SYSTEM)).byName[def.name]?.completed === 9, "all nine to complete");
    expect(peak).toBe(2);
    expect(calls.map((c) => (c.payload as { n: number }).n).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  describe("workspaces", () => {
    // Fresh workspaces per test: the database drivers' tests share one database.
    let A = "";
    let B = "";
    beforeEach(() => {
      const id = () => `ws_${randomUUID().replaceAll("-", "").slice(0, 16)}`;
      A = id();
      B = id();
    });
    const gate = () => {
      let open = () => {};
      const opened = new Promise<void>((resolve) => {
        open = resolve;
      });
      return { opened, open };
    };

    it("requires a workspace for a workspace job and refuses one for a system job", async () => {
      const ofWorkspaces = recordingJob("sync-catalog", z.object({}), { ofWorkspaces: true });
      const housekeeping = recordingJob("prune-rows", z.object({}));
      const { queue } = setup([ofWorkspaces, housekeeping]);
      await expect(queue.enqueue(ofWorkspaces, {})).rejects.toThrow(/workspaceId/);
      await expect(queue.enqueueMany(ofWorkspaces, [{ payload: {} }])).rejects.toThrow(/workspaceId/);
      await expect(queue.enqueue(ofWorkspaces, {}, { workspaceId: "ws_a.*" })).rejects.toThrow(/workspaceId/);
      await expect(queue.enqueue(housekeeping, {}, { workspaceId: A })).rejects.toThrow(/system job/);
      expect(await queue.counts({ workspaceId: A, system: true })).toMatchObject({ waiting: 0, delayed: 0 });
    });

    it("counts, lists and retries each workspace's jobs for that workspace only; system jobs for operators", async () => {
      let broken = true;
      const def = recordingJob("import-orders", z.object({ shop: z.string() }), {
        ofWorkspaces: true,
        attempts: 1,
        behave: () => {
          if (broken) throw new Error("shop unreachable");
        },
      });
      const housekeeping = recordingJob("vacuum-tables", z.object({}), {
        attempts: 1,
        behave: () => {
          if (broken) throw new Error("disk full");
        },
      });
      const { queue, calls } = setup([def, housekeeping]);
      await queue.start();
      const ofA = await queue.enqueue(def, { shop: "a" }, { workspaceId: A, jobId: "import:1" });
      const ofB = await queue.enqueue(def, { shop: "b" }, { workspaceId: B, jobId: "import:1" });
      const bDone = await queue.enqueue(def, { shop: "b2" }, { workspaceId: B, delayMs: 60_000 });
      const system = await queue.enqueue(housekeeping, {});
      // The same key in two workspaces is two jobs.
      expect(ofA.id).not.toBe(ofB.id);
      expect(bDone.deduplicated).toBe(false);
      await waitFor(async () => (await queue.listFailed({ workspaceId: A })).length === 1, "A's failure");
      await waitFor(async () => (await queue.listFailed({ workspaceId: B })).length === 1, "B's failure");
      await waitFor(
        async () => (await queue.counts({ system: true })).byName[housekeeping.name]?.failed,
        "the system job's failure",
      );

      // Other tests' system jobs share the database: look at this test's two names.
      const ours = new Set([def.name, housekeeping.name]);
      const ids = async (scope: JobScope) =>
        (await queue.listFailed(scope, { limit: 200 }))
          .filter((j) => ours.has(j.name))
          .map((j) => j.id)
          .sort();
      expect(await ids({ workspaceId: A })).toEqual([ofA.id]);
      expect(await ids({ workspaceId: B })).toEqual([ofB.id]);
      expect(await ids({ system: true })).toEqual([system.id]);
      expect(await ids({ workspaceId: A, system: true })).toEqual([ofA.id, system.id].sort());
      expect(await ids({})).toEqual([]);
      expect((await queue.listFailed({ workspaceId: A }))[0]).toMatchObject({
        workspaceId: A,
        jobKey: "import:1",
        payload: { shop: "a" },
        error: expect.stringMatching(/shop unreachable/),
      });
      expect((await queue.listFailed({ system: true })).find((j) => j.id === system.id)).toMatchObject({
        workspaceId: null,
        name: housekeeping.name,
      });

      const a = await queue.counts({ workspaceId: A });
      expect(a).toMatchObject({ failed: 1, delayed: 0, waiting: 0, active: 0 });
      expect(Object.keys(a.byName)).toEqual([def.name]);
      expect(await queue.counts({ workspaceId: B })).toMatchObject({ failed: 1, delayed: 1 });
      expect((await queue.counts({ system: true })).byName[housekeeping.name]).toMatchObject({ failed: 1, delayed: 0 });
      expect((await queue.counts({ system: true })).byName[def.name]).toBeUndefined();
      expect(await queue.counts({})).toMatchObject({ failed: 0, delayed: 0, byName: {} });

      // Another workspace's job, or a system job without the operator's scope: not found, and left as it is.
      broken = false;
      expect(await queue.retry({ workspaceId: B }, ofA.id)).toBe(false);
      expect(await queue.retry({ workspaceId: A }, system.id)).toBe(false);
      expect(await queue.retry({ workspaceId: A }, `${def.name}/${B}.import%3A1`)).toBe(false);
      expect(await ids({ workspaceId: A })).toEqual([ofA.id]);
      expect(await ids({ system: true })).toEqual([system.id]);
      expect(calls).toHaveLength(3);

      expect(await queue.retry({ workspaceId: A }, ofA.id)).toBe(true);
      expect(await queue.retry({ system: true }, system.id)).toBe(true);
      await waitFor(async () => (await queue.counts({ workspaceId: A })).completed === 1, "A's job to run again");
      await waitFor(
        async () => (await queue.counts({ system: true })).byName[housekeeping.name]?.completed === 1,
        "the system job to run again",
      );
      expect(await ids({ workspaceId: B })).toEqual([ofB.id]);
      expect(calls.map((c) => c.payload)).toEqual(
        expect.arrayContaining([{ shop: "a" }, { shop: "a" }, {}, {}, { shop: "b" }]),
      );
    });

    it("a workspace holding its share of slots leaves the others' jobs free to run", async () => {
      const stuck = gate();
      let runningOfA = 0;
      let peakOfA = 0;
      const def = recordingJob("generate-bot-reply", z.object({ n: z.number() }), {
        ofWorkspaces: true,
        concurrency: 4,
        workspaceConcurrency: 2,
        behave: async (_ctx, { n }) => {
          if (n >= 100) return; // workspace B's
          runningOfA++;
          peakOfA = Math.max(peakOfA, runningOfA);
          await stuck.opened; // A's provider hangs
          runningOfA--;
        },
      });
      const { queue, calls } = setup([def]);
      await queue.start();
      // Enqueued one by one, at once, and in a batch: A never gets more than its two slots.
      await queue.enqueue(def, { n: 1 }, { workspaceId: A });
      await Promise.all([2, 3].map((n) => queue.enqueue(def, { n }, { workspaceId: A })));
      await queue.enqueueMany(
        def,
        [4, 5, 6].map((n) => ({ payload: { n }, workspaceId: A })),
      );
      await waitFor(() => runningOfA === 2, "two of A's jobs to start");

      await queue.enqueue(def, { n: 100 }, { workspaceId: B });
      await queue.enqueueMany(def, [{ payload: { n: 101 }, workspaceId: B }]);
      await waitFor(async () => (await queue.counts({ workspaceId: B })).completed === 2, "B's jobs to complete");
      expect(runningOfA).toBe(2);

      stuck.open();
      await waitFor(
        async () => (await queue.counts({ workspaceId: A })).completed === 6,
        "A's jobs to complete",
        30_000,
      );
      expect(peakOfA).toBe(2);
      expect(calls.filter((c) => (c.payload as { n: number }).n < 100)).toHaveLength(6);
    });

    // The database driver only: BullMQ takes a name's jobs in order (caps still apply, see above).
    if (!harness.fewestRunningFirst) return;
    it("gives a free slot to the workspace served longest ago, not to the oldest backlog", async () => {
      const order: string[] = [];
      const first = gate();
      const def = recordingJob("process-inbound-event", z.object({ tag: z.string() }), {
        ofWorkspaces: true,
        concurrency: 1,
        behave: async (_ctx, { tag }) => {
          order.push(tag);
          if (tag === "a1") await first.opened;
        },
      });
      const { queue } = setup([def]);
      await queue.start();
      await queue.enqueue(def, { tag: "a1" }, { workspaceId: A });
      await waitFor(() => order.length === 1, "A's first job to start");
      // A's backlog is older than B's job; B has nothing running, so it goes next.
      await queue.enqueueMany(
        def,
        ["a2", "a3", "a4"].map((tag) => ({ payload: { tag }, workspaceId: A })),
      );
      await queue.enqueue(def, { tag: "b1" }, { workspaceId: B });
      first.open();
      await waitFor(() => order.length === 5, "every job to run");
      expect(order).toEqual(["a1", "b1", "a2", "a3", "a4"]);
    });
  });

  it("enqueues many jobs in one call, deduplicating on their ids, and runs each once", async () => {
    const def = recordingJob("process-inbound-event", z.object({ eventId: z.string() }), { concurrency: 4 });
    const { queue, calls } = setup([def]);
    await queue.enqueue(def, { eventId: "e1" }, { jobId: "inbound:e1" });

    const items = ["e1", "e2", "e3", "e2"].map((id) => ({ payload: { eventId: id }, jobId: `inbound:${id}` }));
    expect(await queue.enqueueMany(def, items)).toEqual({ added: 2 });
    expect(await queue.enqueueMany(def, [])).toEqual({ added: 0 });
    // One bad payload refuses the whole call: nothing of it is stored.
    await expect(
      queue.enqueueMany(def, [{ payload: { eventId: "e4" } }, { payload: { eventId: 4 as unknown as string } }]),
    ).rejects.toThrow();

    await queue.start();
    await waitFor(async () => (await queue.counts(SYSTEM)).byName[def.name]?.completed === 3, "the three jobs");
    expect(calls.map((c) => c.jobKey).sort()).toEqual(["inbound:e1", "inbound:e2", "inbound:e3"]);
  });

  it("does not run a delayed job before its time", async () => {
    const def = recordingJob("send-reminder", z.object({ id: z.string() }));
    const { queue, calls } = setup([def]);
    await queue.start();

    const enqueuedAt = Date.now();
    await queue.enqueue(def, { id: "r1" }, { delayMs: 1_500 });
    expect((await queue.counts(SYSTEM)).byName[def.name]).toMatchObject({ delayed: 1, waiting: 0 });
    await waitFor(() => calls.length === 1, "the delayed job");
    expect(Date.now() - enqueuedAt).toBeGreaterThanOrEqual(1_400);
  });

  it("recovers a job that was running when its worker died", async () => {
    const def = recordingJob("process-inbound-event", z.object({ eventId: z.string() }));
    const { queue: producer } = setup([]);
    const id = await harness.abandonJob(producer, def, { eventId: "e1" });

    const { queue, calls } = setup([def]);
    await queue.start();
    await waitFor(() => calls.length === 1, "the recovered job to run");
    // The interrupted attempt is not charged.
    expect(calls[0]).toMatchObject({ jobId: id, attempt: 1, payload: { eventId: "e1" } });
    await waitFor(async () => (await queue.counts(SYSTEM)).byName[def.name]?.completed === 1, "the job to complete");
  });

  it("fails a job that stalled more often than allowed instead of running it again", async () => {
    const def = recordingJob("poison-pill", z.object({}));
    const { queue: producer } = setup([]);
    const id = await harness.abandonJob(producer, def, {});

    const { queue, calls } = setup([def], { maxStalls: 0 });
    await queue.start();
    const failed = await waitFor(
      async () => (await queue.listFailed(SYSTEM)).find((j) => j.id === id),
      "the stalled job to fail",
    );
    expect(failed.error).toBe(STALLED_ERROR);
    expect(calls).toHaveLength(0);
  });

  it("shares the work between two runners and runs every job once", async () => {
    const def = recordingJob("index-document", z.object({ n: z.number() }), { concurrency: 2 });
    const a = setup([def]);
    const b = setup([def]);
    await Promise.all([a.queue.start(), b.queue.start()]);
    await Promise.all(Array.from({ length: 20 }, (_, n) => a.queue.enqueue(def, { n })));

    await waitFor(() => a.calls.length + b.calls.length >= 20, "all jobs to run");
    await waitFor(
      async () => (await a.queue.counts(SYSTEM)).byName[def.name]?.completed === 20,
      "all jobs to complete",
    );
    const ran = [...a.calls, ...b.calls].map((c) => (c.payload as { n: number }).n).sort((x, y) => x - y);
    expect(ran).toEqual(Array.from({ length: 20 }, (_, n) => n));
  });

  it("stop() lets a running job finish", async () => {
    let release = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const events: string[] = [];
    const def = recordingJob("long-task", z.object({}), {
      behave: async () => {
        await gate;
        events.push("job finished");
      },
    });
    const { queue, calls } = setup([def]);
    await queue.start();
    await queue.enqueue(def, {});
    await waitFor(() => calls.length === 1, "the job to start");

    const stopped = queue.stop({ timeoutMs: 30_000 }).then((result) => {
      events.push("queue stopped");
      return result;
    });
    await sleep(200);
    expect(events).toEqual([]);
    release();
    expect(await stopped).toEqual({ returned: 0 });
    expect(events).toEqual(["job finished", "queue stopped"]);

    const { queue: after } = setup([def]);
    expect((await after.counts(SYSTEM)).byName[def.name]).toMatchObject({ completed: 1, waiting: 0, active: 0 });
    await expect(queue.enqueue(def, {})).rejects.toThrow(/stopped/);
  });

  it("stop() returns a job still running at the timeout to the queue", async () => {
    let aborted = false;
    const name = jobName("slow-task");
    const hanging = defineJob({
      name,
      schema: z.object({ id: z.string() }),
      system: true,
      handle: (_payload, ctx) =>
        new Promise<void>((resolve) => {
          ctx.signal.addEventListener("abort", () => {
            aborted = true;
            resolve();
          });
        }),
    });
    // A lease far longer than the test: only the hand-back at stop() can make the job runnable again.
    const first = setup([hanging], { leaseMs: 120_000 });
    await first.queue.start();
    const { id } = await first.queue.enqueue(hanging, { id: "t1" });
    await waitFor(async () => (await first.queue.counts(SYSTEM)).byName[name]?.active === 1, "the job to start");

    expect(await first.queue.stop({ timeoutMs: 100 })).toEqual({ returned: 1 });
    expect(aborted).toBe(true);

    const quick = recordingJob("unused", z.object({ id: z.string() }));
    const sameName = defineJob({ name, schema: quick.schema, handle: quick.handle, system: true });
    const second = setup([sameName]);
    await second.queue.start();
    await waitFor(() => second.calls.length === 1, "the returned job to run again");
    expect(second.calls[0]).toMatchObject({ jobId: id, attempt: 1, payload: { id: "t1" } });
  });
});

describe("backoff", () => {
  const policy = { baseMs: 100, maxMs: 1_000, jitter: "none" as const };

  it("doubles per attempt up to the cap", () => {
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffDelay(policy, a))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it("keeps jittered delays within their bounds", () => {
    for (const random of [0, 0.5, 0.999]) {
      const full = backoffDelay({ ...policy, jitter: "full" }, 3, () => random);
      const equal = backoffDelay({ ...policy, jitter: "equal" }, 3, () => random);
      expect(full).toBeGreaterThanOrEqual(0);
      expect(full).toBeLessThanOrEqual(400);
      expect(equal).toBeGreaterThanOrEqual(200);
      expect(equal).toBeLessThanOrEqual(400);
    }
  });

  it("decides between retrying and giving up", () => {
    expect(decideAfterFailure(policy, 1, 3, new Error("net"))).toEqual({ retry: true, delayMs: 100 });
    expect(decideAfterFailure(policy, 3, 3, new Error("net"))).toEqual({ retry: false });
    expect(decideAfterFailure(policy, 1, 3, new NonRetryableError("no"))).toEqual({ retry: false });
    expect(decideAfterFailure(policy, 1, 3, Object.assign(new Error("x"), { retryable: false }))).toEqual({
      retry: false,
    });
    expect(decideAfterFailure(policy, 1, 3, new RetryableError("429", { retryAfterMs: 5_000 }))).toEqual({
      retry: true,
      delayMs: 5_000,
    });
    expect(decideAfterFailure(policy, 1, 3, new DomainError("conversation_not_found", "gone"))).toEqual({
      retry: false,
    });
    expect(
      decideAfterFailure(policy, 1, 3, new DomainError("rate_limited", "slow down", { retryAfterSeconds: 2 })),
    ).toEqual({
      retry: true,
      delayMs: 2_000,
    });
  });
});
