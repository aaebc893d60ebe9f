/**
 * Webhook benchmark over real HTTP — Messenger, then LINE — in one of two modes:
 *   - embedded (default): PGlite in DATA_DIR and the embedded job queue in one process, like `npm start`;
 *   - server (`BENCH_MODE=server`): a PostgreSQL server and Redis started for the run (Debian's
 *     binaries, as the integration tests use them), BullMQ running the jobs in this process.
 * Phases:
 *   1. ingest: signed POSTs at 32 concurrent connections from a separate process — throughput in
 *      events/s and acknowledgement latency p50/p99 — with 1 event per POST and with batches of 10
 *      (Meta batches under load). Processing runs in the background meanwhile, as in production.
 *   2. processing + loss check: waits until every stored row is processed — processed events/s and
 *      the time from the first POST until the last event is in the inbox — then counts inbound
 *      events and messages against what was sent.
 *   LINE: the same two phases through `POST /api/v1/integrations/line/{chatbotId}/webhook`, bodies
 *   built by the simulator's LINE customer and signed with the channel secret (one stored row per
 *   event). A LINE channel always has its chatbot; the bench's 500 customers already have their
 *   conversations, with auto-bot off, so no bot replies are generated (as for the Messenger Page,
 *   which has no chatbot). Skipped, with a message, when the server has no LINE webhook route.
 *   3. webhook → Send API: one customer message at a time to a Page whose chatbot answers from its
 *      FAQ (offline provider), timed until the reply reaches the fake Graph API's Send API.
 * Usage: [BENCH_MODE=server] [BENCH_CHANNELS=messenger,line] npx tsx bench/messenger-webhook/ingest.ts [posts=6000]
 */
import { fork } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createApiListener, createApp } from "@tandem/api";
import {
  type AppJobDeps,
  appJobDeps,
  createJobQueue,
  createLogger,
  createRuntime,
  generateKey,
  JobRegistry,
  loadConfig,
  registerAllJobs,
} from "@tandem/core";
import { channels, contacts, conversations, inboundEvents, jobs, messages } from "@tandem/db";
import { createChannel, createChatbot, createTestWorkspace } from "@tandem/db/testing";
import {
  createLineCustomer,
  LineState,
  lineUser,
  messengerWebhook,
  newLineId,
  newMid,
  serializeLikeMeta,
  signLineBody,
  signMessengerBody,
  textEvent,
} from "@tandem/simulator";
import { and, count, eq, inArray } from "drizzle-orm";
import { createTestDatabase, startPostgresServer } from "../../tests/support/postgres-server.ts";
import { startRedisServer } from "../../tests/support/redis-server.ts";
import { percentile, summarize } from "../lib.ts";
import { startSimulatorProcess, wallNow } from "../simulator-process.ts";

const POSTS = Number(process.argv[2] ?? 6000);
const CONCURRENCY = 32;
const APP_SECRET = "bench-app-secret";

const MODE = process.env.BENCH_MODE === "server" ? "server" : "embedded";
const CHANNELS = (process.env.BENCH_CHANNELS ?? "messenger,line").split(",");
/** BENCH_PER_POST=1 or 10: one of the two loads only. */
const PER_POST = process.env.BENCH_PER_POST ? [Number(process.env.BENCH_PER_POST)] : [1, 10];
/** Distinct customers writing in each load. */
const CUSTOMERS = 500;
const servers =
  MODE === "server" ? await Promise.all([startPostgresServer(), startRedisServer({ appendOnly: true })]) : null;
const config = loadConfig({
  ...(servers
    ? { DATABASE_URL: await createTestDatabase(servers[0]), REDIS_URL: servers[1].url, AUTH_SECRET: generateKey() }
    : {}),
  DATA_DIR: mkdtempSync(path.join(tmpdir(), "tandem-bench-messenger-")),
  ENCRYPTION_KEY: generateKey(),
  LOG_LEVEL: "silent",
  DEMO_SEED: "0",
  FB_APP_SECRET: APP_SECRET,
  FB_APP_ID: "1000000000000777",
});
// Warnings and errors go to stderr: a failing job or webhook must not hide behind good numbers.
const log = createLogger({ level: "warn" });
const runtime = await createRuntime(config, { log });
const db = runtime.database.db;

/** The app as `npm start` serves it: `createApiListener` (the webhook's fast path, Hono for the rest). */
async function serveApi() {
  const listener = createApiListener(runtime, createApp(runtime).fetch);
  const server = createServer((req, res) => listener(req, res));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

// The fake Graph API in a child process: Facebook is remote.
const simulator = await startSimulatorProcess();
config.facebook.graphApiUrl = `${simulator.url}/graph`;
config.lineApiUrl = `${simulator.url}/line/api`;
config.lineDataApiUrl = `${simulator.url}/line/data`;

const queue = createJobQueue<AppJobDeps>({
  redisUrl: config.redisUrl,
  db,
  registry: registerAllJobs(new JobRegistry<AppJobDeps>()),
  deps: appJobDeps(runtime),
  log,
});
runtime.queue = queue;
// BENCH_NO_JOBS=1: acknowledgements alone (nothing is processed; the later phases are skipped).
const NO_JOBS = Boolean(process.env.BENCH_NO_JOBS);
if (!NO_JOBS) await queue.start();
const app = await serveApi();
const webhookUrl = `${app.url}/api/webhooks/messenger`;

let pageCounter = 0;
async function page(options: { faq?: { question: string; answer: string }[] } = {}) {
  const ws = await createTestWorkspace(db);
  const pageId = `5550000${++pageCounter}${Date.now() % 100000}`;
  const token = `EAAbench${pageId}`;
  await simulator.addPage({ id: pageId, name: `Bench Page ${pageId}`, accessToken: token });
  const chatbot = options.faq
    ? await createChatbot(db, {
        workspaceId: ws.workspace.id,
        providerKind: "OFFLINE",
        model: "offline-faq",
        faqEntries: options.faq,
      })
    : null;
  const channel = await createChannel(db, {
    workspaceId: ws.workspace.id,
    externalId: pageId,
    chatbotId: chatbot?.id ?? null,
    secretsEncrypted: runtime.keyring.encrypt(JSON.stringify({ pageAccessToken: token })),
  });
  return { pageId, channel };
}

/** Signed bodies of `posts` POSTs with `perPost` customer messages each, from `CUSTOMERS` customers. */
function bodies(pageId: string, posts: number, perPost: number) {
  return Array.from({ length: posts }, (_, i) => {
    const events = Array.from({ length: perPost }, (_, j) =>
      textEvent({
        pageId,
        psid: `72000000${(i * perPost + j) % CUSTOMERS}`,
        text: `order question ${i}.${j}`,
        mid: newMid(),
      }),
    );
    const body = serializeLikeMeta(messengerWebhook(events));
    return { body, signature: signMessengerBody(APP_SECRET, body) };
  });
}

/** The load generator: one child process for every load, so the warm-up warms it too. */
let loadClient: ReturnType<typeof fork> | undefined;

async function load(
  requests: { body: string; signature: string }[],
  url = webhookUrl,
  signatureHeader = "x-hub-signature-256",
) {
  loadClient ??= fork(fileURLToPath(new URL("./load-client.ts", import.meta.url)), {
    execArgv: ["--import", "tsx"],
    serialization: "advanced",
  });
  loadClient.send({ url, concurrency: CONCURRENCY, signatureHeader, requests });
  const [result] = (await once(loadClient, "message")) as [
    { latencies: number[]; elapsedMs: number; failures: number; firstFailures: string[] },
  ];
  return result;
}

/** BENCH_TRACE=1: rows still open every second, on stderr (where processing stalls, if it does). */
const TRACE = Boolean(process.env.BENCH_TRACE);

async function waitUntilProcessed(channelId: string) {
  if (NO_JOBS) return;
  const started = performance.now();
  let traced = 0;
  for (;;) {
    const [open] = await db
      .select({ n: count() })
      .from(inboundEvents)
      .where(and(eq(inboundEvents.channelId, channelId), inArray(inboundEvents.status, ["pending", "processing"])));
    if (Number(open?.n) === 0) return;
    if (TRACE && performance.now() - started > traced * 1000) {
      traced++;
      console.error(`${((performance.now() - started) / 1000).toFixed(1)} s: ${open?.n} rows open`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Embedded mode: the jobs of the target's workspace by name (what processing set off besides itself). */
async function jobsOf(channelId: string) {
  const rows = await db
    .select({ name: jobs.name, n: count() })
    .from(jobs)
    .innerJoin(channels, eq(channels.workspaceId, jobs.workspaceId))
    .where(eq(channels.id, channelId))
    .groupBy(jobs.name);
  return Object.fromEntries(rows.map((r) => [r.name, Number(r.n)]));
}

const countOf = async (table: typeof inboundEvents | typeof messages, channelId: string) =>
  Number((await db.select({ n: count() }).from(table).where(eq(table.channelId, channelId)))[0]?.n);

// Warm up the HTTP stack, the statements and the queue on a page of its own.
{
  const warm = await page();
  const warmup = await load(bodies(warm.pageId, 300, 1));
  if (warmup.failures) console.log(JSON.stringify({ name: "warm-up failures", ...warmup, latencies: undefined }));
  await waitUntilProcessed(warm.channel.id);
}

interface Target {
  channelId: string;
  url: string;
  signatureHeader: string;
  bodies(posts: number, perPost: number): { body: string; signature: string }[];
  /** Stored rows per POST: Messenger stores one per entry (a POST here), LINE one per event. */
  rowsPerPost(perPost: number): number;
}

/** Ingest (acknowledgements) and processing (until the last event is in the inbox) of one load. */
async function measure(channel: string, target: () => Promise<Target>) {
  for (const perPost of PER_POST) {
    const posts = perPost === 1 ? POSTS : Math.max(1, Math.round(POSTS / 5));
    const t = await target();
    const requests = t.bodies(posts, perPost);
    const started = performance.now();
    const result = await load(requests, t.url, t.signatureHeader);
    const row = summarize(`POST ${t.url} (${perPost} event/POST)`, result.latencies, result.elapsedMs);
    const events = posts * perPost;
    console.log(
      JSON.stringify({
        name: `${channel} ingest: ${perPost} event/POST`,
        mode: MODE,
        events,
        eventsPerSec: Math.round((events / result.elapsedMs) * 1000),
        ackP50Ms: row.p50Ms,
        ackP99Ms: row.p99Ms,
        failedPosts: result.failures,
        ...(result.failures ? { firstFailures: result.firstFailures } : {}),
      }),
    );
    if (NO_JOBS) continue;
    await waitUntilProcessed(t.channelId);
    const drainedMs = performance.now() - started;
    const stored = await countOf(inboundEvents, t.channelId);
    const inserted = await countOf(messages, t.channelId);
    console.log(
      JSON.stringify({
        name: `${channel} processed: ${perPost} event/POST`,
        mode: MODE,
        inboundEventsStored: stored,
        expectedRows: posts * t.rowsPerPost(perPost),
        messagesStored: inserted,
        expectedMessages: events,
        lost: events - inserted,
        lastEventProcessedAfterSec: +(drainedMs / 1000).toFixed(1),
        processedEventsPerSec: Math.round((events / drainedMs) * 1000),
        ...(MODE === "embedded" ? { jobsByName: await jobsOf(t.channelId) } : {}),
      }),
    );
  }
}

if (CHANNELS.includes("messenger")) {
  await measure("messenger", async () => {
    const target = await page();
    return {
      channelId: target.channel.id,
      url: webhookUrl,
      signatureHeader: "x-hub-signature-256",
      bodies: (posts, perPost) => bodies(target.pageId, posts, perPost),
      rowsPerPost: () => 1,
    };
  });
}

/** A LINE channel (with its chatbot) whose customers already have conversations, auto-bot off. */
async function lineTarget(): Promise<Target & { channelSecret: string }> {
  const ws = await createTestWorkspace(db);
  const workspaceId = ws.workspace.id;
  const chatbot = await createChatbot(db, { workspaceId, providerKind: "OFFLINE", model: "offline-faq" });
  const state = new LineState();
  const account = state.addChannel({
    channelId: `${2000000000 + (Date.now() % 1000000)}`,
    channelSecret: `bench-line-secret-${chatbot.id}`,
    channelAccessToken: `bench-line-token-${chatbot.id}`,
    userId: newLineId("U"),
    basicId: "@bench",
    displayName: "Bench LINE account",
  });
  // The fake LINE API in the simulator's process knows the account too (profile fetches, replies).
  await simulator.addLineChannel(account);
  const channel = await createChannel(db, {
    workspaceId,
    type: "line",
    externalId: account.userId,
    chatbotId: chatbot.id,
    secretsEncrypted: runtime.keyring.encrypt(
      JSON.stringify({ channelSecret: account.channelSecret, channelAccessToken: account.channelAccessToken }),
    ),
  });
  const users = Array.from({ length: CUSTOMERS }, () => newLineId("U"));
  await simulator.addLineUsers(users.map((userId, i) => ({ userId, displayName: `Bench customer ${i}` })));
  const people = await db
    .insert(contacts)
    .values(users.map((platformUserId) => ({ workspaceId, channelId: channel.id, platformUserId })))
    .returning({ id: contacts.id });
  await db.insert(conversations).values(
    people.map((contact) => ({
      workspaceId,
      channelId: channel.id,
      contactId: contact.id,
      chatbotId: chatbot.id,
      autoBot: false,
    })),
  );
  const customer = createLineCustomer({ state }, account.channelId);
  return {
    channelId: channel.id,
    url: `${app.url}/api/v1/integrations/line/${chatbot.id}/webhook`,
    signatureHeader: "x-line-signature",
    bodies: (posts, perPost) =>
      Array.from({ length: posts }, (_, i) => {
        const events = Array.from({ length: perPost }, (_, j) =>
          customer.text(lineUser(users[(i * perPost + j) % CUSTOMERS]!), `order question ${i}.${j}`),
        );
        const body = JSON.stringify(customer.webhook(events));
        return { body, signature: signLineBody(account.channelSecret, body) };
      }),
    rowsPerPost: (perPost) => perPost,
    channelSecret: account.channelSecret,
  };
}

if (CHANNELS.includes("line")) {
  // The route is another branch's work: probe it with a signed empty body (LINE's own webhook test).
  const probe = await lineTarget();
  const empty = JSON.stringify({ destination: "probe", events: [] });
  const res = await fetch(probe.url, {
    method: "POST",
    headers: { "content-type": "application/json", "x-line-signature": signLineBody(probe.channelSecret, empty) },
    body: empty,
  });
  if (res.status === 200) await measure("line", lineTarget);
  else
    console.log(
      JSON.stringify({
        name: "line",
        skipped: `POST /api/v1/integrations/line/{chatbotId}/webhook answered ${res.status}: this server has no LINE webhook route yet`,
      }),
    );
}

// Webhook → Send API, one message at a time, with the offline bot answering from its FAQ.
if (!NO_JOBS) {
  const faq = [{ question: "How long does shipping take?", answer: "Orders ship within 1 business day." }];
  const target = await page({ faq });
  const latencies: number[] = [];
  let outcome = "ok";
  for (let i = 0; i < 60 && outcome === "ok"; i++) {
    const psid = `73000000${i}`;
    const body = serializeLikeMeta(
      messengerWebhook([textEvent({ pageId: target.pageId, psid, text: "How long does shipping take?" })]),
    );
    const sent = simulator.nextSend(psid);
    const t = wallNow();
    const res = await fetch(webhookUrl, {
      method: "POST",
      headers: { "content-type": "application/json", "x-hub-signature-256": signMessengerBody(APP_SECRET, body) },
      body,
    });
    if (res.status !== 200) outcome = `webhook answered ${res.status}`;
    const arrivedAt = await Promise.race([sent, new Promise<null>((r) => setTimeout(() => r(null), 10_000))]);
    if (arrivedAt === null) outcome = "no Send API call within 10 s (bot reply or send job not answering)";
    if (outcome === "ok" && arrivedAt !== null && i >= 10) latencies.push(arrivedAt - t); // the first ten warm up
  }
  const sorted = latencies.sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      name: "webhook → Send API (offline bot, sequential)",
      outcome,
      samples: sorted.length,
      p50Ms: sorted.length ? +percentile(sorted, 50).toFixed(1) : null,
      p99Ms: sorted.length ? +percentile(sorted, 99).toFixed(1) : null,
    }),
  );
}

loadClient?.kill();
await queue.stop({ timeoutMs: 2000 });
app.server.close();
simulator.stop();
await runtime.close();
if (servers) await Promise.all(servers.map((server) => server.stop()));
