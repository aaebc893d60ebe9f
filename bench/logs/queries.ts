/**
 * The message log's query (`listMessageLog`, as `GET /api/v1/logs/messages` runs it) on the embedded
 * database (PGlite) at 100,000 messages in the workspace (10,000 conversations, seeded set-based by
 * bench/inbox/seed.ts) beside a second workspace of 10,000: first pages for several filter
 * combinations and a deep cursor page, p50/p95/p99 in ms against the 200 ms target. A JSON line each.
 *
 *   npx tsx bench/logs/queries.ts [samples]      (BENCH_MESSAGES, default 100000)
 */
import type { MessageLogQuery } from "@tandem/contracts";
import { type Ctx, listMessageLog, silentLogger } from "@tandem/core";
import { createDb, migrate } from "@tandem/db";
import { createChannel, createMember, createTestWorkspace, createUser } from "@tandem/db/testing";
import type pg from "pg";
import { seedWorkspace } from "../inbox/seed.ts";
import { percentile } from "../lib.ts";

const SAMPLES = Number(process.argv[2] ?? 30);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 100_000);
const TARGET_MS = 200;
const print = (row: object) => console.log(JSON.stringify(row));

// In memory: the numbers are the query's, not the disk's.
const database = await createDb();
await migrate(database);
print({ name: "migrate", done: true });
const db = database.db;
// PGlite answers `query(text, params)` as node-postgres does, which is all the seeding uses.
const client = (db as unknown as { $client: pg.ClientBase }).$client;

const started = performance.now();
const workspaces: { workspaceId: string; memberIds: string[]; channelIds: string[] }[] = [];
for (const [tag, scale] of [
  ["A", 1],
  ["B", 0.1],
] as const) {
  const ws = await createTestWorkspace(db, { name: `Bench logs ${tag}` });
  const memberIds = [ws.owner.member.id, ws.admin.member.id, ws.agent.member.id];
  for (let i = 0; i < 3; i++) {
    const user = await createUser(db);
    memberIds.push((await createMember(db, { workspaceId: ws.workspace.id, userId: user.id })).id);
  }
  const channel = (type: "messenger" | "line" | "web" | "api", name: string) =>
    createChannel(db, { workspaceId: ws.workspace.id, type, name }).then((c) => c.id);
  const channelIds: [string, string, string, string, string] = [
    await channel("messenger", "Shop Bangkok"),
    await channel("messenger", "Shop Chiang Mai"),
    await channel("line", "LINE official account"),
    await channel("web", "Website chat"),
    await channel("api", "Mobile app"),
  ];
  const messages = Math.round(MESSAGES * scale);
  await seedWorkspace(client, {
    tag,
    workspaceId: ws.workspace.id,
    channelIds,
    memberIds,
    conversations: Math.max(10, Math.round(messages / 10)),
    messages,
  });
  workspaces.push({ workspaceId: ws.workspace.id, memberIds, channelIds });
  print({ name: `seeded ${tag}`, messages, seconds: +((performance.now() - started) / 1000).toFixed(1) });
}
await client.query("vacuum analyze");
print({ name: "seed", messages: MESSAGES, seconds: +((performance.now() - started) / 1000).toFixed(1) });

const [a] = workspaces;
const ctx: Ctx = {
  db,
  workspaceId: a!.workspaceId,
  actor: { type: "system" },
  log: silentLogger,
};
const week = new Date(Date.now() - 7 * 86_400_000).toISOString();
const month = new Date(Date.now() - 30 * 86_400_000).toISOString();
const first = await listMessageLog(ctx, { limit: 50 });
let deep = first.nextCursor;
for (let i = 0; i < 40 && deep; i++) deep = (await listMessageLog(ctx, { limit: 50, cursor: deep })).nextCursor;

const CASES: [string, Partial<MessageLogQuery>][] = [
  ["no filter", {}],
  ["page 41 (cursor)", { cursor: deep ?? undefined }],
  ["role BOT", { role: "BOT" }],
  ["status failed", { status: "failed" }],
  ["channel LINE account", { channelId: a!.channelIds[2] }],
  ["channel type web + role USER", { channelType: "web", role: "USER" }],
  ["agent", { agentId: a!.memberIds[3] }],
  ["kind note", { kind: "note" }],
  ["last 7 days", { from: week }],
  ["30 days ago, 1 day", { from: month, to: new Date(Date.parse(month) + 86_400_000).toISOString() }],
  ["text 'refund' (common)", { text: "refund" }],
  ["text Thai 'สินค้า'", { text: "สินค้า" }],
  ["text no match", { text: "zzzyx" }],
  ["text 'refund' + role USER + last 7 days", { text: "refund", role: "USER", from: week }],
];

for (const [name, filters] of CASES) {
  const times: number[] = [];
  let rows = 0;
  for (let i = 0; i < SAMPLES; i++) {
    const t = performance.now();
    const page = await listMessageLog(ctx, { limit: 50, ...filters });
    times.push(performance.now() - t);
    rows = page.data.length;
  }
  const sorted = times.sort((x, y) => x - y);
  const p95 = +percentile(sorted, 95).toFixed(1);
  print({
    name,
    rows,
    p50Ms: +percentile(sorted, 50).toFixed(1),
    p95Ms: p95,
    p99Ms: +percentile(sorted, 99).toFixed(1),
    targetMs: TARGET_MS,
    ok: p95 <= TARGET_MS,
  });
}

await database.close();
