/**
 * Top queries grouped by meaning (docs/analytics.md), on PGlite, the questions embedded by the
 * simulator's fake OpenAI-compatible embeddings over real HTTP (they put paraphrases near each other:
 * packages/simulator/src/llm/embed.ts and concepts.ts).
 */
import { analyticsQueryEmbeddings, chatbots, type Db, feedback, providerCredentials } from "@tandem/db";
import {
  createChatbot,
  createConversation,
  createMessage,
  createTestWorkspace,
  type TestWorkspace,
} from "@tandem/db/testing";
import { type ServedSimulator, serveSimulator } from "@tandem/simulator";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestRuntime } from "../../../../tests/support/runtime.ts";
import type { Ctx } from "../context.ts";
import type { Logger } from "../logger.ts";
import { silentLogger } from "../logger.ts";
import { providerDeps } from "../providers/provider-deps.ts";
import type { Runtime } from "../runtime.ts";
import { CLUSTER_SIMILARITY, mergeBySimilarity } from "./cluster-queries.ts";
import { getAnalytics, getChatbotAnalytics } from "./get-analytics.ts";

let runtime: Runtime;
let served: ServedSimulator;
let db: Db;
const KEY = "sk-cluster-test-0001";

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

const embeddingCalls = () => served.simulator.llm.state.calls.filter((c) => c.path.endsWith("/embeddings"));

function ownerCtx(ws: TestWorkspace, log: Logger = silentLogger): Ctx {
  return {
    db,
    workspaceId: ws.workspace.id,
    actor: { type: "user", userId: ws.owner.user.id, memberId: ws.owner.member.id, role: "OWNER" },
    log,
  };
}

/** A logger that keeps its warnings. */
function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const log = {
    ...silentLogger,
    warnings,
    warn: (_obj: unknown, msg?: string) => {
      warnings.push(msg ?? "");
    },
    child: () => log,
  } as unknown as Logger & { warnings: string[] };
  return log;
}

/**
 * The customers' questions of today: delivery time asked three ways, a refund two ways, and three
 * unrelated questions. The answers to two delivery phrasings are rated.
 */
async function setup(options: { embedding?: boolean } = {}) {
  const ws = await createTestWorkspace(db);
  const workspaceId = ws.workspace.id;
  const [cred] = await db
    .insert(providerCredentials)
    .values({
      workspaceId,
      kind: "OPENAI_COMPATIBLE",
      name: "Embeddings",
      apiKeyEncrypted: runtime.keyring.encrypt(KEY),
      keyHint: "••••0001",
      baseUrl: `${served.url}/llm/openai/v1`,
    })
    .returning();
  const chatbot = await createChatbot(db, { workspaceId });
  if (options.embedding !== false) {
    await db
      .update(chatbots)
      .set({
        retrievalSettings: {
          embedding: {
            credentialId: cred!.id,
            provider: "OPENAI_COMPATIBLE",
            model: "nomic-embed-text",
            dimensions: 256,
          },
        },
      })
      .where(eq(chatbots.id, chatbot.id));
  }
  const asked: [string, number][] = [
    ["How long does delivery take?", 4],
    ["how long does shipping take", 3],
    ["How many days for delivery", 2],
    ["Can I get a refund?", 3],
    ["refund please", 1],
    ["What are your opening hours?", 2],
    ["Do you have this in red?", 1],
    ["Can I pay by credit card?", 1],
  ];
  const now = Date.now();
  let n = 0;
  const ratedAnswers: { text: string; rating: "helpful" | "not_helpful" }[] = [
    { text: "how long does shipping take", rating: "helpful" },
    { text: "How many days for delivery", rating: "not_helpful" },
    { text: "How long does delivery take?", rating: "helpful" },
  ];
  for (const [text, times] of asked) {
    for (let i = 0; i < times; i++) {
      const conversation = await createConversation(db, { workspaceId, chatbotId: chatbot.id });
      const at = new Date(now - 60 * 60_000 + ++n * 1000);
      await createMessage(db, { conversationId: conversation.id, text, createdAt: at });
      const rated = i === 0 ? ratedAnswers.find((r) => r.text === text) : undefined;
      if (rated) {
        const answer = await createMessage(db, {
          conversationId: conversation.id,
          role: "BOT",
          status: "sent",
          text: "Two to four days.",
          createdAt: new Date(at.getTime() + 500),
        });
        await db.insert(feedback).values({
          workspaceId,
          messageId: answer.id,
          conversationId: conversation.id,
          rating: rated.rating,
          identifier: `visitor:${answer.id}`,
        });
      }
    }
  }
  return { ws, chatbot };
}

describe("top queries grouped by meaning", () => {
  it("merges paraphrases under the most frequent text, adds their counts and ratings, and keeps unrelated questions apart", async () => {
    const { ws, chatbot } = await setup();
    const result = await getChatbotAnalytics(ownerCtx(ws), chatbot.id, { period: "7d" }, providerDeps(runtime));
    expect(result.topQueries).toEqual([
      { query: "how long does delivery take", count: 9, avgSatisfaction: 0.6667 },
      { query: "can i get a refund", count: 4, avgSatisfaction: null },
      { query: "what are your opening hours", count: 2, avgSatisfaction: null },
      { query: "can i pay by credit card", count: 1, avgSatisfaction: null },
      { query: "do you have this in red", count: 1, avgSatisfaction: null },
    ]);
    // One call for the eight distinct texts.
    expect(embeddingCalls()).toHaveLength(1);
    expect((embeddingCalls()[0]!.body as { input: string[] }).input).toHaveLength(8);

    // The workspace endpoint filtered to the chatbot groups the same way, from the stored vectors.
    const filtered = await getAnalytics(ownerCtx(ws), { period: "7d", chatbotId: chatbot.id }, providerDeps(runtime));
    expect(filtered.topQueries).toEqual(result.topQueries);
    expect(embeddingCalls()).toHaveLength(1);
    const stored = await db
      .select()
      .from(analyticsQueryEmbeddings)
      .where(eq(analyticsQueryEmbeddings.workspaceId, ws.workspace.id));
    expect(stored).toHaveLength(8);
    expect(stored[0]!.model).toBe("OPENAI_COMPATIBLE:nomic-embed-text@256");
    expect(stored[0]!.embedding).toHaveLength(256);
  });

  it("groups by exact text for the whole workspace and for a chatbot without an embedding model", async () => {
    const exact = [
      { query: "how long does delivery take", count: 4, avgSatisfaction: 1 },
      { query: "can i get a refund", count: 3, avgSatisfaction: null },
      { query: "how long does shipping take", count: 3, avgSatisfaction: 1 },
    ];
    const withModel = await setup();
    const workspace = await getAnalytics(ownerCtx(withModel.ws), { period: "7d" }, providerDeps(runtime));
    expect(workspace.topQueries.slice(0, 3)).toEqual(exact);
    expect(workspace.topQueries).toHaveLength(8);

    const without = await setup({ embedding: false });
    const plain = await getChatbotAnalytics(
      ownerCtx(without.ws),
      without.chatbot.id,
      { period: "7d" },
      providerDeps(runtime),
    );
    expect(plain.topQueries.slice(0, 3)).toEqual(exact);
    expect(embeddingCalls()).toHaveLength(0);
  });

  it("falls back to exact text, and logs why, when the provider fails", async () => {
    const { ws, chatbot } = await setup();
    served.simulator.llm.state.addFault({ kind: "invalid_key", times: Number.POSITIVE_INFINITY });
    const log = recordingLogger();
    const result = await getChatbotAnalytics(ownerCtx(ws, log), chatbot.id, { period: "7d" }, providerDeps(runtime));
    expect(result.topQueries.map((q) => [q.query, q.count])).toEqual([
      ["how long does delivery take", 4],
      ["can i get a refund", 3],
      ["how long does shipping take", 3],
      ["how many days for delivery", 2],
      ["what are your opening hours", 2],
      ["can i pay by credit card", 1],
      ["do you have this in red", 1],
      ["refund please", 1],
    ]);
    expect(log.warnings).toContain("top queries grouped by exact text: embedding them failed");
    expect(
      await db.select().from(analyticsQueryEmbeddings).where(eq(analyticsQueryEmbeddings.workspaceId, ws.workspace.id)),
    ).toEqual([]);
  });
});

describe("mergeBySimilarity", () => {
  const q = (query: string, count: number) => ({ query, count, helpful: 0, notHelpful: 0 });
  it("compares with each group's leader only, so similarity does not chain", () => {
    // b is near a and c is near b, but c is not near a: c starts its own group.
    const a = [1, 0];
    const angle = Math.acos(CLUSTER_SIMILARITY) * 0.9;
    const b = [Math.cos(angle), Math.sin(angle)];
    const c = [Math.cos(2 * angle), Math.sin(2 * angle)];
    expect(mergeBySimilarity([q("a", 5), q("b", 3), q("c", 2)], [a, b, c]).map((g) => [g.query, g.count])).toEqual([
      ["a", 8],
      ["c", 2],
    ]);
  });
});
