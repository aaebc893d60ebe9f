import { once } from "node:events";
import { mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { getRequestListener } from "@hono/node-server";
import {
  type AppJobDeps,
  appJobDeps,
  createJobQueue,
  createRuntime,
  createWorkerRuntime,
  generateKey,
  type JobQueue,
  JobRegistry,
  loadConfig,
  type Runtime,
  registerAllJobs,
  silentLogger,
} from "@tandem/core";
import { contacts, conversations, inboundEvents, messages } from "@tandem/db";
import { createChannel, createChatbot, createTestWorkspace } from "@tandem/db/testing";
import {
  createGraphSimulator,
  deliveryEvent,
  messengerWebhook,
  newMid,
  postSignedWebhook,
  textEvent,
} from "@tandem/simulator";
import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTestDatabase,
  type PostgresServer,
  startPostgresServer,
} from "../../../tests/support/postgres-server.ts";
import { startRedisServer, type TestServer } from "../../../tests/support/redis-server.ts";
import { createApp } from "./app.ts";

/**
 * The scaled deployment end to end: a web process (Hono app, BullMQ producer) and a worker process
 * runtime (BullMQ consumer) on one PostgreSQL server and one Redis, the fake Graph API over HTTP.
 */
const APP_SECRET = "pipeline-app-secret";
let postgres: PostgresServer;
let redis: TestServer;
let web: Runtime;
let producer: JobQueue;
let worker: Awaited<ReturnType<typeof createWorkerRuntime>>;
let appServer: Server;
let graphServer: Server;
let webhookUrl: string;
const graph = createGraphSimulator();

async function listen(handler: (req: Request) => Response | Promise<Response>): Promise<[Server, string]> {
  const listener = getRequestListener(handler);
  const server = createServer((req, res) => listener(req, res));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return [server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`];
}

async function waitFor<T>(probe: () => Promise<T | false | undefined> | T | false | undefined, what: string) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  [postgres, redis] = await Promise.all([startPostgresServer(), startRedisServer()]);
  let graphUrl: string;
  [graphServer, graphUrl] = await listen(graph.app.fetch);
  const config = loadConfig({
    NODE_ENV: "test",
    DATA_DIR: mkdtempSync(path.join(tmpdir(), "tandem-pipeline-")),
    APP_URL: "http://127.0.0.1:3000",
    DATABASE_URL: await createTestDatabase(postgres),
    REDIS_URL: redis.url,
    ENCRYPTION_KEY: generateKey(),
    AUTH_SECRET: "pipeline-test-secret-pipeline-test-secret",
    LOG_LEVEL: "silent",
    FB_APP_SECRET: APP_SECRET,
    FB_APP_ID: "5151515151",
    GRAPH_API_URL: graphUrl,
  });
  web = await createRuntime(config, { log: silentLogger });
  producer = createJobQueue<AppJobDeps>({
    redisUrl: config.redisUrl,
    db: web.database.db,
    registry: registerAllJobs(new JobRegistry<AppJobDeps>()),
    deps: appJobDeps(web),
    log: silentLogger,
  });
  web.queue = producer;
  worker = await createWorkerRuntime(config, { log: silentLogger });
  [appServer, webhookUrl] = await listen(createApp(web).fetch);
  webhookUrl += "/api/webhooks/messenger";
}, 120_000);

afterAll(async () => {
  await worker?.stop({ timeoutMs: 1_000 });
  await producer?.stop({ timeoutMs: 0 });
  appServer?.close();
  graphServer?.close();
  await web?.close();
  await Promise.all([postgres?.stop(), redis?.stop()]);
});

describe("Messenger pipeline on PostgreSQL + Redis (BullMQ worker)", () => {
  it("stores a webhook once however often it comes, answers with the bot through the Send API, and tracks delivery", async () => {
    const db = web.database.db;
    const ws = await createTestWorkspace(db);
    const pageId = `8800${Date.now()}`;
    const token = `EAApipeline${pageId}`;
    graph.state.addPage({ id: pageId, name: "Pipeline Page", accessToken: token });
    const chatbot = await createChatbot(db, {
      workspaceId: ws.workspace.id,
      providerKind: "OFFLINE",
      model: "offline-faq",
      faqEntries: [{ question: "How long does shipping take?", answer: "Orders ship within 1 business day." }],
    });
    const channel = await createChannel(db, {
      workspaceId: ws.workspace.id,
      externalId: pageId,
      chatbotId: chatbot.id,
      secretsEncrypted: web.keyring.encrypt(JSON.stringify({ pageAccessToken: token })),
    });
    const psid = `7300${Date.now()}`;
    const body = messengerWebhook([
      textEvent({ pageId, psid, text: "How long does shipping take?", mid: newMid(), timestamp: Date.now() - 1000 }),
    ]);

    // Meta retries, and two of its servers may deliver the same event at once.
    const answers = await Promise.all([1, 2, 3].map(() => postSignedWebhook(webhookUrl, APP_SECRET, body)));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);

    const reply = await waitFor(
      () => graph.state.outbox.find((r) => r.kind === "message" && r.recipientId === psid),
      "the bot's reply at the Send API",
    );
    expect(reply.message).toMatchObject({ text: expect.stringContaining("1 business day") });
    expect(reply.messagingType).toBe("RESPONSE");
    // The customer saw the bot typing while it composed, before its answer arrived.
    const typing = graph.state.outbox.findIndex(
      (r) => r.kind === "sender_action" && r.recipientId === psid && r.senderAction === "typing_on",
    );
    expect(typing).toBeGreaterThanOrEqual(0);
    expect(typing).toBeLessThan(graph.state.outbox.indexOf(reply));

    const thread = await waitFor(async () => {
      const rows = await db
        .select()
        .from(messages)
        .where(eq(messages.channelId, channel.id))
        .orderBy(asc(messages.createdAt));
      return rows.length === 2 && rows[1]!.status === "sent" && rows;
    }, "the bot message to be marked sent");
    expect(thread.map((m) => [m.role, m.status])).toEqual([
      ["USER", "received"],
      ["BOT", "sent"],
    ]);
    expect(thread[1]!.platformMessageId).toBe(reply.messageId);
    const events = await db.select().from(inboundEvents).where(eq(inboundEvents.channelId, channel.id));
    expect(events).toHaveLength(3);
    await waitFor(async () => {
      const rows = await db.select().from(inboundEvents).where(eq(inboundEvents.channelId, channel.id));
      return rows.every((e) => e.status === "processed");
    }, "every stored delivery to be processed");

    // The customer's app reports delivery: the bot message moves to delivered.
    const delivered = await postSignedWebhook(
      webhookUrl,
      APP_SECRET,
      messengerWebhook([deliveryEvent({ pageId, psid, watermark: Date.now(), mids: [reply.messageId!] })]),
    );
    expect(delivered.status).toBe(200);
    await waitFor(async () => {
      const [bot] = await db.select().from(messages).where(eq(messages.id, thread[1]!.id));
      return bot?.status === "delivered";
    }, "the delivery receipt");
  });

  it("stores text with a NUL or a lone surrogate sanitised and processes it, never failing the webhooks beside it", async () => {
    const db = web.database.db;
    const ws = await createTestWorkspace(db);
    const pageId = `8801${Date.now()}`;
    const token = `EAApipeline${pageId}`;
    graph.state.addPage({ id: pageId, name: "Pipeline Page 2", accessToken: token });
    const channel = await createChannel(db, {
      workspaceId: ws.workspace.id,
      externalId: pageId,
      secretsEncrypted: web.keyring.encrypt(JSON.stringify({ pageAccessToken: token })),
    });
    const texts = Array.from({ length: 30 }, (_, i) => `neighbour ${i} 👋`);
    texts[3] = "a NUL \u0000 inside";
    texts[26] = "half an emoji \udc4b here";
    const psids = texts.map((_, i) => `7301${Date.now()}${i}`);
    graph.state.addUser({ psid: psids[3]!, firstName: "Nul\u0000", lastName: "Byte\ud800", pageId });
    const statuses = await Promise.all(
      texts.map(
        async (text, i) =>
          (
            await postSignedWebhook(
              webhookUrl,
              APP_SECRET,
              messengerWebhook([textEvent({ pageId, psid: psids[i]!, text })]),
            )
          ).status,
      ),
    );
    expect(statuses).toEqual(texts.map(() => 200));

    const expected = [...texts];
    expected[3] = "a NUL  inside";
    expected[26] = "half an emoji \ufffd here";
    const stored = await waitFor(async () => {
      const rows = await db.select().from(messages).where(eq(messages.channelId, channel.id));
      return rows.length === 30 && rows;
    }, "all thirty messages");
    expect(stored.map((m) => m.text).sort()).toEqual(expected.sort());
    await waitFor(async () => {
      const rows = await db.select().from(inboundEvents).where(eq(inboundEvents.channelId, channel.id));
      return rows.length === 30 && rows.every((e) => e.status === "processed");
    }, "every entry to be processed");
    const contact = await waitFor(async () => {
      const [row] = await db.select().from(contacts).where(eq(contacts.platformUserId, psids[3]!));
      return row?.profileFetchedAt && row;
    }, "the profile with a NUL in it");
    expect(contact).toMatchObject({ name: "Nul Byte\ufffd", firstName: "Nul", lastName: "Byte\ufffd" });
  });
  it("processes a burst in batches: every message once, in order per conversation, with its unread count", async () => {
    const db = web.database.db;
    const ws = await createTestWorkspace(db);
    const pageId = `8802${Date.now()}`;
    const token = `EAApipeline${pageId}`;
    graph.state.addPage({ id: pageId, name: "Pipeline Page 3", accessToken: token });
    const channel = await createChannel(db, {
      workspaceId: ws.workspace.id,
      externalId: pageId,
      secretsEncrypted: web.keyring.encrypt(JSON.stringify({ pageAccessToken: token })),
    });
    const customers = Array.from({ length: 6 }, (_, i) => `7302${Date.now()}${i}`);
    const t0 = Date.now() - 60_000;
    const sent = Array.from({ length: 90 }, (_, i) => ({ psid: customers[i % 6]!, text: `burst ${i}`, at: t0 + i }));
    const statuses = await Promise.all(
      sent.map(
        async ({ psid, text, at }) =>
          (
            await postSignedWebhook(
              webhookUrl,
              APP_SECRET,
              messengerWebhook([textEvent({ pageId, psid, text, timestamp: at })]),
            )
          ).status,
      ),
    );
    expect(statuses).toEqual(sent.map(() => 200));
    await waitFor(async () => {
      const rows = await db.select().from(inboundEvents).where(eq(inboundEvents.channelId, channel.id));
      return rows.length === 90 && rows.every((e) => e.status === "processed");
    }, "every entry to be processed");

    const stored = await db
      .select({ text: messages.text, psid: contacts.platformUserId })
      .from(messages)
      .innerJoin(conversations, eq(conversations.id, messages.conversationId))
      .innerJoin(contacts, eq(contacts.id, conversations.contactId))
      .where(eq(messages.channelId, channel.id))
      .orderBy(asc(messages.createdAt));
    for (const psid of customers)
      expect(stored.filter((m) => m.psid === psid).map((m) => m.text)).toEqual(
        sent.filter((m) => m.psid === psid).map((m) => m.text),
      );
    const threads = await db.select().from(conversations).where(eq(conversations.channelId, channel.id));
    expect(threads.map((c) => c.unreadCount)).toEqual([15, 15, 15, 15, 15, 15]);
    // The store enqueued the burst as jobs of several rows each, not one job per webhook.
    const jobs = await producer.counts({ workspaceId: ws.workspace.id });
    expect(jobs.byName["process-inbound-event"]?.completed).toBeLessThan(90);
  });
});
