/**
 * Inbox read path at scale, over real HTTP against the real app, on a PostgreSQL server:
 *   1. seed: a PostgreSQL server (Debian's binaries, started for the run), migrated, then one
 *      workspace with 100,000 conversations and 1,000,000 messages and a second one with a tenth of
 *      that (same names and words, so the workspace filter has to do its job), generated set-based
 *      in the server (see seed.ts), then `VACUUM ANALYZE`;
 *   2. the API calls the dashboard makes, each `samples` times one after another after a warm-up,
 *      with an AGENT's Bearer API token: the conversation list (first page, deep cursor pages),
 *      filtered lists, search (contact name, message text) and a thread (newest page, an older page).
 *      Where a case has several variants (tags, names, words…) the samples rotate through them;
 *   3. the dashboard's first-load JavaScript (gzip), from the Next.js build (see first-load-js.ts).
 * Prints JSON lines: p50/p95/p99 in ms per call and whether p95 meets the target (list and thread
 * 50 ms, search 200 ms). It never asserts.
 *
 * Usage: npx tsx bench/inbox/queries.ts [samples=200]
 *   BENCH_CONVERSATIONS / BENCH_MESSAGES  size of the big workspace (100000 / 1000000)
 *   BENCH_KEEP=1             keep the server after the run (prints its URL; Ctrl-C stops it)
 *   BENCH_DATABASE_URL=…     use that database instead: migrates it, seeds it unless already seeded
 *   BENCH_ONLY=<text>        run only the cases whose name contains <text>
 *   BENCH_EXPLAIN=<ms>       auto_explain (ANALYZE, BUFFERS) every statement slower than <ms>, printed
 *                            to stderr at the end (a server started by this script or by BENCH_KEEP)
 */
import { once } from "node:events";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { getRequestListener } from "@hono/node-server";
import { createApp } from "@tandem/api";
import { createApiToken, createLogger, createRuntime, generateKey, loadConfig } from "@tandem/core";
import { encodeCursor } from "@tandem/core/conversations/cursor";
import { createDb, migrate } from "@tandem/db";
import { createChannel, createMember, createTestWorkspace, createUser } from "@tandem/db/testing";
import pg from "pg";
import { createTestDatabase, startPostgresServer } from "../../tests/support/postgres-server.ts";
import { percentile } from "../lib.ts";
import { firstLoadJs } from "./first-load-js.ts";
import { type SeedWorkspace, seedWorkspace } from "./seed.ts";

const SAMPLES = Number(process.argv[2] ?? 200);
const WARMUP = 20;
const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 100_000);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 1_000_000);
const EXPLAIN_MS = process.env.BENCH_EXPLAIN ? Number(process.env.BENCH_EXPLAIN) : null;
const WORKSPACE_NAME = "Bench inbox";
const TARGET = { list: 50, thread: 50, search: 200 } as const;

const print = (row: object) => console.log(JSON.stringify(row));

const server = process.env.BENCH_DATABASE_URL ? null : await startPostgresServer();
const databaseUrl = process.env.BENCH_DATABASE_URL ?? (await createTestDatabase(server!));
const admin = new pg.Client({ connectionString: databaseUrl });
await admin.connect();
const one = async <T>(text: string, values: unknown[] = []) => (await admin.query(text, values)).rows[0] as T;

const DB_NAME = (await one<{ db: string }>("select current_database() as db")).db;
const EXPLAIN_SETTINGS = [
  "session_preload_libraries",
  "auto_explain.log_min_duration",
  "auto_explain.log_analyze",
  "auto_explain.log_buffers",
];
const serverLog = async () => {
  const dir = (await one<{ dir: string }>("select current_setting('data_directory') as dir")).dir;
  const file = `${path.dirname(dir)}/server.log`;
  return { file, size: Number((await one<{ size: string }>("select (pg_stat_file($1)).size", [file])).size) };
};
const explainFrom = EXPLAIN_MS === null ? null : await serverLog().catch(() => null);
if (EXPLAIN_MS !== null) {
  // Before the app's pool connects: every later session loads auto_explain (reset at the end).
  const values = ["'auto_explain'", String(EXPLAIN_MS), "on", "on"];
  for (const [i, setting] of EXPLAIN_SETTINGS.entries()) {
    await admin.query(`alter database "${DB_NAME}" set ${setting} = ${values[i]}`);
  }
}

const database = await createDb({ databaseUrl });
const db = database.db;
let started = performance.now();
await migrate(database);
print({ name: "migrate", seconds: +((performance.now() - started) / 1000).toFixed(1) });

// ---------------------------------------------------------------------------------------- seed
let workspace = await one<{ id: string } | undefined>("select id from workspace where name = $1", [WORKSPACE_NAME]);
if (!workspace) {
  started = performance.now();
  const seeds: SeedWorkspace[] = [];
  for (const [tag, scale] of [
    ["A", 1],
    ["B", 0.1],
  ] as const) {
    const ws = await createTestWorkspace(db, { name: tag === "A" ? WORKSPACE_NAME : "Bench other workspace" });
    const members = [ws.owner.member.id, ws.admin.member.id, ws.agent.member.id];
    for (let i = 0; i < (tag === "A" ? 5 : 1); i++) {
      const user = await createUser(db);
      members.push((await createMember(db, { workspaceId: ws.workspace.id, userId: user.id })).id);
    }
    const channel = (type: "messenger" | "line" | "web" | "api", name: string) =>
      createChannel(db, { workspaceId: ws.workspace.id, type, name }).then((c) => c.id);
    seeds.push({
      tag,
      workspaceId: ws.workspace.id,
      channelIds: [
        await channel("messenger", "Shop Bangkok"),
        await channel("messenger", "Shop Chiang Mai"),
        await channel("line", "LINE official account"),
        await channel("web", "Website chat"),
        await channel("api", "Mobile app"),
      ],
      memberIds: members,
      conversations: Math.round(CONVERSATIONS * scale),
      messages: Math.round(MESSAGES * scale),
    });
  }
  for (const seed of seeds) await seedWorkspace(admin, seed);
  await admin.query("vacuum analyze");
  const sizes = await one<Record<string, string>>(
    `select pg_size_pretty(pg_total_relation_size('message')) as message,
            pg_size_pretty(pg_total_relation_size('conversation')) as conversation,
            pg_size_pretty(pg_total_relation_size('contact')) as contact,
            pg_size_pretty(pg_database_size(current_database())) as database`,
  );
  print({
    name: "seed",
    conversations: seeds.reduce((n, s) => n + s.conversations, 0),
    messages: seeds.reduce((n, s) => n + s.messages, 0),
    seconds: +((performance.now() - started) / 1000).toFixed(1),
    sizes,
  });
  workspace = { id: seeds[0]!.workspaceId };
}
const workspaceId = workspace.id;

// ----------------------------------------------------------------------------------- the app
const agent = await one<{ memberId: string; userId: string }>(
  `select id as "memberId", user_id as "userId" from member where workspace_id = $1 and role = 'AGENT' order by id limit 1`,
  [workspaceId],
);
const log = createLogger({ level: "warn" });
const runtime = await createRuntime(
  loadConfig({
    DATABASE_URL: databaseUrl,
    DATA_DIR: mkdtempSync(path.join(tmpdir(), "tandem-bench-inbox-")),
    ENCRYPTION_KEY: generateKey(),
    AUTH_SECRET: generateKey(),
    LOG_LEVEL: "warn",
    DEMO_SEED: "0",
  }),
  { log, database, migrate: false },
);
const { token } = await createApiToken(
  { db, workspaceId, actor: { type: "user", userId: agent.userId, memberId: agent.memberId, role: "AGENT" }, log },
  { name: "bench inbox" },
);
const listener = getRequestListener(createApp(runtime).fetch);
const http = createServer((req, res) => listener(req, res));
http.listen(0, "127.0.0.1");
await once(http, "listening");
const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}/api/v1`;
const headers = { authorization: `Bearer ${token}` };

// ------------------------------------------------------------------------------- the inputs
const rows = async <T>(text: string, values: unknown[] = []) => (await admin.query(text, values)).rows as T[];
const cursorAt = (table: "conversation" | "message", column: string) =>
  `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at, id from ${table}`;

const deepCursors = [];
for (const offset of [20_000, 50_000, 90_000].map((o) => Math.floor((o * CONVERSATIONS) / 100_000))) {
  const row = await one<{ at: string; id: string }>(
    `select ${cursorAt("conversation", "last_message_at")} where workspace_id = $1 and not is_playground
     order by last_message_at desc, id desc offset $2 limit 1`,
    [workspaceId, offset],
  );
  deepCursors.push(encodeCursor(row));
}
const members = await rows<{ id: string }>("select id from member where workspace_id = $1 order by id", [workspaceId]);
const channels = await rows<{ id: string; type: string }>(
  "select id, type from channel where workspace_id = $1 order by created_at, id",
  [workspaceId],
);
const orderNumbers = await rows<{ n: string }>(
  `select substring(text from '#([0-9]+)') as n from message
   where workspace_id = $1 and text like 'My order number is #%' order by id limit 5`,
  [workspaceId],
);
const longest = await one<{ id: string; messages: number }>(
  `select conversation_id as id, count(*)::int as messages from message where workspace_id = $1
   group by conversation_id order by count(*) desc limit 1`,
  [workspaceId],
);
const olderPage = await one<{ at: string; id: string }>(
  `select ${cursorAt("message", "created_at")} where conversation_id = $1
   order by created_at desc, id desc offset $2 limit 1`,
  [longest.id, Math.floor(longest.messages / 2)],
);
const typicalThreads = await rows<{ id: string }>(
  "select id from conversation where workspace_id = $1 order by md5(id) limit 50",
  [workspaceId],
);
print({ name: "thread sizes", longestThreadMessages: longest.messages });

const q = (params: Record<string, string>) => `/conversations?${new URLSearchParams(params)}`;
const cases: { name: string; kind: keyof typeof TARGET; paths: string[] }[] = [
  { name: "list: first page", kind: "list", paths: [q({})] },
  {
    name: "list: deep cursor page (20k/50k/90k rows down)",
    kind: "list",
    paths: deepCursors.map((cursor) => q({ cursor })),
  },
  { name: "filter: status=OPEN&unread=true", kind: "list", paths: [q({ status: "OPEN", unread: "true" })] },
  { name: "filter: tag=vip (common)", kind: "list", paths: [q({ tag: "vip" })] },
  { name: "filter: tag=urgent (rare, 0.5%)", kind: "list", paths: [q({ tag: "urgent" })] },
  { name: "filter: assignee=<member> (each member)", kind: "list", paths: members.map((m) => q({ assignee: m.id })) },
  { name: "filter: assignee=none", kind: "list", paths: [q({ assignee: "none" })] },
  {
    name: "filter: channelId=<channel> (each channel)",
    kind: "list",
    paths: channels.map((c) => q({ channelId: c.id })),
  },
  { name: "filter: channelType=web", kind: "list", paths: [q({ channelType: "web" })] },
  { name: "filter: needsHuman=true", kind: "list", paths: [q({ needsHuman: "true" })] },
  {
    name: "filter: status=OPEN&tag=vip&assignee=me&unread=true",
    kind: "list",
    paths: [q({ status: "OPEN", tag: "vip", assignee: "me", unread: "true" })],
  },
  {
    name: "search: contact first/last name (common)",
    kind: "search",
    paths: ["Somchai", "maria", "TANAKA", "Kenji", "Laura"].map((search) => q({ search })),
  },
  {
    name: "search: contact full name (rare)",
    kind: "search",
    paths: ["Somchai Jaidee", "Anna Tanaka", "Kenji Rossi", "Laura Khan", "Omar Silva"].map((search) => q({ search })),
  },
  {
    name: "search: Thai / Japanese contact name",
    kind: "search",
    paths: ["สมชาย", "ใจดี", "佐藤", "花子"].map((search) => q({ search })),
  },
  {
    name: "search: message word (common)",
    kind: "search",
    paths: ["refund", "delivery", "stock", "parcel", "address"].map((search) => q({ search })),
  },
  {
    name: "search: message words (two, common)",
    kind: "search",
    paths: ["bank transfer", "discount code", "parcel damaged"].map((search) => q({ search })),
  },
  { name: "search: order number (1-2 messages)", kind: "search", paths: orderNumbers.map((r) => q({ search: r.n })) },
  {
    name: "search: Thai / Japanese message text",
    kind: "search",
    paths: ["ขอบคุณค่ะ", "ยินดีให้บริการครับ", "返品したいです", "ありがとうございます"].map((search) => q({ search })),
  },
  { name: "search: no match", kind: "search", paths: ["Zebulon", "xylophone"].map((search) => q({ search })) },
  { name: "search: two letters", kind: "search", paths: ["an", "ki", "ta"].map((search) => q({ search })) },
  { name: "search: word + status=OPEN", kind: "search", paths: [q({ search: "refund", status: "OPEN" })] },
  {
    name: `thread: newest page (${longest.messages} messages)`,
    kind: "thread",
    paths: [`/conversations/${longest.id}/messages`],
  },
  {
    name: `thread: older page (middle of ${longest.messages} messages)`,
    kind: "thread",
    paths: [`/conversations/${longest.id}/messages?cursor=${encodeCursor(olderPage)}`],
  },
  {
    name: "thread: newest page (50 typical threads)",
    kind: "thread",
    paths: typicalThreads.map((t) => `/conversations/${t.id}/messages`),
  },
];

// ------------------------------------------------------------------------------------ timing
async function call(pathname: string): Promise<{ ms: number; rows: number }> {
  const t = performance.now();
  const res = await fetch(base + pathname, { headers });
  const body = (await res.json()) as { data?: unknown[] };
  const ms = performance.now() - t;
  if (!res.ok) throw new Error(`${pathname} → ${res.status} ${JSON.stringify(body)}`);
  return { ms, rows: body.data?.length ?? 0 };
}

const missed: string[] = [];
let met = 0;
for (const c of cases) {
  if (c.paths.length === 0 || !c.name.includes(process.env.BENCH_ONLY ?? "")) continue;
  for (let i = 0; i < WARMUP; i++) await call(c.paths[i % c.paths.length]!);
  const latencies: number[] = [];
  let returned = 0;
  for (let i = 0; i < SAMPLES; i++) {
    const r = await call(c.paths[i % c.paths.length]!);
    latencies.push(r.ms);
    returned += r.rows;
  }
  latencies.sort((a, b) => a - b);
  const p95 = percentile(latencies, 95);
  const target = TARGET[c.kind];
  if (p95 >= target) missed.push(c.name);
  else met++;
  print({
    name: c.name,
    samples: SAMPLES,
    p50Ms: +percentile(latencies, 50).toFixed(1),
    p95Ms: +p95.toFixed(1),
    p99Ms: +percentile(latencies, 99).toFixed(1),
    targetP95Ms: target,
    ok: p95 < target,
    avgRows: +(returned / SAMPLES).toFixed(1),
  });
}
print({ name: "targets", met, missed });
print({ name: "first-load JS (gzip)", ...firstLoadJs("/dashboard") });

// ------------------------------------------------------------------------------------ finish
if (EXPLAIN_MS !== null) {
  try {
    for (const setting of EXPLAIN_SETTINGS) await admin.query(`alter database "${DB_NAME}" reset ${setting}`);
    const now = await serverLog();
    const from = explainFrom?.size ?? 0;
    const logText = (
      await one<{ text: string }>("select pg_read_file($1, $2, $3) as text", [now.file, from, now.size - from])
    ).text;
    const first = logText.indexOf("duration:");
    process.stderr.write(
      first < 0
        ? "auto_explain: no statement over the threshold\n"
        : logText.slice(logText.lastIndexOf("\n", first) + 1),
    );
  } catch (error) {
    console.error(`auto_explain output unavailable: ${(error as Error).message}`);
  }
}
http.close();
await runtime.close();
if (process.env.BENCH_KEEP && server) {
  print({ name: "kept", databaseUrl, hint: "BENCH_DATABASE_URL=… reuses it; Ctrl-C stops the server" });
  await admin.end();
  // Signal listeners alone do not keep Node alive, and exiting would stop the server.
  const alive = setInterval(() => {}, 60_000);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  clearInterval(alive);
} else {
  await admin.end();
}
await server?.stop();
