import { auditLogs, newId } from "@tandem/db";
import { createTestWorkspace } from "@tandem/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { attachTestQueue, createTestRuntime } from "../../../../tests/support/runtime.ts";
import { appJobDeps } from "../app-deps.ts";
import { runJob } from "../jobs/run-job.ts";
import { silentLogger } from "../logger.ts";
import { databaseMaintenance } from "../maintenance/database-maintenance.ts";
import type { Runtime } from "../runtime.ts";
import { pruneAuditLog } from "./prune-audit-log.ts";

const DAY = 24 * 60 * 60_000;
let runtime: Runtime;

beforeAll(async () => {
  runtime = await createTestRuntime({ AUDIT_LOG_RETENTION_DAYS: "30" });
  // Not started: the maintenance run's next slot is only stored.
  attachTestQueue(runtime);
});
afterAll(() => runtime.close());

const db = () => runtime.database.db;

async function storeRows(workspaceId: string, daysAgo: number, count = 1, action = "thing.change") {
  const rows = Array.from({ length: count }, () => ({
    id: newId("auditLog"),
    workspaceId,
    actorType: "system" as const,
    action,
    entityType: "thing",
    createdAt: new Date(Date.now() - daysAgo * DAY),
  }));
  await db().insert(auditLogs).values(rows);
  return rows.map((r) => r.id);
}

const remaining = async (workspaceId: string) =>
  (await db().select({ id: auditLogs.id }).from(auditLogs).where(eq(auditLogs.workspaceId, workspaceId))).map(
    (r) => r.id,
  );

describe("audit log retention", () => {
  it("the hourly maintenance deletes rows older than AUDIT_LOG_RETENTION_DAYS and keeps the rest", async () => {
    const ws = await createTestWorkspace(db());
    const [fresh] = await storeRows(ws.workspace.id, 29);
    const [stale] = await storeRows(ws.workspace.id, 31);
    const [ancient] = await storeRows(ws.workspace.id, 400);

    await runJob(databaseMaintenance, appJobDeps(runtime), {
      jobId: "test-maintenance-audit",
      jobKey: null,
      attempt: 1,
      maxAttempts: 3,
      payload: {},
      log: silentLogger,
      signal: new AbortController().signal,
    });
    const left = await remaining(ws.workspace.id);
    expect(left).toEqual([fresh]);
    expect(left).not.toContain(stale);
    expect(left).not.toContain(ancient);
  });

  it("keeps every row when the retention is 0", async () => {
    const ws = await createTestWorkspace(db());
    const ids = await storeRows(ws.workspace.id, 4000, 3);
    expect(await pruneAuditLog(db(), { retentionDays: 0 })).toBe(0);
    expect((await remaining(ws.workspace.id)).sort()).toEqual(ids.sort());
  });

  it("deletes in chunks, pausing between them, until nothing old is left", async () => {
    const ws = await createTestWorkspace(db());
    await storeRows(ws.workspace.id, 100, 1_203, "bulk.old");
    const [recent] = await storeRows(ws.workspace.id, 1);
    let pauses = 0;
    const deleted = await pruneAuditLog(db(), {
      retentionDays: 30,
      between: async () => {
        pauses++;
      },
    });
    expect(deleted).toBeGreaterThanOrEqual(1_203);
    expect(pauses).toBeGreaterThanOrEqual(2);
    expect(await remaining(ws.workspace.id)).toEqual([recent]);
  });
});
