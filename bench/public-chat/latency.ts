/**
 * The public chat API and the widget's sockets, in embedded mode: the server as `npm start` builds it
 * (apps/web/server.ts without Next.js: the runtime with its job queue, the API behind the node
 * listener, Socket.IO with the widget namespace) in this process, PGlite in a temporary DATA_DIR; the
 * simulator's fake OpenAI and the load generator (`load-client.ts`) in child processes.
 *
 * 1. Memory per connected widget visitor: the chatbot's allowed domains set through
 *    `PATCH /api/v1/chatbots/{id}/widget`, `visitors` visitor tokens from `GET …/config` with that
 *    `Origin`, then as many Socket.IO connections to `/widget` from the child; this process's RSS, V8
 *    heap and external memory (after a full GC) before and with every socket open, divided by the
 *    number of visitors. First, on a server that has answered nothing yet.
 * 2. Streamed answers over the provider: a chatbot on the fake OpenAI (an OPENAI_COMPATIBLE
 *    credential); per sample, one after the other, the fake called directly with the request the
 *    product makes (time to its first content chunk), then `POST …/messages` with `Accept:
 *    text/event-stream` on a new session (time to the first `message.delta` and to
 *    `message.completed`). Added = API − direct, per sample, then p50/p99.
 * 3. Blocking answers with the offline bot: `POST …/messages` with `X-API-Key` (generated through
 *    `POST /api/v1/chatbots/{id}/regenerate-token`), a new session per request, at 1, 8 and 32 in
 *    flight: answers/s and p50/p95/p99. Last, as every message also queues the reply job as a safety
 *    net, run a minute later: the bench ends before they run.
 *
 * The public API's rate limits (per key, per address) are lifted for the bench: still counted, never
 * reached. REALTIME_MAX_SOCKETS_PER_IP is raised so that one address may hold every visitor.
 * Usage: npx tsx bench/public-chat/latency.ts [samples=200] [visitors=1000]   (samples: per concurrency in 3)
 */
import { fork } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import v8 from "node:v8";
import vm from "node:vm";
import { createApiListener, createApp, createHttpServer } from "@tandem/api";
import { type Ctx, createApiToken, createLogger, generateKey, loadConfig, type RateLimiter } from "@tandem/core";
import { providerCredentials } from "@tandem/db";
import { createChatbot, createTestWorkspace } from "@tandem/db/testing";
import { attachRealtime } from "../../apps/web/src/server/realtime.ts";
import { startRuntime } from "../../apps/web/src/server/start-runtime.ts";
import {
  directStream,
  type FakeOpenAi,
  lastSystemPrompt,
  p50p99,
  readEvents,
  runConcurrent,
  summarize,
} from "../lib.ts";
import { startSimulatorProcess } from "../simulator-process.ts";
import type { LoadCommand, OpenResult, PostResult } from "./load-client.ts";

const SAMPLES = Number(process.argv[2] ?? 200);
const VISITORS = Number(process.argv[3] ?? 1000);
const WARMUP = 20;
const CONCURRENCIES = [1, 8, 32];
const QUESTION = "How long does shipping take?";
const FAQ = [
  { question: "How long does shipping take?", answer: "Orders ship within 1 business day." },
  { question: "Which payment methods do you accept?", answer: "Visa, Mastercard and PromptPay." },
];
const SITE = "https://shop.example.com";

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

const config = loadConfig({
  DATA_DIR: mkdtempSync(path.join(tmpdir(), "tandem-bench-public-chat-")),
  ENCRYPTION_KEY: generateKey(),
  AUTH_SECRET: generateKey(),
  LOG_LEVEL: "silent",
  DEMO_SEED: "0",
  SIMULATOR: "0",
  // The fake OpenAI-compatible server listens on 127.0.0.1.
  OUTBOUND_ALLOW_PRIVATE: "1",
  // Every visitor's socket comes from the load generator's one address.
  REALTIME_MAX_SOCKETS_PER_IP: String(VISITORS + 100),
});
// Warnings and errors go to stderr: a failing answer must not hide behind good numbers.
const log = createLogger({ level: "warn" });
const { runtime, queue } = await startRuntime(config, log);
const db = runtime.database.db;
runtime.limiter = unreachableLimits(runtime.limiter);

const simulator = await startSimulatorProcess();
const fake: FakeOpenAi = {
  baseUrl: `${simulator.url}/llm/openai/v1`,
  apiKey: "sk-bench-public-0001",
  model: "llama3.1:8b",
};

const server = createHttpServer({ config, log }, createApiListener(runtime, createApp(runtime).fetch));
const io = await attachRealtime(server, runtime);
server.listen(0, "127.0.0.1");
await once(server, "listening");
const appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const loadClient = fork(fileURLToPath(new URL("./load-client.ts", import.meta.url)), {
  execArgv: ["--import", "tsx"],
});
function load<T>(command: LoadCommand): Promise<T> {
  const answer = once(loadClient, "message").then(([message]) => message as T);
  loadClient.send(command);
  return answer;
}

// A workspace with two active chatbots (offline FAQ; the fake OpenAI) and an ADMIN's API token.
const ws = await createTestWorkspace(db);
const workspaceId = ws.workspace.id;
const [credential] = await db
  .insert(providerCredentials)
  .values({
    workspaceId,
    kind: "OPENAI_COMPATIBLE",
    apiKeyEncrypted: runtime.keyring.encrypt(fake.apiKey),
    baseUrl: fake.baseUrl,
    defaultModel: fake.model,
  })
  .returning();
const offlineBot = await createChatbot(db, {
  workspaceId,
  providerKind: "OFFLINE",
  model: "offline-faq",
  faqEntries: FAQ,
});
const llmBot = await createChatbot(db, {
  workspaceId,
  providerKind: "OPENAI_COMPATIBLE",
  credentialId: credential!.id,
  model: fake.model,
  faqEntries: FAQ,
});
const adminCtx: Ctx = {
  db,
  workspaceId,
  actor: { type: "user", userId: ws.admin.user.id, memberId: ws.admin.member.id, role: "ADMIN" },
  log,
};
const { token } = await createApiToken(adminCtx, { name: "bench" });
const dashboard = { "content-type": "application/json", authorization: `Bearer ${token}` };

async function call<T>(method: string, url: string, headers: Record<string, string>, body?: unknown): Promise<T> {
  const res = await fetch(`${appUrl}${url}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as T;
  if (res.status !== 200 && res.status !== 201)
    throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}
const keyOf = async (chatbotId: string) =>
  (await call<{ apiKey: string }>("POST", `/api/v1/chatbots/${chatbotId}/regenerate-token`, dashboard)).apiKey;

const memory = async () => {
  // Let handshakes' and presence's work finish, then count what stays.
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  gc();
  return process.memoryUsage();
};
const kb = (bytes: number) => Math.round(bytes / 1024);
const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

// ---- 1. memory per connected widget visitor -------------------------------------------------------
await call("PATCH", `/api/v1/chatbots/${offlineBot.id}/widget`, dashboard, { allowedDomains: ["shop.example.com"] });
const tokens: string[] = [];
await runConcurrent(VISITORS, 8, async () => {
  const config = await call<{ visitor: { token: string } | null }>(
    "GET",
    `/api/v1/public/chat/${offlineBot.id}/config`,
    { origin: SITE },
  );
  if (!config.visitor) throw new Error("the config endpoint issued no visitor token");
  tokens.push(config.visitor.token);
});
// The load generator's own first socket (its JIT, its modules) is not a visitor of the count.
await load<OpenResult>({ type: "open", url: appUrl, origin: SITE, tokens: tokens.slice(0, 1), opening: 1 });
await load({ type: "close" });
const before = await memory();
const opened = await load<OpenResult>({ type: "open", url: appUrl, origin: SITE, tokens, opening: 20 });
const open = await memory();
const serverSockets = (await io.of("/widget").fetchSockets()).length;
await load({ type: "close" });
const closed = await memory();
const perVisitorKb = (key: keyof NodeJS.MemoryUsage) => +((open[key] - before[key]) / 1024 / VISITORS).toFixed(1);
console.log(
  JSON.stringify({
    name: "widget visitors: server memory per open socket",
    visitors: VISITORS,
    connected: opened.connected,
    serverSockets,
    refused: opened.refused,
    firstRefusals: opened.firstRefusals,
    openedInMs: Math.round(opened.elapsedMs),
    rssPerVisitorKb: perVisitorKb("rss"),
    heapUsedPerVisitorKb: perVisitorKb("heapUsed"),
    externalPerVisitorKb: perVisitorKb("external"),
    rssBeforeMb: mb(before.rss),
    rssOpenMb: mb(open.rss),
    rssClosedMb: mb(closed.rss),
    heapUsedBeforeMb: mb(before.heapUsed),
    heapUsedOpenMb: mb(open.heapUsed),
    heapUsedClosedMb: mb(closed.heapUsed),
    heapUsedClosedOverBeforeKb: kb(closed.heapUsed - before.heapUsed),
  }),
);

// ---- 2. streamed answers: time to first byte over the provider's ----------------------------------
const llmKey = await keyOf(llmBot.id);
const messagesUrl = (chatbotId: string) => `${appUrl}/api/v1/public/chat/${chatbotId}/messages`;
let session = 0;

/** `POST …/messages` streamed: first `message.delta`, then `message.completed`. */
async function streamed(): Promise<{ firstMs: number; totalMs: number }> {
  const t = performance.now();
  let firstMs = -1;
  let totalMs = -1;
  let failure = "";
  const res = await fetch(messagesUrl(llmBot.id), {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": llmKey, accept: "text/event-stream" },
    body: JSON.stringify({ sessionId: `stream-${++session}`, message: QUESTION }),
  });
  if (res.status !== 200) throw new Error(`stream: ${res.status} ${await res.text()}`);
  await readEvents(res, (event, data) => {
    if (event === "message.delta" && firstMs < 0) firstMs = performance.now() - t;
    if (event === "message.completed") totalMs = performance.now() - t;
    if (event === "error" || event === "handoff") failure = `${event} ${data}`;
  });
  if (failure || firstMs < 0 || totalMs < 0) throw new Error(`stream failed: ${failure || "no delta or completed"}`);
  return { firstMs, totalMs };
}

await streamed();
const systemPrompt = await lastSystemPrompt(simulator.url);
const rows = { direct: [] as number[], directTotal: [] as number[], first: [] as number[], total: [] as number[] };
const added = { first: [] as number[], total: [] as number[] };
for (let i = 0; i < WARMUP + SAMPLES; i++) {
  const d = await directStream(fake, systemPrompt, QUESTION);
  const s = await streamed();
  if (i < WARMUP) continue;
  rows.direct.push(d.firstMs);
  rows.directTotal.push(d.totalMs);
  rows.first.push(s.firstMs);
  rows.total.push(s.totalMs);
  added.first.push(s.firstMs - d.firstMs);
  added.total.push(s.totalMs - d.totalMs);
}
const stats = (name: string, values: number[]) => {
  const { p50, p99 } = p50p99(values);
  return { [`${name}P50Ms`]: p50, [`${name}P99Ms`]: p99 };
};
console.log(
  JSON.stringify({
    name: "public chat SSE vs direct (fake OpenAI, sequential)",
    samples: SAMPLES,
    ...stats("directFirstToken", rows.direct),
    ...stats("directTotal", rows.directTotal),
    ...stats("apiFirstDelta", rows.first),
    ...stats("apiCompleted", rows.total),
    ...stats("addedFirstDelta", added.first),
    ...stats("addedCompleted", added.total),
    rssMb: mb(process.memoryUsage().rss),
  }),
);

// ---- 3. blocking answers per second with the offline bot ------------------------------------------
const offlineKey = await keyOf(offlineBot.id);
const first = await call<{ response: string }>(
  "POST",
  `/api/v1/public/chat/${offlineBot.id}/messages`,
  { "content-type": "application/json", "x-api-key": offlineKey },
  { sessionId: "check", message: QUESTION },
);
if (!first.response) throw new Error(`the offline bot did not answer: ${JSON.stringify(first)}`);
const bodies = (label: string, n: number) =>
  Array.from({ length: n }, (_, i) => JSON.stringify({ sessionId: `${label}-${i}`, message: QUESTION }));
const blocking = (label: string, n: number, concurrency: number) =>
  load<PostResult>({
    type: "post",
    url: messagesUrl(offlineBot.id),
    headers: { "content-type": "application/json", "x-api-key": offlineKey },
    bodies: bodies(label, n),
    concurrency,
  });
await blocking("warmup", WARMUP, 1);
for (const concurrency of CONCURRENCIES) {
  const result = await blocking(`c${concurrency}`, SAMPLES, concurrency);
  const row = summarize(
    `public chat blocking answers, offline bot, ${concurrency} in flight`,
    result.latencies,
    result.elapsedMs,
  );
  if (result.failures)
    console.log(JSON.stringify({ name: row.name, failures: result.failures, first: result.firstFailures }));
}

loadClient.disconnect();
io.close();
server.close();
simulator.stop();
await queue.stop({ timeoutMs: 1_000 });
await runtime.close();

/** The same limiter with limits no bench load reaches: the counting still costs what it costs. */
function unreachableLimits(limiter: RateLimiter): RateLimiter {
  const rule = (r: { windowMs: number }) => ({ limit: Number.MAX_SAFE_INTEGER, windowMs: r.windowMs });
  return {
    hit: (key, r) => limiter.hit(key, rule(r)),
    peek: (key, r) => limiter.peek(key, rule(r)),
    undo: (key) => limiter.undo(key),
    reset: (key) => limiter.reset(key),
  };
}
