/**
 * The playground's added latency over the provider (embedded mode: PGlite in a temporary DATA_DIR,
 * one process, like `npm start`), with the simulator's fake OpenAI in a child process answering at
 * once. Per sample, one after the other, on a fresh playground session each time (created outside
 * the timing) whose override points at the fake (`credentialId` of an OPENAI_COMPATIBLE credential):
 *   - direct: `POST {fake}/v1/chat/completions` with `stream: true` and the same system prompt and
 *     question the playground sends — time to the first content chunk and to the end of the stream;
 *   - streamed: `POST /api/v1/chatbots/{id}/playground/chat` with `Accept: text/event-stream` and a
 *     Bearer API token — time to the first `message.delta` and to `message.completed`;
 *   - JSON: the same route without the header — time to the whole answer.
 * Direct and playground calls alternate, so both see the same machine. Added = playground − direct,
 * per sample, then p50/p99 (the fake's own time cancels out). The offline provider (FAQ) is measured
 * through the playground too, for comparison (no direct call: it has no network).
 * Usage: npx tsx bench/playground/latency.ts [samples=200]   (after 20 warm-up samples)
 */
import { once } from "node:events";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { getRequestListener } from "@hono/node-server";
import { createApp } from "@tandem/api";
import { type Ctx, createApiToken, createLogger, createRuntime, generateKey, loadConfig } from "@tandem/core";
import { messages, providerCredentials } from "@tandem/db";
import { createChatbot, createTestWorkspace } from "@tandem/db/testing";
import { and, desc, eq } from "drizzle-orm";
import { directStream, type FakeOpenAi, lastSystemPrompt, readEvents, p50p99 as stat } from "../lib.ts";
import { startSimulatorProcess } from "../simulator-process.ts";

const SAMPLES = Number(process.argv[2] ?? 200);
const WARMUP = 20;
const TARGET_ADDED_P50_MS = 30;
const QUESTION = "How long does shipping take?";
const FAQ = [
  { question: "How long does shipping take?", answer: "Orders ship within 1 business day." },
  { question: "Which payment methods do you accept?", answer: "Visa, Mastercard and PromptPay." },
];
const MODEL = "llama3.1:8b";

const config = loadConfig({
  DATA_DIR: mkdtempSync(path.join(tmpdir(), "tandem-bench-playground-")),
  ENCRYPTION_KEY: generateKey(),
  AUTH_SECRET: generateKey(),
  LOG_LEVEL: "silent",
  DEMO_SEED: "0",
  // The fake OpenAI-compatible server listens on 127.0.0.1.
  OUTBOUND_ALLOW_PRIVATE: "1",
});
// Warnings and errors go to stderr: a failing answer must not hide behind good numbers.
const log = createLogger({ level: "warn" });
const runtime = await createRuntime(config, { log });
const db = runtime.database.db;

const simulator = await startSimulatorProcess();
const fakeOpenAiUrl = `${simulator.url}/llm/openai/v1`;
const FAKE_KEY = "sk-bench-play-0001";
const fake: FakeOpenAi = { baseUrl: fakeOpenAiUrl, apiKey: FAKE_KEY, model: MODEL };

const listener = getRequestListener(createApp(runtime).fetch);
const server = createServer((req, res) => listener(req, res));
server.listen(0, "127.0.0.1");
await once(server, "listening");
const appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

// A workspace whose chatbot knows FAQ (offline), a credential for the fake OpenAI, an ADMIN's token.
const ws = await createTestWorkspace(db);
const workspaceId = ws.workspace.id;
const chatbot = await createChatbot(db, {
  workspaceId,
  status: "testing",
  providerKind: "OFFLINE",
  model: "offline-faq",
  faqEntries: FAQ,
});
const [credential] = await db
  .insert(providerCredentials)
  .values({
    workspaceId,
    kind: "OPENAI_COMPATIBLE",
    apiKeyEncrypted: runtime.keyring.encrypt(FAKE_KEY),
    baseUrl: fakeOpenAiUrl,
    defaultModel: MODEL,
  })
  .returning();
const adminCtx: Ctx = {
  db,
  workspaceId,
  actor: { type: "user", userId: ws.admin.user.id, memberId: ws.admin.member.id, role: "ADMIN" },
  log,
};
const { token } = await createApiToken(adminCtx, { name: "bench" });
const base = `${appUrl}/api/v1/chatbots/${chatbot.id}/playground`;
const headers = { "content-type": "application/json", authorization: `Bearer ${token}` };

async function newSession(overrideConfig: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${base}/sessions`, { method: "POST", headers, body: JSON.stringify({ overrideConfig }) });
  const body = (await res.json()) as { id?: string };
  if (res.status !== 201 || !body.id) throw new Error(`session: ${res.status} ${JSON.stringify(body)}`);
  return body.id;
}

interface Timing {
  firstMs: number;
  totalMs: number;
}

/** The playground, streamed: first `message.delta`, then `message.completed`. */
async function streamed(sessionId: string): Promise<Timing & { providerMs: number }> {
  const t = performance.now();
  let firstMs = -1;
  let totalMs = -1;
  let providerMs = 0;
  let failure = "";
  const res = await fetch(`${base}/chat`, {
    method: "POST",
    headers: { ...headers, accept: "text/event-stream" },
    body: JSON.stringify({ sessionId, message: QUESTION }),
  });
  if (res.status !== 200) throw new Error(`playground stream: ${res.status} ${await res.text()}`);
  await readEvents(res, (event, data) => {
    if (event === "message.delta" && firstMs < 0) firstMs = performance.now() - t;
    if (event === "message.completed") {
      totalMs = performance.now() - t;
      providerMs = (JSON.parse(data) as { usage: { llmResponseTime: number } }).usage.llmResponseTime;
    }
    if (event === "error") failure = data;
  });
  if (failure || totalMs < 0) throw new Error(`playground stream failed: ${failure || "no message.completed"}`);
  return { firstMs, totalMs, providerMs };
}

async function asJson(sessionId: string): Promise<{ totalMs: number; providerMs: number }> {
  const t = performance.now();
  const res = await fetch(`${base}/chat`, {
    method: "POST",
    headers,
    body: JSON.stringify({ sessionId, message: QUESTION }),
  });
  const body = (await res.json()) as { usage?: { llmResponseTime: number } };
  const totalMs = performance.now() - t;
  if (res.status !== 200 || !body.usage) throw new Error(`playground JSON: ${res.status} ${JSON.stringify(body)}`);
  return { totalMs, providerMs: body.usage.llmResponseTime };
}

// ---- fake OpenAI: direct vs through the playground ------------------------------------------------
const fakeOverride = { credentialId: credential!.id };
await streamed(await newSession(fakeOverride));
const systemPrompt = await lastSystemPrompt(simulator.url);

const rows = { direct: [] as Timing[], streamed: [] as Timing[], json: [] as number[], provider: [] as number[] };
const added = { first: [] as number[], total: [] as number[], json: [] as number[] };
for (let i = 0; i < WARMUP + SAMPLES; i++) {
  const [s1, s2] = [await newSession(fakeOverride), await newSession(fakeOverride)];
  const d = await directStream(fake, systemPrompt, QUESTION);
  const s = await streamed(s1);
  const j = await asJson(s2);
  if (i < WARMUP) continue;
  rows.direct.push(d);
  rows.streamed.push(s);
  rows.json.push(j.totalMs);
  rows.provider.push(s.providerMs, j.providerMs);
  added.first.push(s.firstMs - d.firstMs);
  added.total.push(s.totalMs - d.totalMs);
  added.json.push(j.totalMs - d.totalMs);
}
const report = (name: string, extra: Record<string, unknown>) =>
  console.log(
    JSON.stringify({
      name,
      samples: SAMPLES,
      ...extra,
      targetAddedP50Ms: TARGET_ADDED_P50_MS,
      rssMb: Math.round(process.memoryUsage().rss / 1024 / 1024),
    }),
  );
const d1 = stat(rows.direct.map((r) => r.firstMs));
const dT = stat(rows.direct.map((r) => r.totalMs));
const s1 = stat(rows.streamed.map((r) => r.firstMs));
const sT = stat(rows.streamed.map((r) => r.totalMs));
report("playground SSE vs direct (fake OpenAI, sequential)", {
  directFirstTokenP50Ms: d1.p50,
  directFirstTokenP99Ms: d1.p99,
  directTotalP50Ms: dT.p50,
  directTotalP99Ms: dT.p99,
  playgroundFirstTokenP50Ms: s1.p50,
  playgroundFirstTokenP99Ms: s1.p99,
  playgroundTotalP50Ms: sT.p50,
  playgroundTotalP99Ms: sT.p99,
  addedFirstTokenP50Ms: stat(added.first).p50,
  addedFirstTokenP99Ms: stat(added.first).p99,
  addedTotalP50Ms: stat(added.total).p50,
  addedTotalP99Ms: stat(added.total).p99,
  // The provider call as the adapter timed it inside the playground (`usage.llmResponseTime`).
  providerP50Ms: stat(rows.provider).p50,
});
report("playground JSON vs direct stream (fake OpenAI, sequential)", {
  playgroundTotalP50Ms: stat(rows.json).p50,
  playgroundTotalP99Ms: stat(rows.json).p99,
  addedTotalP50Ms: stat(added.json).p50,
  addedTotalP99Ms: stat(added.json).p99,
});

// ---- offline provider: the playground alone (no network to compare with) --------------------------
const offline = { first: [] as number[], total: [] as number[], json: [] as number[] };
for (let i = 0; i < WARMUP + SAMPLES; i++) {
  const [s1, s2] = [await newSession({}), await newSession({})];
  const s = await streamed(s1);
  const j = await asJson(s2);
  if (i < WARMUP) continue;
  offline.first.push(s.firstMs);
  offline.total.push(s.totalMs);
  offline.json.push(j.totalMs);
}
report("playground with the offline provider (sequential)", {
  sseFirstTokenP50Ms: stat(offline.first).p50,
  sseFirstTokenP99Ms: stat(offline.first).p99,
  sseTotalP50Ms: stat(offline.total).p50,
  sseTotalP99Ms: stat(offline.total).p99,
  jsonTotalP50Ms: stat(offline.json).p50,
  jsonTotalP99Ms: stat(offline.json).p99,
});

// Every playground answer must be stored as sent, with no channel.
const [last] = await db
  .select({ status: messages.status, channelId: messages.channelId })
  .from(messages)
  .where(and(eq(messages.workspaceId, workspaceId), eq(messages.role, "BOT")))
  .orderBy(desc(messages.createdAt))
  .limit(1);
console.log(JSON.stringify({ name: "last playground answer", ...last }));

server.close();
simulator.stop();
await runtime.close();
