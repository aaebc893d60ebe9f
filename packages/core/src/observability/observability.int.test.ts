/**
 * Traces and metrics on the scaled parts: database spans through a node-postgres pool (plain
 * statements and transactions) against a real PostgreSQL, BullMQ jobs that continue their
 * enqueuer's trace on a real Redis, and the worker's `/metrics` listener. Spans are collected by a
 * local OTLP/HTTP receiver; the tracer provider is shut down after the file.
 */
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createDb, type Database, migrate } from "@tandem/db";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  createTestDatabase,
  type PostgresServer,
  startPostgresServer,
} from "../../../../tests/support/postgres-server.ts";
import { startRedisServer, type TestServer } from "../../../../tests/support/redis-server.ts";
import { createBullmqJobQueue } from "../jobs/bullmq-queue.ts";
import { defineJob, type JobContext } from "../jobs/define-job.ts";
import type { JobQueue } from "../jobs/queue.ts";
import { JobRegistry } from "../jobs/registry.ts";
import { silentLogger } from "../logger.ts";
import { serveMetrics } from "./metrics-server.ts";
import { startTracing, type Tracing, withSpan } from "./tracing.ts";

interface Span {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes?: { key: string; value: Record<string, unknown> }[];
}

let pg: PostgresServer;
let redis: TestServer;
let database: Database;
let tracing: Tracing;
let receiver: Server;
const bodies: string[] = [];

const spans = (): Span[] =>
  bodies.flatMap((b) =>
    JSON.parse(b).resourceSpans.flatMap((rs: { scopeSpans: { spans: Span[] }[] }) =>
      rs.scopeSpans.flatMap((ss) => ss.spans),
    ),
  );
const attr = (span: Span, key: string) => {
  const value = span.attributes?.find((a) => a.key === key)?.value;
  return value ? Object.values(value)[0] : undefined;
};

async function exported(probe: (all: Span[]) => boolean): Promise<Span[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    await tracing.flush();
    if (probe(spans())) return spans();
    if (Date.now() > deadline) throw new Error("the spans were not exported");
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  receiver = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    bodies.push(Buffer.concat(chunks).toString("utf8"));
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
  });
  receiver.listen(0, "127.0.0.1");
  await once(receiver, "listening");
  tracing = await startTracing({
    endpoint: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`,
    serviceName: "tandem-worker",
    version: "test",
  });
  [pg, redis] = await Promise.all([startPostgresServer(), startRedisServer()]);
  database = await createDb({ databaseUrl: await createTestDatabase(pg) });
  await migrate(database);
});

afterAll(async () => {
  await tracing?.shutdown();
  await database?.close();
  await Promise.all([pg?.stop(), redis?.stop()]);
  receiver?.close();
});

describe("database spans on PostgreSQL", () => {
  it("a statement through the pool and the statements of a transaction are spans of the caller's trace, without their values", async () => {
    const root = await withSpan("test root", {}, async (span) => {
      await database.db.execute(sql`select ${"a value that stays out of spans"}::text as v`);
      await database.db.transaction(async (tx) => {
        await tx.execute(sql`select count(*) from job where name = ${"never-recorded"}`);
      });
      return span.spanContext();
    });
    // Outside any trace: no span (the queue's polling makes no traces of its own).
    await database.db.execute(sql`select 'outside' as v`);

    const all = await exported((s) => s.some((x) => x.spanId === root.spanId));
    const inTrace = all.filter((s) => s.traceId === root.traceId && attr(s, "db.system.name") === "postgresql");
    const texts = inTrace.map((s) => String(attr(s, "db.query.text")));
    expect(texts).toContain("select $1::text as v");
    expect(texts).toContain("select count(*) from job where name = $1");
    expect(texts.some((t) => /^begin/i.test(t))).toBe(true);
    expect(inTrace.find((s) => attr(s, "db.query.text") === "select count(*) from job where name = $1")?.name).toBe(
      "SELECT job",
    );
    const text = JSON.stringify(all);
    expect(text).not.toContain("a value that stays out of spans");
    expect(text).not.toContain("never-recorded");
    expect(all.some((s) => attr(s, "db.query.text") === "select ? as v")).toBe(false);
  });
});

describe("BullMQ jobs and the worker's metrics", () => {
  let queue: JobQueue;

  afterAll(async () => {
    await queue?.stop({ timeoutMs: 2000 });
  });

  it("a job's next step continues the trace of the request that enqueued the first; /metrics shows the queue with its token only", async () => {
    const second = defineJob({ name: "second-step", schema: z.object({ n: z.number() }), handle: async () => {} });
    const first = defineJob({
      name: "first-step",
      schema: z.object({ n: z.number() }),
      handle: async (payload, ctx: JobContext<{ queue: () => JobQueue }>) => {
        await ctx.queue().enqueue(second, payload, { workspaceId: "ws_trace" });
      },
    });
    const registry = new JobRegistry<{ queue: () => JobQueue }>().register(first).register(second);
    queue = createBullmqJobQueue({
      redisUrl: redis.url,
      prefix: `trace-${Date.now()}`,
      registry,
      deps: { queue: () => queue },
      log: silentLogger,
    });
    await queue.start();
    const root = await withSpan("POST /api/webhooks/test", {}, async (span) => {
      await queue.enqueue(first, { n: 1 }, { workspaceId: "ws_trace" });
      return span.spanContext();
    });

    const all = await exported((s) => s.some((x) => x.name === "process second-step"));
    const byId = new Map(all.map((s) => [s.spanId, s]));
    const chain: string[] = [];
    let at = all.find((s) => s.name === "process second-step");
    for (; at; at = at.parentSpanId ? byId.get(at.parentSpanId) : undefined) chain.push(at.name);
    expect(chain).toEqual([
      "process second-step",
      "enqueue second-step",
      "process first-step",
      "enqueue first-step",
      "POST /api/webhooks/test",
    ]);
    expect(all.find((s) => s.name === "process second-step")?.traceId).toBe(root.traceId);

    const token = "worker-metrics-token-0123456789";
    const metrics = await serveMetrics({ port: 0, host: "127.0.0.1", token, queue, log: silentLogger });
    try {
      const url = `http://127.0.0.1:${metrics.port}/metrics`;
      expect((await fetch(url)).status).toBe(401);
      expect((await fetch(url, { headers: { authorization: "Bearer nope" } })).status).toBe(401);
      expect((await fetch(`http://127.0.0.1:${metrics.port}/other`)).status).toBe(404);
      const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).toMatch(/^tandem_queue_jobs\{job="second-step",state="waiting"\} 0$/m);
      expect(text).toMatch(/^tandem_queue_lag_seconds\{job="first-step"\} 0$/m);
      expect(text).toMatch(/^tandem_jobs_completed_total\{job="second-step"\} [1-9]/m);
    } finally {
      await metrics.close();
    }
  });
});
