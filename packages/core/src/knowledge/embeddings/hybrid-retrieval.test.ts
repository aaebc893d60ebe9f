/**
 * Hybrid retrieval on PGlite (which bundles pgvector), the question embedded by the simulator's fake
 * OpenAI-compatible API over real HTTP. Where a test needs exact geometry, it stores chunk vectors
 * itself, built from the simulator's vector for the question (so nothing depends on how the simulator
 * computes its vectors).
 */
import { chatbots, type Db, providerCredentials, rowsOf } from "@tandem/db";
import { createChatbot, createKnowledgePassage, createWorkspace } from "@tandem/db/testing";
import { type ServedSimulator, serveSimulator } from "@tandem/simulator";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestRuntime } from "../../../../../tests/support/runtime.ts";
import { HANDOFF_MARKER } from "../../bots/prompt.ts";
import { RRF_K, retrieve } from "../../bots/retrieve-knowledge.ts";
import { createOfflineProvider } from "../../llm/offline.ts";
import { createOpenAiCompatibleProvider } from "../../llm/openai-compatible.ts";
import type { Runtime } from "../../runtime.ts";
import { embeddingKey, vectorIndexName } from "./embedding-key.ts";
import { vectorSupport } from "./vector-support.ts";

let runtime: Runtime;
let served: ServedSimulator;
let db: Db;

const DIMS = 16;
const MODEL = "nomic-embed-text";
const QUESTION = "When will my parcel arrive?";

beforeAll(async () => {
  runtime = await createTestRuntime();
  db = runtime.database.db;
  served = await serveSimulator();
});
afterAll(async () => {
  await served.close();
  await runtime.close();
});
beforeEach(() => served.simulator.reset());

const deps = () => ({ db, keyring: runtime.keyring, config: runtime.config });
const baseUrl = () => `${served.url}/llm/openai/v1`;

/** The simulator's vector of `text`, as the chatbot's embedding model computes it. */
async function simVector(text: string): Promise<number[]> {
  const provider = createOpenAiCompatibleProvider({ kind: "OPENAI_COMPATIBLE", baseUrl: baseUrl(), apiKey: "sk" });
  return (await provider.embed([text], { model: MODEL, dimensions: DIMS })).vectors[0]!;
}

const unit = (v: number[]) => {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};
/** A unit vector at cosine `similarity` from `q` (in the plane of q and a direction orthogonal to it). */
function atSimilarity(q: number[], similarity: number, seed = 1): number[] {
  const qn = unit(q);
  const r = qn.map((_, i) => Math.sin(i * 12.9898 + seed * 78.233));
  const dot = r.reduce((s, x, i) => s + x * qn[i]!, 0);
  const orth = unit(r.map((x, i) => x - dot * qn[i]!));
  const s = Math.sqrt(1 - similarity ** 2);
  return qn.map((x, i) => similarity * x + s * orth[i]!);
}

async function storeVector(workspaceId: string, chunkId: string, key: string, vector: number[]) {
  await db.execute(sql`
    INSERT INTO chunk_embedding (chunk_id, workspace_id, model, dimensions, embedding)
    VALUES (${chunkId}, ${workspaceId}, ${key}, ${vector.length}, ${`[${vector.join(",")}]`}::vector)`);
}

/** A workspace with a credential on the simulator and a chatbot whose vectors of `MODEL@16` are active. */
async function setup(settings: { similarityThreshold?: number; maxResults?: number } = {}) {
  const workspace = await createWorkspace(db);
  const [credential] = await db
    .insert(providerCredentials)
    .values({
      workspaceId: workspace.id,
      kind: "OPENAI_COMPATIBLE",
      apiKeyEncrypted: runtime.keyring.encrypt("sk-embed-0001"),
      keyHint: "••••0001",
      baseUrl: baseUrl(),
    })
    .returning();
  const embedding = {
    credentialId: credential!.id,
    provider: "OPENAI_COMPATIBLE" as const,
    model: MODEL,
    dimensions: DIMS,
  };
  const key = embeddingKey(embedding);
  const row = await createChatbot(db, { workspaceId: workspace.id, faqEntries: [] });
  const [chatbot] = await db
    .update(chatbots)
    .set({
      retrievalSettings: { ...settings, embedding },
      embeddingState: { active: { model: key, dimensions: DIMS }, activeSetting: embedding, state: "ready" },
    })
    .where(eq(chatbots.id, row.id))
    .returning();
  return { workspaceId: workspace.id, chatbot: chatbot!, key, credential: credential! };
}

const opposite = (v: number[]) => v.map((x) => -x);

describe("hybrid retrieval", () => {
  it("finds a passage that shares no word with the question by its vector alone, and a lexical one by full text", async () => {
    const { workspaceId, chatbot, key } = await setup();
    const q = await simVector(QUESTION);
    const lexical = await createKnowledgePassage(db, {
      workspaceId,
      chatbotId: chatbot.id,
      title: "Parcels",
      content: "Your parcel is handed to the courier the day after payment.",
    });
    const semantic = await createKnowledgePassage(db, {
      workspaceId,
      chatbotId: chatbot.id,
      title: "Delivery times",
      content: "Orders reach Bangkok addresses within two working days.",
    });
    await storeVector(workspaceId, semantic.chunk.id, key, q);
    await storeVector(workspaceId, lexical.chunk.id, key, opposite(q));

    const hybrid = await retrieve(db, chatbot, QUESTION, { providers: deps() });
    expect(hybrid.mode).toBe("hybrid");
    expect(hybrid.vectorNote).toBeNull();
    const bySemantic = hybrid.items.find((i) => i.id === semantic.chunk.id);
    expect(bySemantic).toMatchObject({ fullTextRank: null, fullTextScore: null, vectorRank: 1, kind: "passage" });
    expect(bySemantic!.vectorSimilarity).toBeCloseTo(1, 3);
    expect(bySemantic!.score).toBeCloseTo(1, 2);
    const byLexical = hybrid.items.find((i) => i.id === lexical.chunk.id);
    expect(byLexical).toMatchObject({ fullTextRank: 1, vectorRank: null, vectorSimilarity: null });
    expect(byLexical!.fullTextScore).toBeGreaterThan(0);

    // Without provider access (or an embedding model) the same question is answered by full text only.
    const fullText = await retrieve(db, chatbot, QUESTION);
    expect(fullText.mode).toBe("full_text");
    expect(fullText.vectorNote).toMatch(/provider/);
    expect(fullText.items.map((i) => i.id)).toEqual([lexical.chunk.id]);
  });

  it("applies the threshold to the vector similarity, not to the fused score", async () => {
    const { workspaceId, chatbot, key } = await setup({ similarityThreshold: 0.7 });
    const q = await simVector(QUESTION);
    const near = await createKnowledgePassage(db, {
      workspaceId,
      chatbotId: chatbot.id,
      title: "A",
      content: "Alpha.",
    });
    const far = await createKnowledgePassage(db, { workspaceId, chatbotId: chatbot.id, title: "B", content: "Beta." });
    await storeVector(workspaceId, near.chunk.id, key, atSimilarity(q, 0.8));
    await storeVector(workspaceId, far.chunk.id, key, atSimilarity(q, 0.6, 2));

    const strict = await retrieve(db, chatbot, QUESTION, { providers: deps() });
    expect(strict.similarityThreshold).toBe(0.7);
    expect(strict.items.map((i) => i.id)).toEqual([near.chunk.id]);
    expect(strict.items[0]!.vectorSimilarity).toBeCloseTo(0.8, 2);
    // The fused score of a first rank is 1/61, far under 0.7: it is never what the threshold compares.
    expect(strict.items[0]!.fusedScore).toBeCloseTo(1 / (RRF_K + 1), 6);

    const loose = await retrieve(
      db,
      { ...chatbot, retrievalSettings: { ...chatbot.retrievalSettings, similarityThreshold: 0.5 } },
      QUESTION,
      { providers: deps() },
    );
    expect(loose.items.map((i) => i.id)).toEqual([near.chunk.id, far.chunk.id]);
    expect(loose.items[1]!.vectorSimilarity).toBeCloseTo(0.6, 2);
  });

  it("orders by reciprocal rank fusion: found by both paths beats first place in one", async () => {
    const { workspaceId, chatbot, key } = await setup({ maxResults: 10 });
    const q = await simVector(QUESTION);
    // Full text: "lexicalOnly" matches best (most question words), "both" second.
    const lexicalOnly = await createKnowledgePassage(db, {
      workspaceId,
      chatbotId: chatbot.id,
      title: "Parcel arrival",
      content: "When will my parcel arrive? Your parcel will arrive when the courier arrives.",
    });
    const both = await createKnowledgePassage(db, {
      workspaceId,
      chatbotId: chatbot.id,
      title: "Shipping",
      content: "A parcel sent today arrives in three days.",
    });
    const vectorOnly = await createKnowledgePassage(db, {
      workspaceId,
      chatbotId: chatbot.id,
      title: "Couriers",
      content: "Kerry and Flash deliver for us.",
    });
    await storeVector(workspaceId, vectorOnly.chunk.id, key, q);
    await storeVector(workspaceId, both.chunk.id, key, atSimilarity(q, 0.9));
    await storeVector(workspaceId, lexicalOnly.chunk.id, key, opposite(q));

    const { items } = await retrieve(db, chatbot, QUESTION, { providers: deps() });
    const of = (id: string) => items.find((i) => i.id === id)!;
    expect(of(lexicalOnly.chunk.id)).toMatchObject({ fullTextRank: 1, vectorRank: null });
    expect(of(both.chunk.id)).toMatchObject({ fullTextRank: 2, vectorRank: 2 });
    expect(of(vectorOnly.chunk.id)).toMatchObject({ fullTextRank: null, vectorRank: 1 });
    expect(of(both.chunk.id).fusedScore).toBeCloseTo(1 / (RRF_K + 2) + 1 / (RRF_K + 2), 6);
    // Two first places tie at 1/61: the higher 0–1 score (similarity 1 against a lexical match) goes first.
    expect(of(vectorOnly.chunk.id).score).toBeGreaterThan(of(lexicalOnly.chunk.id).score);
    expect(items.map((i) => i.id)).toEqual([both.chunk.id, vectorOnly.chunk.id, lexicalOnly.chunk.id]);
    const fused = items.map((i) => i.fusedScore);
    expect([...fused].sort((a, b) => b - a)).toEqual(fused);
  });

  it("keeps other chatbots, other workspaces and filtered-out documents out of both paths", async () => {
    const { workspaceId, chatbot, key } = await setup();
    const q = await simVector(QUESTION);
    const content = "When will my parcel arrive? Within two days.";
    const mine = await createKnowledgePassage(db, {
      workspaceId,
      chatbotId: chatbot.id,
      title: "Mine",
      content,
      tags: ["shipping"],
    });
    const untagged = await createKnowledgePassage(db, {
      workspaceId,
      chatbotId: chatbot.id,
      title: "Untagged",
      content,
    });
    const otherBot = await createChatbot(db, { workspaceId });
    const theirs = await createKnowledgePassage(db, { workspaceId, chatbotId: otherBot.id, title: "Theirs", content });
    const elsewhere = await setup();
    const foreign = await createKnowledgePassage(db, { workspaceId: elsewhere.workspaceId, title: "Foreign", content });
    for (const p of [mine, untagged, theirs]) await storeVector(workspaceId, p.chunk.id, key, q);
    await storeVector(elsewhere.workspaceId, foreign.chunk.id, key, q);

    const all = await retrieve(db, chatbot, QUESTION, { providers: deps() });
    expect(all.items.map((i) => i.id).sort()).toEqual([mine.chunk.id, untagged.chunk.id].sort());
    expect(all.items.every((i) => i.fullTextRank !== null && i.vectorRank !== null)).toBe(true);

    const tagged = await retrieve(db, { ...chatbot, knowledgeFilters: { tags: ["shipping"] } }, QUESTION, {
      providers: deps(),
    });
    expect(tagged.items.map((i) => i.id)).toEqual([mine.chunk.id]);
    expect(tagged.items[0]).toMatchObject({ fullTextRank: 1, vectorRank: 1 });
  });

  it("answers from full text, with the reason, when embedding the question fails", async () => {
    const { workspaceId, chatbot, key } = await setup();
    const passage = await createKnowledgePassage(db, {
      workspaceId,
      chatbotId: chatbot.id,
      title: "Parcels",
      content: "Your parcel will arrive within two days.",
    });
    await storeVector(workspaceId, passage.chunk.id, key, await simVector(QUESTION));
    served.simulator.llm.state.addFault({ kind: "invalid_key", times: Number.POSITIVE_INFINITY });

    const result = await retrieve(db, chatbot, QUESTION, { providers: deps() });
    expect(result.mode).toBe("full_text");
    expect(result.vectorNote).toMatch(/embedding the question failed.*401/);
    expect(result.items).toHaveLength(1);
    expect(result.items[0]).toMatchObject({ id: passage.chunk.id, fullTextRank: 1, vectorSimilarity: null });
  });

  it("finds a chatbot's nearest chunks through the per-key HNSW index when other workspaces fill the neighbourhood", async () => {
    const { workspaceId, chatbot, key } = await setup({ similarityThreshold: 0.5, maxResults: 5 });
    expect((await vectorSupport(db)).iterativeScan).toBe(true);
    const q = await simVector(QUESTION);
    // Another workspace holds 99 % of the vectors, all nearer to the question than ours.
    const crowd = await setup();
    const filler = await createKnowledgePassage(db, { workspaceId: crowd.workspaceId, title: "x", content: "x" });
    const rows = Array.from({ length: 300 }, (_, i) => ({
      i,
      v: atSimilarity(q, 0.97 + (i % 20) / 1000, i + 10),
    }));
    await db.execute(sql`
      INSERT INTO chunk (id, workspace_id, document_id, source_id, ordinal, content)
      SELECT 'chk_crowd_' || x.i, ${crowd.workspaceId}, ${filler.document.id}, ${filler.source.id}, x.i + 1, 'crowd ' || x.i
      FROM jsonb_to_recordset(${JSON.stringify(rows.map(({ i }) => ({ i })))}::jsonb) AS x(i int)`);
    await db.execute(sql`
      INSERT INTO chunk_embedding (chunk_id, workspace_id, model, dimensions, embedding)
      SELECT 'chk_crowd_' || x.i, ${crowd.workspaceId}, ${key}, ${DIMS}, x.v::vector
      FROM jsonb_to_recordset(${JSON.stringify(rows.map(({ i, v }) => ({ i, v: `[${v.join(",")}]` })))}::jsonb) AS x(i int, v text)`);
    const ours = [];
    for (const [n, similarity] of [0.9, 0.85, 0.8].entries()) {
      const p = await createKnowledgePassage(db, {
        workspaceId,
        chatbotId: chatbot.id,
        title: `Ours ${n}`,
        content: `Zeta ${n}.`,
      });
      await storeVector(workspaceId, p.chunk.id, key, atSimilarity(q, similarity, 100 + n));
      ours.push(p.chunk.id);
    }

    const result = await retrieve(db, chatbot, QUESTION, { providers: deps(), exactScanBelow: 0 });
    expect(result.items.map((i) => i.id)).toEqual(ours);
    const indexes = rowsOf<{ indexname: string; indexdef: string }>(
      await db.execute(sql`SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'chunk_embedding'`),
    );
    const index = indexes.find((i) => i.indexname === vectorIndexName(key, DIMS));
    expect(index?.indexdef).toMatch(/USING hnsw .*vector\(16\).*vector_cosine_ops.*WHERE/);

    // The exact scan (few chunks) gives the same answer.
    const exact = await retrieve(db, chatbot, QUESTION, { providers: deps() });
    expect(exact.items.map((i) => i.id)).toEqual(ours);
  });

  it("the offline provider answers from the best document passage retrieved, and hands off below its threshold", async () => {
    const { workspaceId, chatbot } = await setup();
    await createKnowledgePassage(db, {
      workspaceId,
      chatbotId: chatbot.id,
      title: "Returns policy",
      content:
        "We accept returns within 30 days. Items must be unused and in their original box. Refunds reach your card within 5 working days.",
    });
    const offline = createOfflineProvider({ threshold: 0.35 });
    const ask = async (question: string) => {
      const { items } = await retrieve(db, chatbot, question, { providers: deps() });
      return offline.generate({ model: "", messages: [{ role: "user", content: question }], knowledge: items });
    };

    const answered = await ask("How long does a refund take to reach my card?");
    expect(answered.text).toMatch(/^From “Returns policy”: .*Refunds reach your card within 5 working days\./);
    expect(answered.confidence).toBeGreaterThanOrEqual(0.35);
    expect(answered.sourceIds).toHaveLength(1);

    const unrelated = await ask("Do you sell gift cards?");
    expect(unrelated).toMatchObject({ text: HANDOFF_MARKER, sourceIds: [] });
    expect(unrelated.confidence).toBeLessThan(0.35);
  });
});
