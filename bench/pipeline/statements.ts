/**
 * Where processing time goes, without HTTP: stores `rows` Messenger webhooks — or LINE ones with
 * `BENCH_CHANNEL=line` — (one message each, from 100 customers) on an embedded database, then runs
 * `process-inbound-event` on them directly — one job per row, or jobs of `EVENTS_PER_JOB` rows — and
 * prints wall time, events/s and the SQL statements and transactions per event (counted on PGlite's
 * client).
 * Usage: [BENCH_CHANNEL=messenger|line] npx tsx bench/pipeline/statements.ts [rows=400]
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  type AppJobDeps,
  appJobDeps,
  createLogger,
  createRuntime,
  generateKey,
  type JobContext,
  loadConfig,
  sealLineSecrets,
} from "@tandem/core";
import { receiveMessengerWebhook } from "@tandem/core/channels/messenger/receive-webhook";
import { EVENTS_PER_JOB, processInboundEvent } from "@tandem/core/inbound/process-inbound-event";
import { receiveChannelWebhook } from "@tandem/core/inbound/receive-channel-webhook";
import { inboundEvents } from "@tandem/db";
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
import { asc, eq } from "drizzle-orm";

const ROWS = Number(process.argv[2] ?? 400);
const CHANNEL = process.env.BENCH_CHANNEL === "line" ? "line" : "messenger";
const APP_SECRET = "bench-app-secret";
const config = loadConfig({
  DATA_DIR: mkdtempSync(path.join(tmpdir(), "tandem-bench-pipeline-")),
  ENCRYPTION_KEY: generateKey(),
  LOG_LEVEL: "silent",
  DEMO_SEED: "0",
  FB_APP_SECRET: APP_SECRET,
});
const log = createLogger({ level: "warn" });
const runtime = await createRuntime(config, { log });
const db = runtime.database.db;
// Not started: follow-up jobs are stored, not run, so only the pipeline's own work is timed.
const enqueued = { jobs: 0 };
const queue = {
  enqueue: async () => {
    enqueued.jobs++;
    return { id: "x", deduplicated: false };
  },
  enqueueMany: async (_def: unknown, items: unknown[]) => {
    enqueued.jobs += items.length;
    return { added: items.length };
  },
};

runtime.queue = queue as unknown as NonNullable<typeof runtime.queue>;
const client = (
  db as unknown as { $client: { query: (...a: unknown[]) => unknown; transaction: (...a: unknown[]) => unknown } }
).$client;
const counts = { statements: 0, transactions: 0 };
const query = client.query.bind(client);
client.query = (...args: unknown[]) => {
  counts.statements++;
  return query(...args);
};
const transaction = client.transaction.bind(client);
client.transaction = (callback: unknown) => {
  counts.transactions++;
  return transaction((tx: { query: (...a: unknown[]) => unknown }) => {
    const txQuery = tx.query.bind(tx);
    tx.query = (...args: unknown[]) => {
      counts.statements++;
      return txQuery(...args);
    };
    return (callback as (tx: unknown) => unknown)(tx);
  });
};

async function rowsOf(label: string) {
  return CHANNEL === "line" ? lineRowsOf() : messengerRowsOf(label);
}

/** LINE: one row per event, each under the chatbot's channel (`POST /integrations/line/{chatbotId}/webhook`). */
async function lineRowsOf() {
  const { workspace } = await createTestWorkspace(db);
  const chatbot = await createChatbot(db, { workspaceId: workspace.id, providerKind: "OFFLINE", model: "offline-faq" });
  const state = new LineState();
  const account = state.addChannel({
    channelId: `${2000000000 + (Date.now() % 1000000)}`,
    channelSecret: `bench-secret-${chatbot.id}`,
    channelAccessToken: `bench-token-${chatbot.id}`,
    userId: newLineId("U"),
    basicId: "@bench",
    displayName: "Bench LINE account",
  });
  const channel = await createChannel(db, {
    workspaceId: workspace.id,
    type: "line",
    externalId: account.userId,
    chatbotId: chatbot.id,
    ...sealLineSecrets(runtime.keyring, account),
  });
  const customer = createLineCustomer({ state }, account.channelId);
  const users = Array.from({ length: 100 }, () => newLineId("U"));
  for (let i = 0; i < ROWS; i++) {
    const body = JSON.stringify(customer.webhook([customer.text(lineUser(users[i % 100]!), `question ${i}`)]));
    await receiveChannelWebhook(
      { db, log, queue: null, limiter: runtime.limiter, channels: runtime.channels },
      {
        type: "line",
        chatbotId: chatbot.id,
        rawBody: Buffer.from(body),
        header: (name) => (name === "x-line-signature" ? signLineBody(account.channelSecret, body) : undefined),
      },
    );
  }
  const rows = await db
    .select({ id: inboundEvents.id })
    .from(inboundEvents)
    .where(eq(inboundEvents.channelId, channel.id))
    .orderBy(asc(inboundEvents.id));
  return rows.map((r) => r.id);
}

async function messengerRowsOf(label: string) {
  const { workspace } = await createTestWorkspace(db);
  const pageId = `${Date.now()}${label.length}`;
  await createChannel(db, { workspaceId: workspace.id, externalId: pageId });
  for (let i = 0; i < ROWS; i++) {
    const body = serializeLikeMeta(
      messengerWebhook([textEvent({ pageId, psid: `7500${i % 100}`, text: `question ${i}`, mid: newMid() })]),
    );
    await receiveMessengerWebhook(
      { db, config: runtime.config, log, queue: null, limiter: runtime.limiter },
      { rawBody: Buffer.from(body), signature: signMessengerBody(APP_SECRET, body) },
    );
  }
  const rows = await db
    .select({ id: inboundEvents.id })
    .from(inboundEvents)
    .where(eq(inboundEvents.externalId, pageId))
    .orderBy(asc(inboundEvents.id));
  return rows.map((r) => r.id);
}

const ctx = {
  ...appJobDeps(runtime),
  queue,
  jobId: "bench",
  jobKey: null,
  name: processInboundEvent.name,
  attempt: 1,
  maxAttempts: 5,
  log,
  signal: new AbortController().signal,
} as unknown as JobContext<AppJobDeps>;

for (const mode of [
  "one row per job",
  `${EVENTS_PER_JOB} rows per job`,
  "one row per job",
  `${EVENTS_PER_JOB} rows per job`,
]) {
  const ids = await rowsOf(mode);
  counts.statements = 0;
  counts.transactions = 0;
  enqueued.jobs = 0;
  const started = performance.now();
  if (mode === "one row per job") for (const eventId of ids) await processInboundEvent.handle({ eventId }, ctx);
  else
    for (let i = 0; i < ids.length; i += EVENTS_PER_JOB)
      await processInboundEvent.handle({ eventIds: ids.slice(i, i + EVENTS_PER_JOB) }, ctx);
  const ms = performance.now() - started;
  console.log(
    JSON.stringify({
      name: `${CHANNEL}: ${mode}`,
      events: ids.length,
      ms: Math.round(ms),
      eventsPerSec: Math.round((ids.length / ms) * 1000),
      statementsPerEvent: +(counts.statements / ids.length).toFixed(2),
      transactionsPerEvent: +(counts.transactions / ids.length).toFixed(3),
      followUpJobsPerEvent: +(enqueued.jobs / ids.length).toFixed(2),
    }),
  );
}
await runtime.close();
