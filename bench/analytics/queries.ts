/**
 * Analytics query latency (`getAnalytics`, the core verb behind `GET /api/v1/analytics`) on a
 * workspace with many messages spread over the last 120 days: embedded PGlite at 100,000 messages,
 * then a throwaway PostgreSQL server (Debian's binaries, `tests/support/postgres-server.ts`) at
 * 1,000,000. Prints the first read (which backfills the daily rollups) and p50/p95/p99 of warm reads
 * for the 7, 30 and 90-day periods, one chatbot and one channel type. Target p95 ≤ 200 ms.
 *
 *   npx tsx bench/analytics/queries.ts [samples]
 *   BENCH_ONLY=embedded|postgres   one of the two
 *   BENCH_MESSAGES_EMBEDDED=100000 BENCH_MESSAGES_POSTGRES=1000000
 */
import type { AnalyticsQuery } from "@tandem/contracts";
import { getAnalytics, silentLogger } from "@tandem/core";
import { createDb, type Db, migrate } from "@tandem/db";
import { createTestDatabase, startPostgresServer } from "../../tests/support/postgres-server.ts";
import { percentile } from "../lib.ts";
import { seed } from "./seed.ts";

const samples = Number(process.argv[2] ?? 20);
const only = process.env.BENCH_ONLY;
const print = (row: Record<string, unknown>) => console.log(JSON.stringify(row));

async function run(label: string, db: Db, messages: number) {
  const { workspaceId, chatbotId } = await seed(db, messages, print);
  const ctx = { db, workspaceId, actor: { type: "system" as const }, log: silentLogger };
  let started = performance.now();
  await getAnalytics(ctx, { period: "30d" });
  print({ db: label, messages, name: "first read (rollup backfill)", ms: +(performance.now() - started).toFixed(1) });

  const cases: [string, AnalyticsQuery][] = [
    ["7d", { period: "7d" }],
    ["30d", { period: "30d" }],
    ["90d", { period: "90d" }],
    ["30d one chatbot", { period: "30d", chatbotId }],
    ["30d line only", { period: "30d", channelType: "line" }],
  ];
  const all: number[] = [];
  for (const [name, query] of cases) {
    const times: number[] = [];
    for (let i = 0; i < samples; i++) {
      started = performance.now();
      await getAnalytics(ctx, query);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    all.push(...times);
    print({
      db: label,
      messages,
      name,
      p50: +percentile(times, 50).toFixed(1),
      p95: +percentile(times, 95).toFixed(1),
      p99: +percentile(times, 99).toFixed(1),
    });
  }
  all.sort((a, b) => a - b);
  const p95 = percentile(all, 95);
  print({ db: label, messages, name: "all cases", p95: +p95.toFixed(1), target: 200, ok: p95 <= 200 });
}

if (only !== "postgres") {
  const database = await createDb();
  await migrate(database);
  await run("pglite", database.db, Number(process.env.BENCH_MESSAGES_EMBEDDED ?? 100_000));
  await database.close();
}
if (only !== "embedded") {
  const server = await startPostgresServer();
  try {
    const database = await createDb({ databaseUrl: await createTestDatabase(server) });
    await migrate(database);
    await run("postgres", database.db, Number(process.env.BENCH_MESSAGES_POSTGRES ?? 1_000_000));
    await database.close();
  } finally {
    await server.stop();
  }
}
