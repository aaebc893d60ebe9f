import { rooms } from "@tandem/contracts";
import { chatbotErrors, inboundEvents, jobs, newId, rowsOf, sessions } from "@tandem/db";
import { createChannel, createKnowledgePassage, createTestWorkspace } from "@tandem/db/testing";
import { and, eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { attachTestQueue, createTestRuntime } from "../../../../tests/support/runtime.ts";
import { appJobDeps } from "../app-deps.ts";
import { createSession } from "../auth/sessions.ts";
import type { JobQueue } from "../jobs/queue.ts";
import { runJob } from "../jobs/run-job.ts";
import { silentLogger } from "../logger.ts";
import type { Runtime } from "../runtime.ts";
import {
  analyzeKnowledgeIfDue,
  databaseMaintenance,
  flushChunkSearchIndex,
  MAINTENANCE_INTERVAL_MS,
  pruneInboundEvents,
  scheduleDatabaseMaintenance,
  tablesDue,
  VACUUMED_TABLES,
} from "./database-maintenance.ts";

const DAY = 24 * 60 * 60_000;
let runtime: Runtime;
let queue: JobQueue;

beforeAll(async () => {
  runtime = await createTestRuntime({ INBOUND_EVENT_RETENTION_DAYS: "14" });
  // Not started: jobs are only stored, so the test decides when the maintenance runs.
  queue = attachTestQueue(runtime);
});
afterAll(() => runtime.close());

async function storeEntry(
  channelId: string | null,
  status: (typeof inboundEvents.$inferInsert)["status"],
  daysAgo: number,
) {
  const id = newId("inboundEvent");
  await runtime.database.db.insert(inboundEvents).values({
    id,
    channelId,
    source: "messenger",
    externalId: "990000000000777",
    payload: { id: "990000000000777", time: 0, messaging: [] },
    signatureOk: true,
    status,
    receivedAt: new Date(Date.now() - daysAgo * DAY),
  });
  return id;
}

async function vacuumStats() {
  return rowsOf<{ table: string; lastVacuum: string | null; lastAnalyze: string | null }>(
    await runtime.database.db.execute(sql`
      select relname as "table", last_vacuum::text as "lastVacuum", last_analyze::text as "lastAnalyze"
      from pg_stat_user_tables
      where relname in (select jsonb_array_elements_text(${JSON.stringify(VACUUMED_TABLES)}::jsonb))`),
  );
}

const remaining = async (ids: string[]) =>
  (await runtime.database.db.select({ id: inboundEvents.id }).from(inboundEvents))
    .map((r) => r.id)
    .filter((id) => ids.includes(id));

describe("pruning raw webhook entries", () => {
  it("deletes processed and ignored entries past the retention, failed ones after 30 days, never unprocessed ones", async () => {
    const ws = await createTestWorkspace(runtime.database.db);
    const channel = await createChannel(runtime.database.db, { workspaceId: ws.workspace.id });
    const entries = {
      oldProcessed: await storeEntry(channel.id, "processed", 15),
      oldIgnored: await storeEntry(null, "ignored", 20),
      recentProcessed: await storeEntry(channel.id, "processed", 13),
      recentIgnored: await storeEntry(null, "ignored", 2),
      failed20Days: await storeEntry(channel.id, "failed", 20),
      failed31Days: await storeEntry(channel.id, "failed", 31),
      oldPending: await storeEntry(channel.id, "pending", 60),
      oldProcessing: await storeEntry(channel.id, "processing", 60),
    };
    const all = Object.values(entries);

    const deleted = await pruneInboundEvents(runtime.database.db, { retentionDays: 14 });

    expect(deleted).toBe(3);
    expect((await remaining(all)).sort()).toEqual(
      [
        entries.recentProcessed,
        entries.recentIgnored,
        entries.failed20Days,
        entries.oldPending,
        entries.oldProcessing,
      ].sort(),
    );
  });

  it("deletes a large backlog in short statements, with a pause between them", async () => {
    const db = runtime.database.db;
    const rows = Array.from({ length: 1_201 }, () => ({
      id: newId("inboundEvent"),
      source: "messenger" as const,
      externalId: "990000000000888",
      payload: {},
      signatureOk: true,
      status: "ignored" as const,
      receivedAt: new Date(Date.now() - 30 * DAY),
    }));
    await db.insert(inboundEvents).values(rows);
    let pauses = 0;
    const deleted = await pruneInboundEvents(db, {
      retentionDays: 14,
      between: async () => {
        pauses++;
      },
    });
    expect(deleted).toBe(1_201);
    expect(pauses).toBe(2); // 500 + 500 + 201
    expect(await remaining(rows.map((r) => r.id))).toEqual([]);
  });
});

describe("the hourly maintenance job", () => {
  it("is scheduled once per hour slot, however many processes start", async () => {
    const now = Date.now();
    await scheduleDatabaseMaintenance(queue, now);
    await scheduleDatabaseMaintenance(queue, now + 1_000);
    const slot = Math.floor(now / MAINTENANCE_INTERVAL_MS) + 1;
    const scheduled = await runtime.database.db
      .select()
      .from(jobs)
      .where(and(eq(jobs.name, databaseMaintenance.name), eq(jobs.jobKey, `maintenance:${slot}`)));
    expect(scheduled).toHaveLength(1);
    // run_at is the database's now() plus the delay: the slot's start, give or take the clocks.
    expect(Math.abs(scheduled[0]!.runAt.getTime() - slot * MAINTENANCE_INTERVAL_MS)).toBeLessThan(2_000);
    expect(scheduled[0]!.status).toBe("waiting");
  });

  it("prunes, vacuums and analyzes the embedded database, then schedules the next run", async () => {
    const db = runtime.database.db;
    const old = await storeEntry(null, "ignored", 40);
    // Chatbot error records (the chatbots' health) are kept 30 days.
    const ws = await createTestWorkspace(db);
    const recordError = async (daysAgo: number) => {
      const [row] = await db
        .insert(chatbotErrors)
        .values({
          workspaceId: ws.workspace.id,
          chatbotId: null,
          kind: "send",
          code: "platform_error_2",
          createdAt: new Date(Date.now() - daysAgo * DAY),
        })
        .returning({ id: chatbotErrors.id });
      return row!.id;
    };
    const [expiredError, keptError] = [await recordError(31), await recordError(29)];
    // Rows updated since the last vacuum: dead versions only VACUUM reclaims (PGlite has no autovacuum).
    await db.execute(sql`update inbound_event set error = 'x' where status = 'pending'`);
    const before = await vacuumStats();
    expect(before.filter((s) => s.lastVacuum !== null)).toEqual([]);

    await runJob(databaseMaintenance, appJobDeps(runtime), {
      jobId: "test-maintenance",
      jobKey: null,
      attempt: 1,
      maxAttempts: 3,
      payload: {},
      log: silentLogger,
      signal: new AbortController().signal,
    });

    expect(await remaining([old])).toEqual([]);
    const errorsLeft = await db
      .select({ id: chatbotErrors.id })
      .from(chatbotErrors)
      .where(inArray(chatbotErrors.id, [expiredError, keptError]));
    expect(errorsLeft).toEqual([{ id: keptError }]);
    // Every busy table was vacuumed and analyzed (the planner's statistics are fresh).
    const after = await vacuumStats();
    expect(after.map((s) => s.table).sort()).toEqual([...VACUUMED_TABLES].sort());
    for (const s of after) expect(s).toMatchObject({ lastVacuum: expect.any(String), lastAnalyze: expect.any(String) });
    // The next run is waiting for the next hour slot.
    const next = Math.floor(Date.now() / MAINTENANCE_INTERVAL_MS) + 1;
    const [scheduled] = await db
      .select({ runAt: jobs.runAt })
      .from(jobs)
      .where(and(eq(jobs.name, databaseMaintenance.name), eq(jobs.jobKey, `maintenance:${next}`)));
    expect(Math.abs(scheduled!.runAt.getTime() - next * MAINTENANCE_INTERVAL_MS)).toBeLessThan(2_000);
    // The day's prune of the top queries' vectors is enqueued (its job id names the day).
    const [prune] = await db.select({ key: jobs.jobKey }).from(jobs).where(eq(jobs.name, "prune-query-embeddings"));
    expect(prune!.key).toMatch(/^query-embeddings:day-\d+$/);
  });

  it("then vacuums only what autovacuum's thresholds name: a table that changed a lot, not the others", async () => {
    const db = runtime.database.db;
    // Every table was vacuumed and analyzed by the run above. Now one of them changes a lot.
    await db.insert(inboundEvents).values(
      Array.from({ length: 1_500 }, () => ({
        id: newId("inboundEvent"),
        source: "messenger" as const,
        externalId: "990000000000999",
        payload: {},
        signatureOk: true,
        status: "processed" as const,
      })),
    );
    // PostgreSQL publishes table statistics when the session is idle, at most once a second.
    let due: Awaited<ReturnType<typeof tablesDue>> = [];
    for (let i = 0; i < 30 && !due.some((t) => t.table === "inbound_event"); i++) {
      await new Promise((r) => setTimeout(r, 250));
      due = await tablesDue(db);
    }
    expect(due.find((t) => t.table === "inbound_event")).toEqual({
      table: "inbound_event",
      vacuum: true,
      analyze: true,
    });
    expect(due.map((t) => t.table)).not.toContain("message");
  });
});

describe("expired sessions", () => {
  it("are deleted (30 days unused, or 90 days after sign-in) and their sockets disconnected; valid ones stay", async () => {
    const db = runtime.database.db;
    const ws = await createTestWorkspace(db);
    const start = (userId: string) => createSession(db, { userId, workspaceId: ws.workspace.id });
    const [unused, tooOld, valid] = await Promise.all([
      start(ws.owner.user.id),
      start(ws.admin.user.id),
      start(ws.agent.user.id),
    ]);
    await db
      .update(sessions)
      .set({ expiresAt: new Date(Date.now() - 60_000) })
      .where(eq(sessions.id, unused.sessionId));
    // Written before the absolute lifetime existed: still "expiring" in the future, but 100 days old.
    await db
      .update(sessions)
      .set({ createdAt: new Date(Date.now() - 100 * DAY), expiresAt: new Date(Date.now() + 10 * DAY) })
      .where(eq(sessions.id, tooOld.sessionId));
    const disconnected: string[] = [];
    runtime.realtime.bind({ emit: () => {}, disconnect: (rooms) => disconnected.push(...rooms) });

    await runJob(databaseMaintenance, appJobDeps(runtime), {
      jobId: "test-maintenance-sessions",
      jobKey: null,
      attempt: 1,
      maxAttempts: 3,
      payload: {},
      log: silentLogger,
      signal: new AbortController().signal,
    });

    const left = await db
      .select({ id: sessions.id })
      .from(sessions)
      .where(inArray(sessions.id, [unused.sessionId, tooOld.sessionId, valid.sessionId]));
    expect(left.map((s) => s.id)).toEqual([valid.sessionId]);
    expect(disconnected.sort()).toEqual([rooms.session(unused.sessionId), rooms.session(tooOld.sessionId)].sort());
  });
});

describe("analyzeKnowledgeIfDue", () => {
  it("analyzes the knowledge tables after a burst of chunks on the embedded database, and not again until the next", async () => {
    const db = runtime.database.db;
    const { workspace } = await createTestWorkspace(db);
    const lastAnalyze = async () =>
      rowsOf<{ at: string | null }>(
        await db.execute(sql`select last_analyze::text as at from pg_stat_user_tables where relname = 'chunk'`),
      )[0]?.at ?? null;
    for (let i = 0; i < 120; i++) {
      await createKnowledgePassage(db, {
        workspaceId: workspace.id,
        title: `Doc ${i}`,
        content: `Passage number ${i}`,
      });
    }
    // The statistics may not show the new rows yet: the writer says how many it wrote.
    const analyzed = await analyzeKnowledgeIfDue(db, { chunk: 120, document: 120 });
    expect(analyzed).toContain("chunk");
    const first = await lastAnalyze();
    expect(first).not.toBeNull();
    // Nothing changed since: nothing is due.
    expect(await analyzeKnowledgeIfDue(db)).toEqual([]);
    expect(await lastAnalyze()).toBe(first);
  });
});

describe("flushChunkSearchIndex", () => {
  it("moves the full-text index's pending entries into the index, after which the chunks are still found", async () => {
    const db = runtime.database.db;
    const { workspace } = await createTestWorkspace(db);
    await flushChunkSearchIndex(db);
    for (let i = 0; i < 20; i++) {
      await createKnowledgePassage(db, {
        workspaceId: workspace.id,
        title: `Doc ${i}`,
        content: `Flushable passage ${i}`,
      });
    }
    expect(await flushChunkSearchIndex(db)).toBeGreaterThan(0);
    expect(await flushChunkSearchIndex(db)).toBe(0);
    const found = await db.execute(
      sql`select count(*)::int as n from chunk where workspace_id = ${workspace.id} and search @@ to_tsquery('simple', 'flushable')`,
    );
    expect(rowsOf<{ n: number }>(found)[0]?.n).toBe(20);
  });
});
