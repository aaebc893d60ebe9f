/**
 * The embed-knowledge job and the chatbot's embedding settings, on PGlite (pgvector bundled), the
 * vectors computed by the simulator's fake OpenAI-compatible API over real HTTP.
 */
import { auditLogs, chatbotErrors, chatbots, type Db, jobs, providerCredentials, rowsOf } from "@tandem/db";
import { createChatbot, createKnowledgePassage, createTestWorkspace, type TestWorkspace } from "@tandem/db/testing";
import { type ServedSimulator, serveSimulator } from "@tandem/simulator";
import { and, desc, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { attachTestQueue, createTestRuntime } from "../../../../../tests/support/runtime.ts";
import { type AppJobDeps, appJobDeps } from "../../app-deps.ts";
import { retrieve } from "../../bots/retrieve-knowledge.ts";
import { getChatbot } from "../../chatbots/get-chatbot.ts";
import { updateChatbot } from "../../chatbots/update-chatbot.ts";
import type { Ctx } from "../../context.ts";
import type { JobContext } from "../../jobs/define-job.ts";
import type { JobQueue } from "../../jobs/queue.ts";
import { silentLogger } from "../../logger.ts";
import type { Runtime } from "../../runtime.ts";
import { EMBED_BATCH_SIZE, embedKnowledge, scheduleEmbeddings } from "./embed-knowledge.ts";

let runtime: Runtime;
let served: ServedSimulator;
let queue: JobQueue;
let db: Db;
const KEY = "sk-embed-test-0001";
const MODEL = "nomic-embed-text";

beforeAll(async () => {
  runtime = await createTestRuntime();
  db = runtime.database.db;
  served = await serveSimulator();
  // Attached, never started: the tests run the handler themselves and look at what is enqueued.
  queue = attachTestQueue(runtime);
});
afterAll(async () => {
  await queue.stop();
  await served.close();
  await runtime.close();
});
beforeEach(() => served.simulator.reset());

const ownerCtx = (ws: TestWorkspace): Ctx => ({
  db,
  workspaceId: ws.workspace.id,
  actor: { type: "user", userId: ws.owner.user.id, memberId: ws.owner.member.id, role: "OWNER" },
  log: silentLogger,
  queue,
});

let run = 0;
const jobContext = (attempt = 1): JobContext<AppJobDeps> => ({
  ...appJobDeps(runtime),
  jobId: `job_embed_${++run}`,
  jobKey: null,
  name: embedKnowledge.name,
  attempt,
  maxAttempts: embedKnowledge.retry.attempts,
  log: silentLogger,
  signal: new AbortController().signal,
});

async function credential(workspaceId: string, kind: "OPENAI_COMPATIBLE" | "OPENROUTER" = "OPENAI_COMPATIBLE") {
  const [row] = await db
    .insert(providerCredentials)
    .values({
      workspaceId,
      kind,
      name: `${kind} ${++run}`,
      apiKeyEncrypted: runtime.keyring.encrypt(KEY),
      keyHint: "••••0001",
      baseUrl: `${served.url}/llm/openai/v1`,
    })
    .returning();
  return row!;
}

async function setup(passages = 3) {
  const ws = await createTestWorkspace(db);
  const cred = await credential(ws.workspace.id);
  const chatbot = await createChatbot(db, { workspaceId: ws.workspace.id });
  const chunkIds: string[] = [];
  for (let i = 0; i < passages; i++) {
    const { chunk } = await createKnowledgePassage(db, {
      workspaceId: ws.workspace.id,
      // Half its own, half shared by the workspace: it searches both.
      chatbotId: i % 2 ? chatbot.id : null,
      title: `Doc ${i}`,
      content: `Parcel ${i} arrives within ${i + 1} days.`,
    });
    chunkIds.push(chunk.id);
  }
  const embedding = (dimensions: number) => ({
    credentialId: cred.id,
    provider: "OPENAI_COMPATIBLE" as const,
    model: MODEL,
    dimensions,
  });
  return { ws, cred, chatbot, chunkIds, embedding };
}

const state = async (id: string) =>
  (await db.select({ s: chatbots.embeddingState }).from(chatbots).where(eq(chatbots.id, id)))[0]!.s;
const vectorsOf = async (workspaceId: string, model: string) =>
  rowsOf<{ n: number }>(
    await db.execute(
      sql`SELECT count(*)::int AS n FROM chunk_embedding WHERE workspace_id = ${workspaceId} AND model = ${model}`,
    ),
  )[0]!.n;
const embedJobs = (workspaceId: string) =>
  db
    .select()
    .from(jobs)
    .where(and(eq(jobs.workspaceId, workspaceId), eq(jobs.name, embedKnowledge.name)));
const embeddingCalls = () => served.simulator.llm.state.calls.filter((c) => c.path.endsWith("/embeddings"));

describe("embed-knowledge", () => {
  it("setting a model schedules one job that embeds, in batches, every chunk the chatbot searches, then makes it active", async () => {
    const { ws, chatbot, chunkIds, embedding } = await setup(EMBED_BATCH_SIZE + 6);
    const other = await createChatbot(db, { workspaceId: ws.workspace.id });
    const notMine = await createKnowledgePassage(db, {
      workspaceId: ws.workspace.id,
      chatbotId: other.id,
      title: "Other",
      content: "Not searched by this chatbot.",
    });

    const patched = await updateChatbot(ownerCtx(ws), chatbot.id, { retrieval: { embedding: embedding(16) } });
    expect(patched.retrieval).toMatchObject({
      embedding: embedding(16),
      activeEmbedding: null,
      embeddingStatus: { state: "pending", embedded: 0, total: chunkIds.length, error: null },
      vectorSearchAvailable: true,
    });
    // The same settings again: no second job.
    await updateChatbot(ownerCtx(ws), chatbot.id, { retrieval: { embedding: embedding(16), maxResults: 3 } });
    const queued = await embedJobs(ws.workspace.id);
    expect(queued).toHaveLength(1);
    expect(queued[0]!.payload).toEqual({ chatbotId: chatbot.id });

    const [audit] = await db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.entityId, chatbot.id), eq(auditLogs.action, "chatbot.update")))
      .orderBy(desc(auditLogs.createdAt))
      .limit(1);
    expect(audit!.after).toMatchObject({ retrieval: { maxResults: 3, embedding: embedding(16) } });

    await embedKnowledge.handle({ chatbotId: chatbot.id }, jobContext());

    expect(embeddingCalls().map((c) => (c.body as { input: string[] }).input.length)).toEqual([EMBED_BATCH_SIZE, 6]);
    const key = `OPENAI_COMPATIBLE:${MODEL}@16`;
    expect(await state(chatbot.id)).toMatchObject({
      active: { model: key, dimensions: 16 },
      state: "ready",
      error: null,
    });
    expect(await vectorsOf(ws.workspace.id, key)).toBe(chunkIds.length);
    const embeddedIds = rowsOf<{ chunk_id: string }>(
      await db.execute(sql`SELECT chunk_id FROM chunk_embedding WHERE chunk_id = ${notMine.chunk.id}`),
    );
    expect(embeddedIds).toEqual([]);
    expect((await getChatbot(ownerCtx(ws), chatbot.id)).retrieval).toMatchObject({
      activeEmbedding: { model: key, dimensions: 16 },
      embeddingStatus: { state: "ready", embedded: chunkIds.length, total: chunkIds.length },
    });

    // A document that arrives later: the ingest job schedules this chatbot again, and only the new chunk is embedded.
    const late = await createKnowledgePassage(db, {
      workspaceId: ws.workspace.id,
      chatbotId: chatbot.id,
      title: "Late",
      content: "Arrived later.",
    });
    expect(await scheduleEmbeddings({ db, queue }, { workspaceId: ws.workspace.id, sourceId: late.source.id })).toBe(1);
    served.simulator.reset();
    await embedKnowledge.handle({ chatbotId: chatbot.id }, jobContext());
    expect(embeddingCalls().map((c) => (c.body as { input: string[] }).input)).toEqual([["Arrived later."]]);
  });

  it("a new model re-embeds in the background: the old vectors serve until every chunk has a new one, then are deleted", async () => {
    const { ws, chatbot, chunkIds, embedding } = await setup(4);
    await updateChatbot(ownerCtx(ws), chatbot.id, { retrieval: { embedding: embedding(16), similarityThreshold: 0 } });
    await embedKnowledge.handle({ chatbotId: chatbot.id }, jobContext());
    const oldKey = `OPENAI_COMPATIBLE:${MODEL}@16`;
    const newKey = `OPENAI_COMPATIBLE:${MODEL}@8`;

    const changed = await updateChatbot(ownerCtx(ws), chatbot.id, { retrieval: { embedding: embedding(8) } });
    expect(changed.retrieval).toMatchObject({
      embedding: embedding(8),
      activeEmbedding: { model: oldKey, dimensions: 16 },
      embeddingStatus: { state: "pending", embedded: 0, total: 4 },
    });
    const searching = async () => {
      const [row] = await db.select().from(chatbots).where(eq(chatbots.id, chatbot.id));
      return retrieve(db, row!, "Parcel arrives", {
        providers: { db, keyring: runtime.keyring, config: runtime.config },
      });
    };
    // Meanwhile the question is embedded with the old model (16 dimensions) and the old vectors answer.
    const before = await searching();
    expect(before.mode).toBe("hybrid");
    expect(before.items.filter((i) => i.vectorRank !== null)).toHaveLength(4);

    // The provider is down for the whole first attempt: retryable, thrown for the queue to retry; nothing switches.
    served.simulator.llm.state.addFault({ kind: "unavailable", times: Number.POSITIVE_INFINITY });
    await expect(embedKnowledge.handle({ chatbotId: chatbot.id }, jobContext(1))).rejects.toMatchObject({
      code: "provider_unavailable",
      retryable: true,
    });
    expect(await state(chatbot.id)).toMatchObject({ active: { model: oldKey }, state: "processing", target: newKey });
    served.simulator.llm.state.clearFaults();
    const meanwhile = await searching();
    expect(meanwhile.mode).toBe("hybrid");
    expect(meanwhile.items.filter((i) => i.vectorRank !== null)).toHaveLength(4);

    await embedKnowledge.handle({ chatbotId: chatbot.id }, jobContext(2));
    expect(await state(chatbot.id)).toMatchObject({ active: { model: newKey, dimensions: 8 }, state: "ready" });
    expect(await vectorsOf(ws.workspace.id, newKey)).toBe(chunkIds.length);
    expect(await vectorsOf(ws.workspace.id, oldKey)).toBe(0);
    const after = await searching();
    expect(after.mode).toBe("hybrid");
    expect(after.items.filter((i) => i.vectorRank !== null)).toHaveLength(4);
    const lastCall = embeddingCalls().at(-1)!.body as { dimensions?: number };
    expect(lastCall.dimensions).toBe(8);
  });

  it("a rejected key fails the embedding with a readable reason, shown by the chatbot's DTO", async () => {
    const { ws, chatbot, embedding } = await setup(2);
    served.simulator.llm.state.addFault({ kind: "invalid_key", key: KEY, times: Number.POSITIVE_INFINITY });
    await updateChatbot(ownerCtx(ws), chatbot.id, { retrieval: { embedding: embedding(16) } });
    await embedKnowledge.handle({ chatbotId: chatbot.id }, jobContext());

    const dto = await getChatbot(ownerCtx(ws), chatbot.id);
    expect(dto.retrieval.activeEmbedding).toBeNull();
    expect(dto.retrieval.embeddingStatus).toMatchObject({ state: "failed", embedded: 0, total: 2 });
    expect(dto.retrieval.embeddingStatus.error).toMatch(/401/);
    // Recorded for the chatbot's health, with the reason and never the key.
    const recorded = await db.select().from(chatbotErrors).where(eq(chatbotErrors.chatbotId, chatbot.id));
    expect(recorded).toEqual([
      expect.objectContaining({
        kind: "embedding",
        code: "embedding_failed",
        message: expect.stringMatching(/401/),
        provider: embedding(16).provider,
        model: embedding(16).model,
      }),
    ]);
    expect(recorded[0]!.message).not.toContain(KEY);

    // Saving the same model again (a fixed key) schedules a new attempt.
    served.simulator.llm.state.clearFaults();
    await updateChatbot(ownerCtx(ws), chatbot.id, { retrieval: { embedding: embedding(16) } });
    expect((await getChatbot(ownerCtx(ws), chatbot.id)).retrieval.embeddingStatus.state).toBe("pending");
    expect(await embedJobs(ws.workspace.id)).toHaveLength(2);
  });

  it("an outage that outlasts every attempt fails the embedding on the last one, with the reason", async () => {
    const { ws, chatbot, embedding } = await setup(1);
    await updateChatbot(ownerCtx(ws), chatbot.id, { retrieval: { embedding: embedding(16) } });
    served.simulator.llm.state.addFault({ kind: "unavailable", times: Number.POSITIVE_INFINITY });
    await embedKnowledge.handle({ chatbotId: chatbot.id }, jobContext(embedKnowledge.retry.attempts));
    expect(await state(chatbot.id)).toMatchObject({
      active: null,
      state: "failed",
      error: expect.stringMatching(/503.*gave up after 5 attempts/),
    });
  });

  it("refuses an embedding credential of another workspace or of another kind, and changes nothing", async () => {
    const { ws, chatbot } = await setup(1);
    const elsewhere = await createTestWorkspace(db);
    const foreign = await credential(elsewhere.workspace.id);
    const router = await credential(ws.workspace.id, "OPENROUTER");
    for (const credentialId of [foreign.id, router.id]) {
      await expect(
        updateChatbot(ownerCtx(ws), chatbot.id, {
          retrieval: { embedding: { credentialId, provider: "OPENAI_COMPATIBLE", model: MODEL } },
        }),
      ).rejects.toMatchObject({
        code: "invalid_credential",
        details: [expect.objectContaining({ path: "retrieval.embedding.credentialId" })],
      });
    }
    expect((await getChatbot(ownerCtx(ws), chatbot.id)).retrieval).toMatchObject({
      embedding: null,
      embeddingStatus: { state: "off" },
    });
    expect(await embedJobs(ws.workspace.id)).toHaveLength(0);
  });

  it("scheduleEmbeddings: a chatbot's own source schedules that chatbot, a shared one every chatbot with a model", async () => {
    const { ws, chatbot, embedding } = await setup(0);
    const second = await createChatbot(db, {
      workspaceId: ws.workspace.id,
      retrievalSettings: { embedding: embedding(16) },
    });
    const withoutModel = await createChatbot(db, { workspaceId: ws.workspace.id });
    await db
      .update(chatbots)
      .set({ retrievalSettings: { embedding: embedding(16) } })
      .where(eq(chatbots.id, chatbot.id));
    const own = await createKnowledgePassage(db, {
      workspaceId: ws.workspace.id,
      chatbotId: second.id,
      title: "Own",
      content: "x",
    });
    expect(await scheduleEmbeddings({ db, queue }, { workspaceId: ws.workspace.id, sourceId: own.source.id })).toBe(1);
    const shared = await createKnowledgePassage(db, { workspaceId: ws.workspace.id, title: "Shared", content: "y" });
    expect(await scheduleEmbeddings({ db, queue }, { workspaceId: ws.workspace.id, sourceId: shared.source.id })).toBe(
      2,
    );
    // Again with nothing new: the jobs collapse.
    expect(await scheduleEmbeddings({ db, queue }, { workspaceId: ws.workspace.id, sourceId: shared.source.id })).toBe(
      0,
    );
    const payloads = (await embedJobs(ws.workspace.id)).map((j) => (j.payload as { chatbotId: string }).chatbotId);
    expect(payloads).not.toContain(withoutModel.id);
    expect(new Set(payloads)).toEqual(new Set([chatbot.id, second.id]));
  });
});
