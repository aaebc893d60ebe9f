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
  sealLineSecrets,
  silentLogger,
} from "@tandem/core";
import { inboundEvents, messages } from "@tandem/db";
import { createChannel, createChatbot, createTestWorkspace } from "@tandem/db/testing";
import {
  asLineRedelivery,
  createLineCustomer,
  createLineSimulator,
  lineUser,
  newLineId,
  postSignedLineWebhook,
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
 * LINE in the scaled deployment: a web process (Hono app, BullMQ producer) and a worker process
 * runtime (BullMQ consumer) on one PostgreSQL server and one Redis, the fake LINE platform over HTTP.
 */
let postgres: PostgresServer;
let redis: TestServer;
let web: Runtime;
let producer: JobQueue;
let worker: Awaited<ReturnType<typeof createWorkerRuntime>>;
let appServer: Server;
let lineServer: Server;
let base: string;
const line = createLineSimulator();

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
  let lineUrl: string;
  [lineServer, lineUrl] = await listen(line.app.fetch);
  const config = loadConfig({
    NODE_ENV: "test",
    DATA_DIR: mkdtempSync(path.join(tmpdir(), "tandem-line-pipeline-")),
    APP_URL: "http://127.0.0.1:3000",
    DATABASE_URL: await createTestDatabase(postgres),
    REDIS_URL: redis.url,
    ENCRYPTION_KEY: generateKey(),
    AUTH_SECRET: "pipeline-test-secret-pipeline-test-secret",
    LOG_LEVEL: "silent",
    LINE_API_URL: `${lineUrl}/api`,
    LINE_DATA_API_URL: `${lineUrl}/data`,
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
  [appServer, base] = await listen(createApp(web).fetch);
}, 120_000);

afterAll(async () => {
  await worker?.stop({ timeoutMs: 1_000 });
  await producer?.stop({ timeoutMs: 0 });
  appServer?.close();
  lineServer?.close();
  await web?.close();
  await Promise.all([postgres?.stop(), redis?.stop()]);
});

describe("LINE pipeline on PostgreSQL + Redis (BullMQ worker)", () => {
  it("stores a webhook once however often it comes (concurrently, and redelivered) and the bot answers with the reply token", async () => {
    const db = web.database.db;
    const ws = await createTestWorkspace(db);
    const account = line.state.addChannel({
      channelId: "2000000777",
      channelSecret: "fedcba9876543210fedcba9876543210",
      channelAccessToken: "line-pipeline-token",
      userId: newLineId("U"),
      basicId: "@pipeline",
      displayName: "Pipeline OA",
    });
    const chatbot = await createChatbot(db, {
      workspaceId: ws.workspace.id,
      providerKind: "OFFLINE",
      model: "offline-faq",
      faqEntries: [{ question: "How long does shipping take?", answer: "Orders ship within 1 business day." }],
    });
    const channel = await createChannel(db, {
      workspaceId: ws.workspace.id,
      type: "line",
      externalId: account.channelId,
      chatbotId: chatbot.id,
      ...sealLineSecrets(web.keyring, {
        channelSecret: account.channelSecret,
        channelAccessToken: account.channelAccessToken,
      }),
    });
    const customer = createLineCustomer(line, account.channelId);
    const user = newLineId("U");
    line.state.addUser({ userId: user, displayName: "Nok" });
    const event = customer.text(lineUser(user), "How long does shipping take?");
    const body = customer.webhook([event]);
    const url = `${base}/api/v1/integrations/line/${chatbot.id}/webhook`;

    const answers = await Promise.all([1, 2, 3].map(() => postSignedLineWebhook(url, body, account.channelSecret)));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
    expect((await postSignedLineWebhook(url, asLineRedelivery(body), account.channelSecret)).status).toBe(200);

    const reply = await waitFor(
      () => line.state.outbox.find((r) => r.chatId === user),
      "the bot's reply at the LINE API",
    );
    expect(reply).toMatchObject({ kind: "reply", replyToken: event.replyToken });
    expect(JSON.stringify(reply.messages)).toContain("1 business day");

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
    // One row per webhookEventId, however many deliveries.
    expect(await db.select().from(inboundEvents).where(eq(inboundEvents.channelId, channel.id))).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(line.state.outbox.filter((r) => r.chatId === user)).toHaveLength(1);
  });
});
