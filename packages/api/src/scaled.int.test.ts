import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Config, createRuntime, generateKey, loadConfig, type Runtime, silentLogger } from "@tandem/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestClient } from "../../../tests/support/api-client.ts";
import {
  createTestDatabase,
  type PostgresServer,
  startPostgresServer,
} from "../../../tests/support/postgres-server.ts";
import { startRedisServer, type TestServer } from "../../../tests/support/redis-server.ts";
import { createSignInWorkspace, TEST_PASSWORD } from "../../../tests/support/workspace.ts";
import { createApp } from "./app.ts";

/**
 * The scaled deployment: a real PostgreSQL server (Debian's, without pgvector) and a real Redis,
 * with two "web processes" (two runtimes and apps) sharing them.
 */
let postgres: PostgresServer;
let redis: TestServer;
const runtimes: Runtime[] = [];

function scaledConfig(databaseUrl: string): Config {
  return loadConfig({
    NODE_ENV: "test",
    DATA_DIR: mkdtempSync(path.join(tmpdir(), "tandem-scaled-")),
    APP_URL: "http://localhost:3000",
    DATABASE_URL: databaseUrl,
    REDIS_URL: redis.url,
    ENCRYPTION_KEY: generateKey(),
    AUTH_SECRET: "scaled-test-secret-scaled-test-secret-0123",
    LOG_LEVEL: "silent",
  });
}

beforeAll(async () => {
  [postgres, redis] = await Promise.all([startPostgresServer(), startRedisServer()]);
});
afterAll(async () => {
  await Promise.all(runtimes.map((r) => r.close()));
  await Promise.all([postgres?.stop(), redis?.stop()]);
});

describe("scaled mode (PostgreSQL + Redis)", () => {
  it("migrates exactly once when two processes start together, and works without pgvector", async () => {
    const url = await createTestDatabase(postgres);
    const config = scaledConfig(url);
    const [a, b] = await Promise.all([
      createRuntime(config, { log: silentLogger }),
      createRuntime(config, { log: silentLogger }),
    ]);
    runtimes.push(a, b);
    const applied = await a.database.db.execute("SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations");
    const journalEntries = (await import("../../db/migrations/meta/_journal.json", { with: { type: "json" } })).default
      .entries.length;
    expect((applied as unknown as { rows: { n: number }[] }).rows[0]!.n).toBe(journalEntries);

    const owner = new TestClient(createApp(a));
    const ws = await createSignInWorkspace(a);
    await owner.signIn(ws.owner.user.email, TEST_PASSWORD);
    const health = await (await owner.get("/api/v1/health")).json();
    expect(health).toMatchObject({
      mode: "scaled",
      database: { status: "ok", kind: "postgres" },
      migrations: { status: "ok" },
      redis: { status: "ok" },
      vector: { available: false, retrieval: "full_text_only" },
    });
  });

  it("shares sessions and login rate limits between web processes", async () => {
    const url = await createTestDatabase(postgres);
    const config = scaledConfig(url);
    const first = await createRuntime(config, { log: silentLogger });
    const second = await createRuntime(config, { log: silentLogger });
    runtimes.push(first, second);
    const [appA, appB] = [createApp(first), createApp(second)];
    const ws = await createSignInWorkspace(first);

    // A session created through process A is valid on process B, and its mutations work there.
    const client = new TestClient(appA);
    await client.signIn(ws.owner.user.email, TEST_PASSWORD);
    const viaB = client.sameBrowserOn(appB);
    const invite = await viaB.post("/api/v1/members", { email: "scaled@example.com", role: "AGENT" });
    expect(invite.status).toBe(201);

    // Failed sign-ins on A and B add up in Redis.
    for (let i = 0; i < 3; i++)
      expect((await new TestClient(appA).signIn(ws.agent.user.email, "wrong")).status).toBe(401);
    for (let i = 0; i < 2; i++)
      expect((await new TestClient(appB).signIn(ws.agent.user.email, "wrong")).status).toBe(401);
    const limited = await new TestClient(appA).signIn(ws.agent.user.email, TEST_PASSWORD);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});
