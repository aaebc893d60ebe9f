/**
 * The top queries' cached vectors are pruned (docs/analytics.md): those of texts not asked within the
 * longest period a read covers, and those of an embedding model no chatbot has, go; those a read
 * still uses stay. On PGlite, the vectors computed by the simulator's fake OpenAI-compatible
 * embeddings over real HTTP through real analytics reads.
 */
import { analyticsQueryEmbeddings, chatbots, type Db, jobs, providerCredentials } from "@tandem/db";
import { createChatbot, createConversation, createMessage, createTestWorkspace } from "@tandem/db/testing";
import { type ServedSimulator, serveSimulator } from "@tandem/simulator";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { attachTestQueue, createTestRuntime } from "../../../../tests/support/runtime.ts";
import { appJobDeps } from "../app-deps.ts";
import type { Ctx } from "../context.ts";
import type { JobQueue } from "../jobs/queue.ts";
import { runJob } from "../jobs/run-job.ts";
import { silentLogger } from "../logger.ts";
import { providerDeps } from "../providers/provider-deps.ts";
import type { Runtime } from "../runtime.ts";
import { queryHash } from "./cluster-queries.ts";
import { getChatbotAnalytics, MAX_RANGE_DAYS } from "./get-analytics.ts";
import {
  pruneQueryEmbeddings,
  pruneQueryEmbeddingsJob,
  schedulePruneQueryEmbeddings,
} from "./prune-query-embeddings.ts";
import { addDays, localToday } from "./rollups.ts";

const DAY = 24 * 60 * 60_000;
let runtime: Runtime;
let served: ServedSimulator;
let db: Db;
let queue: JobQueue;

beforeAll(async () => {
  runtime = await createTestRuntime();
  db = runtime.database.db;
  // Not started: jobs are only stored, so the test decides when they run.
  queue = attachTestQueue(runtime);
  served = await serveSimulator();
});
afterAll(async () => {
  await served.close();
  await runtime.close();
});
beforeEach(() => served.simulator.reset());

const embeddingCalls = () => served.simulator.llm.state.calls.filter((c) => c.path.endsWith("/embeddings"));

/**
 * A chatbot grouping its top queries with `nomic-embed-text`, whose customers asked about Norway
 * 400 days ago only, about their parcel 400 and 360 days ago (within the longest custom range that
 * ends today, not within 90 days), about refunds and opening hours 3 days ago. Two reads stored the
 * four texts' vectors: last year's range, and the last 7 days.
 */
async function setup() {
  const ws = await createTestWorkspace(db);
  const workspaceId = ws.workspace.id;
  const [cred] = await db
    .insert(providerCredentials)
    .values({
      workspaceId,
      kind: "OPENAI_COMPATIBLE",
      name: "Embeddings",
      apiKeyEncrypted: runtime.keyring.encrypt("sk-prune-test-0001"),
      keyHint: "••••0001",
      baseUrl: `${served.url}/llm/openai/v1`,
    })
    .returning();
  const embedding = {
    credentialId: cred!.id,
    provider: "OPENAI_COMPATIBLE" as const,
    model: "nomic-embed-text",
    dimensions: 256,
  };
  const chatbot = await createChatbot(db, { workspaceId });
  await db.update(chatbots).set({ retrievalSettings: { embedding } }).where(eq(chatbots.id, chatbot.id));
  const asked: [string, number][] = [
    ["Do you ship to Norway?", 400],
    ["Where is my parcel?", 400],
    ["Where is my parcel?", 360],
    ["Can I get a refund?", 3],
    ["What are your opening hours?", 3],
  ];
  for (const [text, daysAgo] of asked) {
    const conversation = await createConversation(db, { workspaceId, chatbotId: chatbot.id });
    await createMessage(db, { conversationId: conversation.id, text, createdAt: new Date(Date.now() - daysAgo * DAY) });
  }
  const ctx: Ctx = {
    db,
    workspaceId,
    actor: { type: "user", userId: ws.owner.user.id, memberId: ws.owner.member.id, role: "OWNER" },
    log: silentLogger,
  };
  const today = localToday("UTC");
  const lastYear = await getChatbotAnalytics(
    ctx,
    chatbot.id,
    { from: addDays(today, -405), to: addDays(today, -405 + MAX_RANGE_DAYS - 1) },
    providerDeps(runtime),
  );
  expect(lastYear.topQueries.map((q) => q.query)).toEqual(["where is my parcel", "do you ship to norway"]);
  const lastWeek = await getChatbotAnalytics(ctx, chatbot.id, { period: "7d" }, providerDeps(runtime));
  expect(lastWeek.topQueries).toHaveLength(2);
  expect(embeddingCalls()).toHaveLength(2);
  expect(await cachedTexts(workspaceId)).toHaveLength(4);
  return { ws, chatbot, embedding, ctx };
}

/** The hashes of the workspace's cached vectors, as the texts they are of (others as their hash). */
async function cachedTexts(workspaceId: string) {
  const texts = ["do you ship to norway", "where is my parcel", "can i get a refund", "what are your opening hours"];
  const byHash = new Map(texts.map((t) => [queryHash(t), t]));
  const rows = await db
    .select({ hash: analyticsQueryEmbeddings.queryHash })
    .from(analyticsQueryEmbeddings)
    .where(eq(analyticsQueryEmbeddings.workspaceId, workspaceId));
  return rows.map((r) => byHash.get(r.hash) ?? r.hash).sort();
}

describe("pruneQueryEmbeddings", () => {
  it("deletes the vectors of texts not asked within the longest period a read covers, keeps the others", async () => {
    const { ws, chatbot, ctx } = await setup();
    expect(await pruneQueryEmbeddings(db)).toBeGreaterThanOrEqual(1);
    expect(await cachedTexts(ws.workspace.id)).toEqual([
      "can i get a refund",
      "what are your opening hours",
      "where is my parcel",
    ]);
    // Nothing a read uses was deleted: the last 7 days group from the cache alone.
    await getChatbotAnalytics(ctx, chatbot.id, { period: "7d" }, providerDeps(runtime));
    expect(embeddingCalls()).toHaveLength(2);
    expect(await pruneQueryEmbeddings(db)).toBe(0);
  });

  it("deletes the vectors of an embedding model no chatbot of the workspace has any more", async () => {
    const { ws, chatbot, embedding } = await setup();
    // A second chatbot on the same model keeps them while the first one changes its size.
    const other = await createChatbot(db, { workspaceId: ws.workspace.id });
    await db.update(chatbots).set({ retrievalSettings: { embedding } }).where(eq(chatbots.id, other.id));
    await db
      .update(chatbots)
      .set({ retrievalSettings: { embedding: { ...embedding, dimensions: 128 } } })
      .where(eq(chatbots.id, chatbot.id));
    await pruneQueryEmbeddings(db);
    expect(await cachedTexts(ws.workspace.id)).toHaveLength(3);

    await db.update(chatbots).set({ retrievalSettings: {} }).where(eq(chatbots.id, other.id));
    await pruneQueryEmbeddings(db);
    expect(await cachedTexts(ws.workspace.id)).toEqual([]);
  });
});

describe("the daily prune-query-embeddings job", () => {
  it("is enqueued once a day however often the hourly maintenance asks, and prunes when it runs", async () => {
    const { ws } = await setup();
    // 02:00 UTC today: an hour later is still the same day whatever time the test runs.
    const day = Math.floor(Date.now() / DAY);
    const now = day * DAY + 2 * 60 * 60_000;
    expect(await schedulePruneQueryEmbeddings(queue, now)).toBe(true);
    expect(await schedulePruneQueryEmbeddings(queue, now + 60 * 60_000)).toBe(false);
    const scheduled = await db
      .select()
      .from(jobs)
      .where(and(eq(jobs.name, pruneQueryEmbeddingsJob.name), eq(jobs.jobKey, `query-embeddings:day-${day}`)));
    expect(scheduled).toHaveLength(1);
    expect(await schedulePruneQueryEmbeddings(queue, (day + 1) * DAY)).toBe(true);

    await runJob(pruneQueryEmbeddingsJob, appJobDeps(runtime), {
      jobId: "test-prune",
      jobKey: null,
      attempt: 1,
      maxAttempts: 3,
      payload: {},
      log: silentLogger,
      signal: new AbortController().signal,
    });
    expect(await cachedTexts(ws.workspace.id)).not.toContain("do you ship to norway");
    expect(await cachedTexts(ws.workspace.id)).toHaveLength(3);
  });
});
