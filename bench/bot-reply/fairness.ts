/**
 * Bot replies across workspaces, in one of two modes:
 *   - embedded (default): PGlite in a temporary DATA_DIR and the embedded job queue in one process,
 *     like `npm start`;
 *   - server (`BENCH_MODE=server`): a PostgreSQL server and Redis started for the run (Debian's
 *     binaries), BullMQ running the jobs in this process.
 * The simulator's fake OpenAI and Graph API run in a child process. Two workspaces, A and B, each with a Messenger Page and a chatbot on the fake OpenAI,
 * each with its own API key. Measured: B's reply latency — a signed webhook POST with a customer's
 * question → the reply's Send API call — one customer at a time:
 *   1. idle: nothing else going on;
 *   2. A slow: A's provider takes 20 s per answer (the fake's `slow` fault on A's key) while A's
 *      customers keep writing (8 at the start, then one a second), so A always has replies waiting
 *      on its provider;
 *   3. the same with the queue's old settings for `generate-bot-reply` (4 slots shared by every
 *      workspace, no per-workspace share), for comparison: B's replies wait for A's slots.
 * Printed: p50/p99 per phase, and phase 2's p50 and p99 over phase 1's.
 * Usage: [BENCH_MODE=server] npx tsx bench/bot-reply/fairness.ts [samples=50] [samplesWithOldSettings=3]
 */
import { once } from "node:events";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { getRequestListener } from "@hono/node-server";
import { createApp } from "@tandem/api";
import {
  type AnyJobDefinition,
  type AppJobDeps,
  allJobs,
  appJobDeps,
  createJobQueue,
  createLogger,
  createRuntime,
  defineJob,
  generateKey,
  type JobQueue,
  JobRegistry,
  loadConfig,
  providerDeps,
  updateProviderSettings,
} from "@tandem/core";
import { createChannel, createChatbot, createTestWorkspace } from "@tandem/db/testing";
import { messengerWebhook, serializeLikeMeta, signMessengerBody, textEvent } from "@tandem/simulator";
import { createTestDatabase, startPostgresServer } from "../../tests/support/postgres-server.ts";
import { startRedisServer } from "../../tests/support/redis-server.ts";
import { percentile } from "../lib.ts";
import { startSimulatorProcess, wallNow } from "../simulator-process.ts";

const SAMPLES = Number(process.argv[2] ?? 50);
const OLD_SETTINGS_SAMPLES = Number(process.argv[3] ?? 3);
const WARMUP = 5;
const SLOW_PROVIDER_MS = 20_000;
const APP_SECRET = "bench-app-secret";
const QUESTION = "How long does shipping take?";
const KEY_A = "sk-bench-slow-aaaa";
const KEY_B = "sk-bench-fast-bbbb";

const MODE = process.env.BENCH_MODE === "server" ? "server" : "embedded";
const servers = MODE === "server" ? await Promise.all([startPostgresServer(), startRedisServer()]) : null;
const config = loadConfig({
  ...(servers
    ? { DATABASE_URL: await createTestDatabase(servers[0]), REDIS_URL: servers[1].url, AUTH_SECRET: generateKey() }
    : {}),
  DATA_DIR: mkdtempSync(path.join(tmpdir(), "tandem-bench-fairness-")),
  ENCRYPTION_KEY: generateKey(),
  AUTH_SECRET: generateKey(),
  LOG_LEVEL: "silent",
  DEMO_SEED: "0",
  FB_APP_SECRET: APP_SECRET,
  FB_APP_ID: "1000000000000777",
  // The simulator's fake OpenAI-compatible server listens on 127.0.0.1.
  OUTBOUND_ALLOW_PRIVATE: "1",
});
// Warnings and errors go to stderr: a failing job must not hide behind good numbers.
const log = createLogger({ level: "warn" });
const runtime = await createRuntime(config, { log });
const db = runtime.database.db;
const simulator = await startSimulatorProcess();
config.facebook.graphApiUrl = `${simulator.url}/graph`;

const listener = getRequestListener(createApp(runtime).fetch);
const server = createServer((req, res) => listener(req, res));
server.listen(0, "127.0.0.1");
await once(server, "listening");
const webhookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/webhooks/messenger`;

/** A workspace whose default chatbot answers through the fake OpenAI with `apiKey`, on its own Page. */
async function botPage(apiKey: string, n: number) {
  const ws = await createTestWorkspace(db);
  const workspaceId = ws.workspace.id;
  const chatbot = await createChatbot(db, { workspaceId, isDefault: true });
  await updateProviderSettings(
    {
      db,
      workspaceId,
      actor: { type: "user", userId: ws.owner.user.id, memberId: ws.owner.member.id, role: "OWNER" },
      log,
    },
    {
      provider: "OPENAI_COMPATIBLE",
      apiKey,
      baseUrl: `${simulator.url}/llm/openai/v1`,
      model: "llama3.1:8b",
      temperature: 0.3,
      maxTokens: 256,
      systemPrompt: "",
    },
    providerDeps(runtime),
  );
  const pageId = `5570000${n}${Date.now() % 100000}`;
  const pageToken = `EAAbench${pageId}`;
  await simulator.addPage({ id: pageId, name: `Bench Page ${pageId}`, accessToken: pageToken });
  await createChannel(db, {
    workspaceId,
    externalId: pageId,
    chatbotId: chatbot.id,
    secretsEncrypted: runtime.keyring.encrypt(JSON.stringify({ pageAccessToken: pageToken })),
  });
  return pageId;
}

let customers = 0;
/** A new customer's question to the Page (a new conversation each, so the reply limit never hands off). */
async function customerAsks(pageId: string): Promise<string> {
  const psid = `7500${String(++customers).padStart(10, "0")}`;
  const body = serializeLikeMeta(messengerWebhook([textEvent({ pageId, psid, text: QUESTION })]));
  const res = await fetch(webhookUrl, {
    method: "POST",
    headers: { "content-type": "application/json", "x-hub-signature-256": signMessengerBody(APP_SECRET, body) },
    body,
  });
  await res.text();
  if (res.status !== 200) throw new Error(`the webhook answered ${res.status}`);
  return psid;
}

/** B's reply latencies: one customer at a time, webhook POST → the reply at the Send API. */
async function repliesOfB(pageB: string, samples: number): Promise<{ latencies: number[]; outcome: string }> {
  const latencies: number[] = [];
  for (let i = 0; i < samples; i++) {
    const psid = `7600${String(++customers).padStart(10, "0")}`;
    const sent = simulator.nextSend(psid);
    const body = serializeLikeMeta(messengerWebhook([textEvent({ pageId: pageB, psid, text: QUESTION })]));
    const t = wallNow();
    const res = await fetch(webhookUrl, {
      method: "POST",
      headers: { "content-type": "application/json", "x-hub-signature-256": signMessengerBody(APP_SECRET, body) },
      body,
    });
    await res.text();
    const arrivedAt = await Promise.race([sent, new Promise<null>((r) => setTimeout(() => r(null), 120_000))]);
    if (arrivedAt === null) return { latencies, outcome: "no Send API call for B within 120 s" };
    latencies.push(arrivedAt - t);
    await new Promise((r) => setTimeout(r, 20));
  }
  return { latencies, outcome: "ok" };
}

async function llmFaults(method: "POST" | "DELETE", fault?: object) {
  const res = await fetch(`${simulator.url}/_control/llm/faults`, {
    method,
    headers: { "content-type": "application/json" },
    ...(fault ? { body: JSON.stringify(fault) } : {}),
  });
  if (!res.ok) throw new Error(`simulator control answered ${res.status}`);
}

function stat(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50: sorted.length ? +percentile(sorted, 50).toFixed(1) : null,
    p99: sorted.length ? +percentile(sorted, 99).toFixed(1) : null,
  };
}

/** `generate-bot-reply` as it was: four slots for every workspace together, no per-workspace share. */
function withOldReplySettings(defs: AnyJobDefinition<AppJobDeps>[]) {
  return defs.map((def) =>
    def.name === "generate-bot-reply"
      ? defineJob({ name: def.name, schema: def.schema, retry: def.retry, concurrency: 4, handle: def.handle })
      : def,
  );
}

function startQueue(defs: AnyJobDefinition<AppJobDeps>[]): Promise<JobQueue> {
  const queue = createJobQueue<AppJobDeps>({
    redisUrl: config.redisUrl,
    db,
    registry: new JobRegistry<AppJobDeps>().register(...defs),
    deps: appJobDeps(runtime),
    log,
  });
  runtime.queue = queue;
  return queue.start().then(() => queue);
}

/** Keeps A's customers writing (one a second) until the returned function is called. */
function keepABusy(pageA: string): () => Promise<void> {
  let running = true;
  const done = (async () => {
    for (let i = 0; i < 8; i++) await customerAsks(pageA);
    while (running) {
      await new Promise((r) => setTimeout(r, 1000));
      if (running) await customerAsks(pageA);
    }
  })();
  return async () => {
    running = false;
    await done;
  };
}

const pageA = await botPage(KEY_A, 1);
const pageB = await botPage(KEY_B, 2);
const slowA = { kind: "slow", key: KEY_A, delayMs: SLOW_PROVIDER_MS, times: "always" };
const rows: Record<string, unknown>[] = [];
let idleP50: number | null = null;
let idleP99: number | null = null;

for (const [settings, samples] of [
  ["current", SAMPLES],
  ["old (4 shared slots)", OLD_SETTINGS_SAMPLES],
] as const) {
  if (samples <= 0) continue;
  const queue = await startQueue(settings === "current" ? allJobs : withOldReplySettings(allJobs));
  if (settings === "current") {
    await repliesOfB(pageB, WARMUP);
    const idle = await repliesOfB(pageB, samples);
    const s = stat(idle.latencies);
    idleP50 = s.p50;
    idleP99 = s.p99;
    rows.push({
      name: "B's reply, idle",
      mode: MODE,
      settings,
      outcome: idle.outcome,
      samples: idle.latencies.length,
      ...s,
    });
  }
  await llmFaults("POST", slowA);
  const stopA = keepABusy(pageA);
  // Let A's first replies reach its provider and hold their slots.
  await new Promise((r) => setTimeout(r, 2000));
  const busy = await repliesOfB(pageB, samples);
  await stopA();
  const s = stat(busy.latencies);
  rows.push({
    name: `B's reply, A's provider taking ${SLOW_PROVIDER_MS / 1000} s`,
    mode: MODE,
    settings,
    outcome: busy.outcome,
    samples: busy.latencies.length,
    ...s,
    p50OverIdle: idleP50 && s.p50 ? +(s.p50 / idleP50).toFixed(2) : null,
    p99OverIdle: idleP99 && s.p99 ? +(s.p99 / idleP99).toFixed(2) : null,
  });
  await llmFaults("DELETE");
  // A's replies still waiting on its provider go back to the queue; the next phase starts afresh.
  await queue.stop({ timeoutMs: 0 });
}
for (const row of rows)
  console.log(JSON.stringify({ ...row, rssMb: Math.round(process.memoryUsage().rss / 1024 / 1024) }));

server.close();
simulator.stop();
await runtime.close();
if (servers) await Promise.all(servers.map((s) => s.stop()));
