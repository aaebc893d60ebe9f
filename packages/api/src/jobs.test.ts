/** The admin's jobs page (`GET /api/v1/jobs`, `POST /api/v1/jobs/{id}/retry`): one workspace's jobs only. */
import {
  type AppJobDeps,
  appJobDeps,
  createDbJobQueue,
  defineJob,
  type JobQueue,
  JobRegistry,
  type Runtime,
  registerAllJobs,
  silentLogger,
} from "@tandem/core";
import { auditLogs } from "@tandem/db";
import type { TestWorkspace } from "@tandem/db/testing";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { TestClient } from "../../../tests/support/api-client.ts";
import { createTestRuntime } from "../../../tests/support/runtime.ts";
import { createSignInWorkspace, TEST_PASSWORD } from "../../../tests/support/workspace.ts";
import { createApp } from "./app.ts";

let runtime: Runtime;
let app: ReturnType<typeof createApp>;
let queue: JobQueue;
/** Whether the jobs below fail (an upstream that is down, then back). */
let broken = true;

// Jobs of the app's kind, failing while `broken`: a workspace's import and a system housekeeping task.
const importCatalog = defineJob({
  name: "import-catalog",
  schema: z.object({ shop: z.string() }),
  retry: { attempts: 1 },
  handle: () => {
    if (broken) throw new Error("shop unreachable");
  },
});
const compactTables = defineJob({
  name: "compact-tables",
  schema: z.object({}),
  retry: { attempts: 1 },
  system: true,
  handle: () => {
    if (broken) throw new Error("disk full");
  },
});

beforeAll(async () => {
  runtime = await createTestRuntime();
  queue = createDbJobQueue<AppJobDeps>({
    db: runtime.database.db,
    registry: registerAllJobs(new JobRegistry<AppJobDeps>()).register(importCatalog, compactTables),
    deps: appJobDeps(runtime),
    log: silentLogger,
    pollIntervalMs: 50,
  });
  runtime.queue = queue;
  await queue.start();
  app = createApp(runtime);
});
afterAll(async () => {
  await queue.stop({ timeoutMs: 1000 });
  await runtime.close();
});

async function signedIn(person: TestWorkspace["owner"]) {
  const client = new TestClient(app);
  expect((await client.signIn(person.user.email, TEST_PASSWORD)).status).toBe(200);
  return client;
}

async function until<T>(probe: () => Promise<T>, what: string): Promise<Exclude<T, false | null | undefined>> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await probe();
    if (value) return value as Exclude<T, false | null | undefined>;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

interface JobsPage {
  system: boolean;
  counts: { failed: number; completed: number; waiting: number };
  byName: Record<string, { failed: number; completed: number }>;
  failed: { id: string; name: string; workspaceId: string | null; error: string }[];
}

describe("GET /api/v1/jobs and POST /api/v1/jobs/{id}/retry", () => {
  it("show and retry the caller's workspace's jobs only; another workspace's job is not found", async () => {
    const a = await createSignInWorkspace(runtime);
    const b = await createSignInWorkspace(runtime);
    const ofA = await queue.enqueue(importCatalog, { shop: "a" }, { workspaceId: a.workspace.id });
    const ofB = await queue.enqueue(importCatalog, { shop: "b" }, { workspaceId: b.workspace.id });
    const system = await queue.enqueue(compactTables, {});
    const adminA = await signedIn(a.admin);
    const adminB = await signedIn(b.admin);
    const page = async (client: TestClient) => {
      const res = await client.get("/api/v1/jobs");
      expect(res.status).toBe(200);
      return (await res.json()) as JobsPage;
    };

    const seenByA = await until(async () => {
      const p = await page(adminA);
      return p.counts.failed === 1 && p;
    }, "A's job to fail");
    expect(seenByA.system).toBe(false);
    expect(seenByA.failed).toEqual([
      expect.objectContaining({ id: ofA.id, name: importCatalog.name, workspaceId: a.workspace.id }),
    ]);
    expect(seenByA.failed[0]!.error).toMatch(/shop unreachable/);
    expect(Object.keys(seenByA.byName)).toEqual([importCatalog.name]);
    const seenByB = await until(async () => {
      const p = await page(adminB);
      return p.counts.failed === 1 && p;
    }, "B's job to fail");
    expect(seenByB.failed.map((j) => j.id)).toEqual([ofB.id]);

    // B's admin cannot retry A's job, nor the system's: 404, and nothing changes.
    broken = false;
    for (const id of [ofA.id, system.id]) {
      const res = await adminB.post(`/api/v1/jobs/${id}/retry`);
      expect(res.status).toBe(404);
      expect((await res.json()).error).toMatchObject({ code: "job_not_found" });
    }
    expect((await page(adminA)).failed.map((j) => j.id)).toEqual([ofA.id]);

    const retried = await adminA.post(`/api/v1/jobs/${ofA.id}/retry`);
    expect(retried.status).toBe(202);
    expect(await retried.json()).toEqual({ id: ofA.id, status: "waiting" });
    const after = await until(async () => {
      const p = await page(adminA);
      return p.counts.completed === 1 && p;
    }, "A's job to run again");
    expect(after.failed).toEqual([]);
    expect((await page(adminB)).failed.map((j) => j.id)).toEqual([ofB.id]);
    const [audit] = await runtime.database.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.workspaceId, a.workspace.id), eq(auditLogs.action, "job.retry")));
    expect(audit).toMatchObject({ entityType: "job", entityId: ofA.id, actorUserId: a.admin.user.id });
    broken = true;
  });

  it("shows system jobs to the operators named in JOBS_OPERATOR_EMAILS, and to nobody else", async () => {
    const ops = await createSignInWorkspace(runtime);
    const other = await createSignInWorkspace(runtime);
    runtime.config.jobOperatorEmails = [ops.owner.user.email.toLowerCase()];
    try {
      broken = true;
      const system = await queue.enqueue(compactTables, {});
      const operator = await signedIn(ops.owner);
      const notOperator = await signedIn(other.owner);
      const failedIds = async (client: TestClient) =>
        ((await (await client.get("/api/v1/jobs?limit=200")).json()) as JobsPage).failed.map((j) => j.id);

      const seen = await until(async () => {
        const ids = await failedIds(operator);
        return ids.includes(system.id) && ids;
      }, "the system job to fail");
      expect(seen.length).toBeGreaterThan(0);
      expect((await (await operator.get("/api/v1/jobs")).json()).system).toBe(true);
      expect(await failedIds(notOperator)).not.toContain(system.id);
      expect((await notOperator.post(`/api/v1/jobs/${system.id}/retry`)).status).toBe(404);

      broken = false;
      expect((await operator.post(`/api/v1/jobs/${system.id}/retry`)).status).toBe(202);
      await until(async () => !(await failedIds(operator)).includes(system.id), "the system job to run again");
    } finally {
      runtime.config.jobOperatorEmails = [];
      broken = true;
    }
  });

  it("is for OWNER and ADMIN: an AGENT gets 403", async () => {
    const ws = await createSignInWorkspace(runtime);
    const agent = await signedIn(ws.agent);
    expect((await agent.get("/api/v1/jobs")).status).toBe(403);
    expect((await agent.post("/api/v1/jobs/job_x/retry")).status).toBe(403);
  });
});
