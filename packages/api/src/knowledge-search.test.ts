/**
 * Retrieval testing (`POST /api/v1/chatbots/{id}/knowledge/search`) and the chatbot's `retrieval`
 * settings over HTTP, on PGlite (pgvector bundled), vectors from the simulator over real HTTP.
 */
import type { ChatbotDto, KnowledgeSearchResponse } from "@tandem/contracts";
import { DEMO_FAQ, embedKnowledge, type Runtime } from "@tandem/core";
import { chunkEmbeddings, chunks, jobs, providerCredentials } from "@tandem/db";
import { createChatbot, createKnowledgePassage } from "@tandem/db/testing";
import { type ServedSimulator, serveSimulator } from "@tandem/simulator";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { TestClient } from "../../../tests/support/api-client.ts";
import { attachTestQueue, createTestRuntime } from "../../../tests/support/runtime.ts";
import { createSignInWorkspace, TEST_PASSWORD } from "../../../tests/support/workspace.ts";
import { createApp } from "./app.ts";

let runtime: Runtime;
let app: ReturnType<typeof createApp>;
let served: ServedSimulator;

beforeAll(async () => {
  served = await serveSimulator();
  runtime = await createTestRuntime();
  attachTestQueue(runtime);
  app = createApp(runtime);
});
afterAll(async () => {
  await runtime.close();
  await served.close();
});
beforeEach(() => served.simulator.reset());

const db = () => runtime.database.db;

async function signedIn(email: string) {
  const client = new TestClient(app);
  expect((await client.signIn(email, TEST_PASSWORD)).status).toBe(200);
  return client;
}

async function setup() {
  const ws = await createSignInWorkspace(runtime);
  const workspaceId = ws.workspace.id;
  const bot = await createChatbot(db(), {
    workspaceId,
    providerKind: "OFFLINE",
    model: "offline-faq",
    faqEntries: DEMO_FAQ,
  });
  const [credential] = await db()
    .insert(providerCredentials)
    .values({
      workspaceId,
      kind: "OPENAI_COMPATIBLE",
      apiKeyEncrypted: runtime.keyring.encrypt("sk-search-0001"),
      keyHint: "••••0001",
      baseUrl: `${served.url}/llm/openai/v1`,
    })
    .returning();
  const passage = await createKnowledgePassage(db(), {
    workspaceId,
    chatbotId: bot.id,
    title: "Gift wrapping",
    content: "Gift wrapping costs 50 THB per item and is chosen at checkout.",
  });
  return {
    ws,
    bot,
    credential: credential!,
    passage,
    admin: await signedIn(ws.admin.user.email),
    agent: await signedIn(ws.agent.user.email),
  };
}

/** Runs the chatbot's `embed-knowledge` job here and now, as the queue would. */
async function runEmbedKnowledge(chatbotId: string) {
  await embedKnowledge.handle(
    { chatbotId },
    {
      db: db(),
      log: runtime.log,
      config: runtime.config,
      keyring: runtime.keyring,
      realtime: runtime.realtime,
      limiter: runtime.limiter,
      channels: runtime.channels,
      queue: runtime.queue!,
      jobId: `job_embed_${chatbotId}`,
      jobKey: null,
      name: embedKnowledge.name,
      attempt: 1,
      maxAttempts: 5,
      signal: new AbortController().signal,
    },
  );
}

describe("POST /api/v1/chatbots/{id}/knowledge/search", () => {
  it("ranks passages and FAQ entries as the bot would, full text only until an embedding model is active", async () => {
    const { bot, passage, admin } = await setup();
    const res = await admin.post(`/api/v1/chatbots/${bot.id}/knowledge/search`, {
      query: "How much is gift wrapping?",
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as KnowledgeSearchResponse;
    expect(body).toMatchObject({
      mode: "full_text",
      vectorNote: "no embedding model is set for this chatbot",
      similarityThreshold: 0.7,
    });
    expect(body.results[0]).toMatchObject({
      chunkId: passage.chunk.id,
      documentId: passage.document.id,
      sourceId: passage.source.id,
      kind: "passage",
      title: "Gift wrapping",
      fullTextRank: 1,
      vectorRank: null,
      vectorSimilarity: null,
    });
    expect(body.results[0]!.fusedScore).toBeCloseTo(1 / 61, 6);
    expect(body.timings.totalMs).toBeGreaterThanOrEqual(0);
  });

  it("goes hybrid once the chatbot's vectors are computed (PATCH retrieval → embed-knowledge)", async () => {
    const { bot, credential, passage, admin } = await setup();
    const embedding = {
      credentialId: credential.id,
      provider: "OPENAI_COMPATIBLE",
      model: "nomic-embed-text",
      dimensions: 32,
    };
    const patched = await admin.patch(`/api/v1/chatbots/${bot.id}`, {
      retrieval: { embedding, similarityThreshold: 0 },
    });
    expect(patched.status).toBe(200);
    const dto = (await patched.json()) as ChatbotDto;
    expect(dto.retrieval).toMatchObject({
      embedding,
      similarityThreshold: 0,
      maxResults: 5,
      embeddingStatus: { state: "pending", embedded: 0, total: 1 },
      vectorSearchAvailable: true,
    });

    await embedKnowledge.handle(
      { chatbotId: bot.id },
      {
        db: db(),
        log: runtime.log,
        config: runtime.config,
        keyring: runtime.keyring,
        realtime: runtime.realtime,
        limiter: runtime.limiter,
        channels: runtime.channels,
        queue: runtime.queue!,
        jobId: "job_search_test",
        jobKey: null,
        name: embedKnowledge.name,
        attempt: 1,
        maxAttempts: 5,
        signal: new AbortController().signal,
      },
    );

    const res = await admin.post(`/api/v1/chatbots/${bot.id}/knowledge/search`, {
      query: "How much is gift wrapping?",
      limit: 3,
    });
    const body = (await res.json()) as KnowledgeSearchResponse;
    expect(body).toMatchObject({ mode: "hybrid", vectorNote: null, similarityThreshold: 0 });
    const found = body.results.find((r) => r.chunkId === passage.chunk.id)!;
    expect(found.fullTextRank).not.toBeNull();
    expect(found.vectorRank).not.toBeNull();
    expect(found.vectorSimilarity).toEqual(expect.any(Number));
    expect(body.results.length).toBeLessThanOrEqual(3);
  });

  it("embeds knowledge added later in the background: a new FAQ entry is scheduled and gets its vector", async () => {
    const { bot, credential, admin } = await setup();
    const embedding = {
      credentialId: credential.id,
      provider: "OPENAI_COMPATIBLE",
      model: "nomic-embed-text",
      dimensions: 32,
    };
    expect((await admin.patch(`/api/v1/chatbots/${bot.id}`, { retrieval: { embedding } })).status).toBe(200);
    await runEmbedKnowledge(bot.id);
    // The job the PATCH queued has run (here, by hand): the queue is empty again.
    await db().delete(jobs).where(eq(jobs.name, "embed-knowledge"));

    const source = await (await admin.post("/api/v1/knowledge/sources", { name: "Payments", type: "faq" })).json();
    const created = await admin.post(`/api/v1/knowledge/sources/${source.id}/faq`, {
      question: "Can I pay with PromptPay?",
      answer: "Yes, PromptPay QR is accepted at checkout.",
    });
    expect(created.status).toBe(201);
    const entry = await created.json();
    const scheduled = await db()
      .select()
      .from(jobs)
      .where(and(eq(jobs.name, "embed-knowledge"), eq(jobs.status, "waiting")));
    expect(scheduled.map((j) => (j.payload as { chatbotId: string }).chatbotId)).toContain(bot.id);

    await runEmbedKnowledge(bot.id);
    const vectors = await db()
      .select({ model: chunkEmbeddings.model })
      .from(chunkEmbeddings)
      .innerJoin(chunks, eq(chunks.id, chunkEmbeddings.chunkId))
      .where(eq(chunks.documentId, entry.id));
    expect(vectors).toHaveLength(1);
  });

  it("400 on a bad body, 404 for another workspace's chatbot, 403 for an agent", async () => {
    const { bot, admin, agent } = await setup();
    const other = await setup();
    const url = `/api/v1/chatbots/${bot.id}/knowledge/search`;

    const empty = await admin.post(url, { query: "   " });
    expect(empty.status).toBe(400);
    expect((await empty.json()).error.code).toBe("invalid_input");
    const unknown = await admin.post(url, { query: "gift", extra: 1 });
    expect(unknown.status).toBe(400);
    const tooMany = await admin.post(url, { query: "gift", limit: 51 });
    expect(tooMany.status).toBe(400);

    const foreign = await other.admin.post(url, { query: "gift" });
    expect(foreign.status).toBe(404);
    expect((await foreign.json()).error.code).toBe("chatbot_not_found");

    const forbidden = await agent.post(url, { query: "gift" });
    expect(forbidden.status).toBe(403);
  });
});

describe("retrieval in the API's self-description", () => {
  it("documents the search route with its permission, and health tells the retrieval mode", async () => {
    const doc = await (await app.request("/api/v1/openapi.json")).json();
    const route = doc.paths["/api/v1/chatbots/{chatbotId}/knowledge/search"].post;
    expect(route["x-permission"]).toBe("knowledge.manage");
    const { owner } = await setup().then(async (s) => ({ owner: await signedIn(s.ws.owner.user.email) }));
    const health = await (await owner.get("/api/v1/health")).json();
    expect(health.vector).toEqual({ available: true, retrieval: "hybrid" });
  });
});

describe("PATCH /api/v1/chatbots/{id} retrieval", () => {
  it("refuses OFFLINE and OPENROUTER embeddings, bad thresholds and a foreign credential, changing nothing", async () => {
    const { bot, admin } = await setup();
    const other = await setup();
    const url = `/api/v1/chatbots/${bot.id}`;
    for (const retrieval of [
      { embedding: { provider: "OFFLINE", model: "x" } },
      { embedding: { provider: "OPENROUTER", model: "x" } },
      { similarityThreshold: 1.5 },
      { maxResults: 0 },
    ]) {
      const res = await admin.patch(url, { retrieval });
      expect(res.status, JSON.stringify(retrieval)).toBe(400);
    }
    const foreign = await admin.patch(url, {
      retrieval: {
        embedding: { credentialId: other.credential.id, provider: "OPENAI_COMPATIBLE", model: "nomic-embed-text" },
      },
    });
    expect(foreign.status).toBe(400);
    expect((await foreign.json()).error).toMatchObject({
      code: "invalid_credential",
      details: [expect.objectContaining({ path: "retrieval.embedding.credentialId" })],
    });
    const dto = (await (await admin.get(url)).json()) as ChatbotDto;
    expect(dto.retrieval).toMatchObject({ similarityThreshold: 0.7, maxResults: 5, embedding: null });
  });

  it("merges: a PATCH of one field keeps the others; embedding null turns vectors off", async () => {
    const { bot, credential, admin } = await setup();
    const url = `/api/v1/chatbots/${bot.id}`;
    const embedding = { credentialId: credential.id, provider: "OPENAI_COMPATIBLE", model: "nomic-embed-text" };
    await admin.patch(url, { retrieval: { maxResults: 8, embedding } });
    const merged = (await (await admin.patch(url, { retrieval: { similarityThreshold: 0.5 } })).json()) as ChatbotDto;
    expect(merged.retrieval).toMatchObject({ maxResults: 8, similarityThreshold: 0.5, embedding });
    const off = (await (await admin.patch(url, { retrieval: { embedding: null } })).json()) as ChatbotDto;
    expect(off.retrieval).toMatchObject({
      maxResults: 8,
      embedding: null,
      activeEmbedding: null,
      embeddingStatus: { state: "off" },
    });
  });
});
