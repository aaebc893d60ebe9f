/**
 * Bot reply latency (embedded mode: PGlite in a temporary DATA_DIR and the embedded job queue in one
 * process, like `npm start`), with the simulator's fake OpenAI answering at once. What matters is the
 * latency the pipeline ADDS to the provider's own time: per sample, total minus the provider's time —
 * the `latencyMs` the adapter measured around its HTTP call and stored on the BOT message
 * (`message.latency_ms`, whole milliseconds). The fake's own handling time is printed beside it.
 * Measurements, each with the OPENAI_COMPATIBLE provider pointed at the fake and with the offline
 * provider (FAQ) for comparison, one sample at a time, each after the queue has gone idle:
 *   1. `generate-bot-reply` job path: a signed Messenger webhook POST with a customer's question →
 *      the reply's Send API call arriving at the fake Graph API (ingest, process-inbound-event,
 *      generate-bot-reply, send-outbound-message). Twice: from known customers (contact stored, its
 *      profile fetched) and from new ones, whose profile fetch runs alongside the reply. Each sample
 *      opens a conversation, so the consecutive-reply limit never hands off. Also printed: the
 *      webhook's own answer time and each job's enqueue → done p50 (where the time goes).
 *   2. Reply as bot: `POST /api/v1/conversations/{id}/messages {sendAs:"BOT"}` with a Bearer API token
 *      → the 201 (the bot's reply composed and stored in the request, its send queued).
 * Usage: npx tsx bench/bot-reply/latency.ts [samples=200]   (after 20 warm-up samples)
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
  type AppJobDeps,
  appJobDeps,
  type Ctx,
  createApiToken,
  createJobQueue,
  createLogger,
  createRuntime,
  generateKey,
  JobRegistry,
  loadConfig,
  providerDeps,
  registerAllJobs,
  updateProviderSettings,
} from "@tandem/core";
import { contacts, conversations, jobs, messages } from "@tandem/db";
import { createChannel, createChatbot, createTestWorkspace } from "@tandem/db/testing";
import { messengerWebhook, serializeLikeMeta, signMessengerBody, textEvent } from "@tandem/simulator";
import { and, asc, count, desc, eq, gte, inArray, lte, or, sql } from "drizzle-orm";
import { percentile } from "../lib.ts";
import { startSimulatorProcess, wallNow } from "../simulator-process.ts";

const SAMPLES = Number(process.argv[2] ?? 200);
const WARMUP = 20;
const TARGET_ADDED_P50_MS = 25;
const APP_SECRET = "bench-app-secret";
const QUESTION = "How long does shipping take?";
const FAQ = [
  { question: "How long does shipping take?", answer: "Orders ship within 1 business day." },
  { question: "Which payment methods do you accept?", answer: "Visa, Mastercard and PromptPay." },
];

const config = loadConfig({
  DATA_DIR: mkdtempSync(path.join(tmpdir(), "tandem-bench-bot-reply-")),
  ENCRYPTION_KEY: generateKey(),
  AUTH_SECRET: generateKey(),
  LOG_LEVEL: "silent",
  DEMO_SEED: "0",
  FB_APP_SECRET: APP_SECRET,
  FB_APP_ID: "1000000000000777",
  // The fake OpenAI-compatible server listens on 127.0.0.1.
  OUTBOUND_ALLOW_PRIVATE: "1",
});
// Warnings and errors go to stderr: a failing job must not hide behind good numbers.
const log = createLogger({ level: "warn" });
const runtime = await createRuntime(config, { log });
const db = runtime.database.db;

async function serve(fetchHandler: (req: Request) => Response | Promise<Response>) {
  const listener = getRequestListener(fetchHandler);
  const server = createServer((req, res) => listener(req, res));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

// The whole simulator (fake Graph API under /graph, fake LLMs under /llm/…) in a child process, as
// Facebook and the LLM providers are remote: it reports when each Send API message arrives.
const simulator = await startSimulatorProcess();
config.facebook.graphApiUrl = `${simulator.url}/graph`;
const fakeOpenAiUrl = `${simulator.url}/llm/openai/v1`;

const queue = createJobQueue<AppJobDeps>({
  db,
  registry: registerAllJobs(new JobRegistry<AppJobDeps>()),
  deps: appJobDeps(runtime),
  log,
});
runtime.queue = queue;
await queue.start();
const app = await serve(createApp(runtime).fetch);
const webhookUrl = `${app.url}/api/webhooks/messenger`;

type Provider = "OPENAI_COMPATIBLE" | "OFFLINE";

/**
 * A workspace whose default chatbot knows `FAQ` and answers with `provider` (the OpenAI-compatible
 * credential saved through the provider settings, as the settings page does), a Messenger Page on
 * it, and an AGENT's API token.
 */
async function botPage(provider: Provider, n: number) {
  const ws = await createTestWorkspace(db);
  const workspaceId = ws.workspace.id;
  const chatbot = await createChatbot(db, {
    workspaceId,
    isDefault: true,
    providerKind: "OFFLINE",
    model: "offline-faq",
    faqEntries: FAQ,
  });
  const ctx = (person: typeof ws.owner, role: "OWNER" | "AGENT"): Ctx => ({
    db,
    workspaceId,
    actor: { type: "user", userId: person.user.id, memberId: person.member.id, role },
    log,
  });
  if (provider === "OPENAI_COMPATIBLE") {
    await updateProviderSettings(
      ctx(ws.owner, "OWNER"),
      {
        provider,
        apiKey: "sk-bench-0001",
        baseUrl: fakeOpenAiUrl,
        model: "llama3.1:8b",
        temperature: 0.3,
        maxTokens: 256,
        systemPrompt: "",
      },
      providerDeps(runtime),
    );
  }
  const pageId = `5560000${n}${Date.now() % 100000}`;
  const pageToken = `EAAbench${pageId}`;
  await simulator.addPage({ id: pageId, name: `Bench Page ${pageId}`, accessToken: pageToken });
  const channel = await createChannel(db, {
    workspaceId,
    externalId: pageId,
    chatbotId: chatbot.id,
    secretsEncrypted: runtime.keyring.encrypt(JSON.stringify({ pageAccessToken: pageToken })),
  });
  const { token } = await createApiToken(ctx(ws.agent, "AGENT"), { name: "bench" });
  return { workspaceId, pageId, channelId: channel.id, token };
}

/** Until no job is due or running (the send job and the profile fetch of the previous sample). */
async function waitUntilIdle() {
  for (;;) {
    const [busy] = await db
      .select({ n: count() })
      .from(jobs)
      .where(
        or(
          eq(jobs.status, "active"),
          and(eq(jobs.status, "waiting"), lte(jobs.runAt, sql`now() + interval '1 second'`)),
        ),
      );
    if (Number(busy?.n) === 0) return;
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** The stored BOT reply newest in the channel, once its send has finished. */
async function sentBotReply(channelId: string) {
  const started = performance.now();
  for (;;) {
    const [row] = await db
      .select({
        status: messages.status,
        latencyMs: messages.latencyMs,
        provider: messages.provider,
        replyToId: messages.replyToId,
      })
      .from(messages)
      .where(and(eq(messages.channelId, channelId), eq(messages.role, "BOT")))
      .orderBy(desc(messages.createdAt), desc(messages.id))
      .limit(1);
    if (row && row.status !== "queued" && row.status !== "sending") return row;
    if (performance.now() - started > 10_000) throw new Error("the bot reply was not sent within 10 s");
    await new Promise((r) => setTimeout(r, 2));
  }
}

/**
 * Where the time goes: p50 of each job kind's enqueue → done (`job.created_at` → `finished_at`, the
 * database clock's whole milliseconds) over the jobs created since `from`. A job enqueued inside
 * another job's transaction gets that transaction's start as `created_at`, so the stages overlap and
 * do not add up to the total.
 */
async function jobTimes(from: Date) {
  const rows = await db
    .select({ name: jobs.name, createdAt: jobs.createdAt, finishedAt: jobs.finishedAt })
    .from(jobs)
    .where(and(eq(jobs.status, "completed"), gte(jobs.createdAt, from)));
  const byName = new Map<string, number[]>();
  for (const row of rows) {
    if (!row.finishedAt) continue;
    const list = byName.get(row.name) ?? [];
    list.push(row.finishedAt.getTime() - row.createdAt.getTime());
    byName.set(row.name, list);
  }
  return Object.fromEntries(
    [...byName].map(([name, values]) => [
      name,
      percentile(
        values.sort((a, b) => a - b),
        50,
      ),
    ]),
  );
}

interface Sample {
  totalMs: number;
  /** The webhook's 200 (part 1 only). */
  ackMs?: number;
  /** The bot's own step (part 1 only): `generate-bot-reply` enqueued → the reply at the Send API. */
  botStepMs?: number;
  providerMs: number;
}

function report(
  name: string,
  provider: Provider,
  outcome: string,
  samples: Sample[],
  extra: Record<string, unknown> = {},
) {
  const stat = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return {
      p50: sorted.length ? +percentile(sorted, 50).toFixed(1) : null,
      p99: sorted.length ? +percentile(sorted, 99).toFixed(1) : null,
    };
  };
  const total = stat(samples.map((s) => s.totalMs));
  const providerTime = stat(samples.map((s) => s.providerMs));
  const added = stat(samples.map((s) => s.totalMs - s.providerMs));
  console.log(
    JSON.stringify({
      name,
      provider,
      outcome,
      samples: samples.length,
      totalP50Ms: total.p50,
      totalP99Ms: total.p99,
      providerP50Ms: providerTime.p50,
      providerP99Ms: providerTime.p99,
      addedP50Ms: added.p50,
      addedP99Ms: added.p99,
      targetAddedP50Ms: TARGET_ADDED_P50_MS,
      ...extra,
      rssMb: Math.round(process.memoryUsage().rss / 1024 / 1024),
    }),
  );
}

/**
 * Part 1: one customer message at a time, timed from the webhook POST to the reply's Send API call.
 * A `known` customer's contact exists with its profile fetched (a returning customer opening a new
 * conversation); a `new` one is created by the message, whose profile fetch runs alongside the reply.
 */
async function webhookToSend(target: Awaited<ReturnType<typeof botPage>>, provider: Provider, customer: Customer) {
  const label = `${provider === "OFFLINE" ? "offline" : "fake OpenAI"}, ${customer} customer`;
  const psids = Array.from({ length: WARMUP + SAMPLES }, () => `7400${String(++customers).padStart(10, "0")}`);
  if (customer === "known") {
    await db.insert(contacts).values(
      psids.map((psid) => ({
        workspaceId: target.workspaceId,
        channelId: target.channelId,
        platformUserId: psid,
        name: `Customer ${psid}`,
        profileFetchedAt: new Date(),
      })),
    );
  }
  const samples: Sample[] = [];
  let outcome = "ok";
  let measuredFrom = new Date();
  for (const [i, psid] of psids.entries()) {
    await waitUntilIdle();
    if (i === WARMUP) measuredFrom = new Date();
    const body = serializeLikeMeta(messengerWebhook([textEvent({ pageId: target.pageId, psid, text: QUESTION })]));
    const signature = signMessengerBody(APP_SECRET, body);
    const sent = simulator.nextSend(psid);
    const t = wallNow();
    const res = await fetch(webhookUrl, {
      method: "POST",
      headers: { "content-type": "application/json", "x-hub-signature-256": signature },
      body,
    });
    await res.text();
    const ackMs = wallNow() - t;
    if (res.status !== 200) {
      outcome = `webhook answered ${res.status}`;
      break;
    }
    const arrivedAt = await Promise.race([sent, new Promise<null>((r) => setTimeout(() => r(null), 10_000))]);
    if (arrivedAt === null) {
      outcome = "no Send API call within 10 s (no bot reply, a handoff, or the send job not answering)";
      break;
    }
    const reply = await sentBotReply(target.channelId);
    if (reply.provider !== provider) {
      outcome = `the reply came from ${reply.provider}, not ${provider}`;
      break;
    }
    const botJobAt = await botJobEnqueuedAt(reply.replyToId);
    if (i >= WARMUP) {
      samples.push({
        totalMs: arrivedAt - t,
        ackMs,
        botStepMs: botJobAt === null ? undefined : arrivedAt - botJobAt,
        providerMs: reply.latencyMs ?? 0,
      });
    }
  }
  const stat = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return { p50: +percentile(sorted, 50).toFixed(1), p99: +percentile(sorted, 99).toFixed(1) };
  };
  const botStepAdded = stat(samples.flatMap((s) => (s.botStepMs === undefined ? [] : [s.botStepMs - s.providerMs])));
  report(`webhook → Send API, generate-bot-reply job (${label}, sequential)`, provider, outcome, samples, {
    botStepAddedP50Ms: botStepAdded.p50,
    botStepAddedP99Ms: botStepAdded.p99,
    webhookAckP50Ms: stat(samples.map((s) => s.ackMs ?? 0)).p50,
    jobEnqueueToDoneP50Ms: await jobTimes(measuredFrom),
  });
}

/**
 * When the reply's `generate-bot-reply` job was enqueued (`job.created_at`, the database's wall clock
 * to the microsecond; the embedded database runs in this process, so it is this machine's clock).
 */
async function botJobEnqueuedAt(triggerMessageId: string | null): Promise<number | null> {
  if (!triggerMessageId) return null;
  const [row] = await db
    .select({ at: sql<string>`extract(epoch from ${jobs.createdAt}) * 1000` })
    .from(jobs)
    .where(and(eq(jobs.name, "generate-bot-reply"), eq(jobs.jobKey, `bot-reply:${triggerMessageId}`)));
  return row ? Number(row.at) : null;
}

type Customer = "known" | "new";
let pages = 0;
let customers = 0;
for (const provider of ["OPENAI_COMPATIBLE", "OFFLINE"] as const) {
  const target = await botPage(provider, ++pages);
  const label = provider === "OFFLINE" ? "offline" : "fake OpenAI";
  for (const customer of ["known", "new"] as const) await webhookToSend(target, provider, customer);

  // 2. Reply as bot through the API, once in each of the conversations the known customers opened in
  //    part 1 (so neither the consecutive-reply count nor a conversation summary comes into play).
  const opened = await db
    .select({ id: conversations.id })
    .from(conversations)
    .where(eq(conversations.channelId, target.channelId))
    .orderBy(asc(conversations.createdAt))
    .limit(WARMUP + SAMPLES);
  const asBot: Sample[] = [];
  let outcome = opened.length >= WARMUP + SAMPLES ? "ok" : `only ${opened.length} conversations to reply in`;
  for (const [i, conversation] of opened.entries()) {
    if (outcome !== "ok") break;
    await waitUntilIdle();
    const t = performance.now();
    const res = await fetch(`${app.url}/api/v1/conversations/${conversation.id}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${target.token}` },
      body: JSON.stringify({ sendAs: "BOT" }),
    });
    const message = (await res.json()) as { latencyMs?: number | null; provider?: string };
    const totalMs = performance.now() - t;
    if (res.status !== 201) outcome = `reply as bot answered ${res.status}: ${JSON.stringify(message).slice(0, 300)}`;
    else if (message.provider !== provider) outcome = `the reply came from ${message.provider}, not ${provider}`;
    else if (i >= WARMUP) asBot.push({ totalMs, providerMs: message.latencyMs ?? 0 });
  }
  report(`POST /api/v1/conversations/{id}/messages sendAs BOT (${label}, sequential)`, provider, outcome, asBot);
}

// Every reply stored must have gone out: a count of what is left unsent says whether it did.
await waitUntilIdle();
const [unsent] = await db
  .select({ n: count() })
  .from(messages)
  .where(and(eq(messages.role, "BOT"), inArray(messages.status, ["queued", "sending", "failed"])));
console.log(JSON.stringify({ name: "bot replies not sent", count: Number(unsent?.n) }));

await queue.stop({ timeoutMs: 2000 });
app.server.close();
simulator.stop();
await runtime.close();
