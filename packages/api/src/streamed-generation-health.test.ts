/**
 * Streamed generations and failed retrieval in the chatbot's health and the LLM metrics (issue #15):
 * an answer streamed by the public chat API or the playground counts in `tandem_llm_*` like a whole
 * one; a streamed public answer's latency and its failure count in `GET /chatbots/{id}/health`; a
 * question whose embedding fails — during a reply, a playground message (or compare) or an AI draft —
 * is recorded (`chatbot_error`, kind `retrieval`) and counted, and the answer still comes from full
 * text. On PGlite, the provider being the simulator's fake OpenAI over real HTTP.
 */
import type { ChatbotHealthDto } from "@tandem/contracts";
import { DEMO_FAQ, type Runtime, renderMetrics } from "@tandem/core";
import { chatbotErrors, chatbots, playgroundSessions, providerCredentials } from "@tandem/db";
import { createChatbot, createConversation, createMessage } from "@tandem/db/testing";
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
  // Producer only: the reply job's safety net stays in the `job` table.
  attachTestQueue(runtime);
  app = createApp(runtime, { public: { rateLimit: { limit: 100_000, windowMs: 60_000 } } });
});
afterAll(async () => {
  await runtime.close();
  await served.close();
});
beforeEach(() => served.simulator.llm.state.reset());

const db = () => runtime.database.db;
const llm = () => served.simulator.llm.state;
const SSE = { accept: "text/event-stream" };
const MODEL = "llama3.1:8b";

/** A sample of this process' `/api/metrics` (0 when the series has none yet). */
function sample(name: string, labels: string): number {
  const line = renderMetrics([])
    .split("\n")
    .find((l) => l.startsWith(`${name}{${labels}} `));
  return line ? Number(line.split(" ").at(-1)) : 0;
}
const llmCalls = (outcome: "ok" | "error") =>
  sample("tandem_llm_request_duration_seconds_count", `provider="OPENAI_COMPATIBLE",outcome="${outcome}"`);
const llmErrors = (code: string) => sample("tandem_llm_errors_total", `provider="OPENAI_COMPATIBLE",code="${code}"`);

/** An active chatbot answering with the fake OpenAI, its API key, and a signed-in ADMIN. */
async function setup() {
  const ws = await createSignInWorkspace(runtime);
  const workspaceId = ws.workspace.id;
  const [credential] = await db()
    .insert(providerCredentials)
    .values({
      workspaceId,
      kind: "OPENAI_COMPATIBLE",
      apiKeyEncrypted: runtime.keyring.encrypt("sk-stream-health-0001"),
      keyHint: "••••0001",
      baseUrl: `${served.url}/llm/openai/v1`,
      defaultModel: MODEL,
    })
    .returning();
  const bot = await createChatbot(db(), {
    workspaceId,
    status: "active",
    providerKind: "OPENAI_COMPATIBLE",
    credentialId: credential!.id,
    model: MODEL,
    faqEntries: DEMO_FAQ,
  });
  const admin = new TestClient(app);
  expect((await admin.signIn(ws.admin.user.email, TEST_PASSWORD)).status).toBe(200);
  const token = await admin.post(`/api/v1/chatbots/${bot.id}/regenerate-token`);
  expect(token.status).toBe(200);
  const key = ((await token.json()) as { apiKey: string }).apiKey;
  return { ws, bot, admin, key, credentialId: credential!.id };
}
type Setup = Awaited<ReturnType<typeof setup>>;

function ask(s: Setup, sessionId: string, message: string, headers: Record<string, string> = {}) {
  return app.request(`http://localhost:3000/api/v1/public/chat/${s.bot.id}/messages`, {
    method: "POST",
    headers: { "x-api-key": s.key, "content-type": "application/json", ...headers },
    body: JSON.stringify({ sessionId, message }),
  });
}

async function health(s: Setup): Promise<ChatbotHealthDto> {
  const res = await s.admin.get(`/api/v1/chatbots/${s.bot.id}/health`);
  expect(res.status).toBe(200);
  return (await res.json()) as ChatbotHealthDto;
}

describe("streamed generations", () => {
  it("a public answer streamed counts in the LLM metrics and in the chatbot's replies and latency", async () => {
    const s = await setup();
    const before = llmCalls("ok");
    llm().addReply({ reply: "Orders ship within one business day." });
    const res = await ask(s, "stream-ok", "How long does shipping take?", SSE);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain("event: message.completed");
    expect(text).toContain("Orders ship within one business day.");

    expect(llmCalls("ok")).toBe(before + 1);
    const h = await health(s);
    expect(h.checks.llmService).toMatchObject({ repliesLastHour: 1, failedGenerationsLastHour: 0, errorRate: 0 });
    expect(h.checks.llmService.avgResponseTime).toEqual(expect.any(Number));
  });

  it("a public stream the provider refuses counts as an LLM error and a failed generation", async () => {
    const s = await setup();
    const before = { error: llmCalls("error"), auth: llmErrors("provider_auth_failed") };
    llm().addFault({ kind: "invalid_key", times: 1 });
    const res = await ask(s, "stream-refused", "How long does shipping take?", SSE);
    expect(res.status).toBe(200);
    // Not retryable: handed off, the customer told a person will answer.
    expect(await res.text()).toContain("event: handoff");

    expect(llmCalls("error")).toBe(before.error + 1);
    expect(llmErrors("provider_auth_failed")).toBe(before.auth + 1);
    const h = await health(s);
    expect(h.checks.llmService).toMatchObject({ repliesLastHour: 0, failedGenerationsLastHour: 1, status: "down" });
    expect(h.lastError).toMatchObject({ kind: "generation", code: "provider_auth_failed" });
  });

  it("a playground answer streamed counts in the LLM metrics (the playground stays out of the health)", async () => {
    const s = await setup();
    await db().update(chatbots).set({ status: "testing" }).where(eq(chatbots.id, s.bot.id));
    const base = `/api/v1/chatbots/${s.bot.id}/playground`;
    const session = await s.admin.post(`${base}/sessions`, {});
    expect(session.status).toBe(201);
    const sessionId = ((await session.json()) as { id: string }).id;
    const before = llmCalls("ok");
    llm().addReply({ reply: "Two to four days." });
    const res = await s.admin.post(`${base}/chat`, { sessionId, message: "How long does shipping take?" }, SSE);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("event: message.completed");
    expect(llmCalls("ok")).toBe(before + 1);

    const beforeError = llmCalls("error");
    llm().addFault({ kind: "server_error", times: Number.POSITIVE_INFINITY });
    const failed = await s.admin.post(`${base}/chat`, { sessionId, message: "And to Japan?" }, SSE);
    expect(await failed.text()).toContain('event: error\ndata: {"code":"provider_unavailable"');
    expect(llmCalls("error")).toBe(beforeError + 1);
    llm().clearFaults();

    expect((await health(s)).checks.llmService.repliesLastHour).toBe(0);
  });
});

describe("retrieval failures", () => {
  const EMBED_KEY = "sk-embed-health-0002";

  /**
   * The chatbot searches vectors of `nomic-embed-text` (16 dimensions, already embedded) with its
   * own credential; with `failing`, every call with that key is refused (the generation answers).
   */
  async function useEmbeddingModel(s: Setup, { failing }: { failing: boolean }) {
    const [credential] = await db()
      .insert(providerCredentials)
      .values({
        workspaceId: s.ws.workspace.id,
        kind: "OPENAI_COMPATIBLE",
        name: "Embeddings",
        apiKeyEncrypted: runtime.keyring.encrypt(EMBED_KEY),
        keyHint: "••••0002",
        baseUrl: `${served.url}/llm/openai/v1`,
      })
      .returning();
    const embedding = {
      credentialId: credential!.id,
      provider: "OPENAI_COMPATIBLE" as const,
      model: "nomic-embed-text",
      dimensions: 16,
    };
    await db()
      .update(chatbots)
      .set({
        retrievalSettings: { embedding },
        embeddingState: {
          active: { model: "OPENAI_COMPATIBLE:nomic-embed-text@16", dimensions: 16 },
          activeSetting: embedding,
          state: "ready",
        },
      })
      .where(eq(chatbots.id, s.bot.id));
    if (failing) llm().addFault({ kind: "invalid_key", key: EMBED_KEY, times: Number.POSITIVE_INFINITY });
  }

  const retrievalErrors = (s: Setup) =>
    db()
      .select()
      .from(chatbotErrors)
      .where(and(eq(chatbotErrors.chatbotId, s.bot.id), eq(chatbotErrors.kind, "retrieval")));

  /** The health shows the vector search failing `n` times this hour, the last one the refused key. */
  async function expectDegraded(s: Setup, n: number) {
    const h = await health(s);
    expect(h.checks.vectorSearch).toMatchObject({ status: "degraded", failuresLastHour: n });
    expect(h.lastError).toMatchObject({ kind: "retrieval", code: "provider_auth_failed", model: "nomic-embed-text" });
  }

  it("a question that cannot be embedded during a reply is recorded and counted; the answer still goes out", async () => {
    const s = await setup();
    await useEmbeddingModel(s, { failing: true });
    llm().addReply({ reply: "Orders ship within one business day." });
    const res = await ask(s, "retrieval-1", "How long does shipping take?");
    expect(res.status).toBe(200);
    expect(((await res.json()) as { response: string }).response).toBe("Orders ship within one business day.");
    expect(llm().calls.map((c) => c.path.split("/").at(-1))).toEqual(["embeddings", "completions"]);

    const rows = await db().select().from(chatbotErrors).where(eq(chatbotErrors.chatbotId, s.bot.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      kind: "retrieval",
      code: "provider_auth_failed",
      provider: "OPENAI_COMPATIBLE",
      model: "nomic-embed-text",
    });
    expect(rows[0]!.message).toMatch(/^Embedding the question failed; the answer used full text only/);
    expect(rows[0]!.message).not.toContain("sk-embed-health");

    await expectDegraded(s, 1);
    const h = await health(s);
    expect(h.checks.errorRate.errorsLastHour).toBe(1);
    expect(h.checks.llmService).toMatchObject({ repliesLastHour: 1, failedGenerationsLastHour: 0 });
  });

  it("a playground message whose question cannot be embedded is recorded too; the tester still gets the answer", async () => {
    const s = await setup();
    await useEmbeddingModel(s, { failing: true });
    const base = `/api/v1/chatbots/${s.bot.id}/playground`;
    const session = await s.admin.post(`${base}/sessions`, {});
    expect(session.status).toBe(201);
    const { id: sessionId } = (await session.json()) as { id: string };
    const [row] = await db()
      .select({ conversationId: playgroundSessions.conversationId })
      .from(playgroundSessions)
      .where(eq(playgroundSessions.id, sessionId));
    llm().addReply({ reply: "Two to four days." });
    const res = await s.admin.post(`${base}/chat`, { sessionId, message: "How long does shipping take?" });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { response: string }).response).toBe("Two to four days.");
    expect(llm().calls.map((c) => c.path.split("/").at(-1))).toEqual(["embeddings", "completions"]);

    const rows = await retrievalErrors(s);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      code: "provider_auth_failed",
      channelId: null,
      conversationId: row!.conversationId,
    });
    await expectDegraded(s, 1);
    // The playground's answers themselves stay out of the health.
    expect((await health(s)).checks.llmService.repliesLastHour).toBe(0);

    // Compare mode: every configuration retrieves, the failure is recorded once.
    llm().addReply({ reply: "Two to four days.", times: 2 });
    const compared = await s.admin.post(`${base}/compare`, {
      message: "How long does shipping take?",
      configs: [{}, { temperature: 1 }],
    });
    expect(compared.status).toBe(200);
    const { results } = (await compared.json()) as { results: { answer: { response: string } | null }[] };
    expect(results.map((r) => r.answer?.response)).toEqual(["Two to four days.", "Two to four days."]);
    expect(await retrievalErrors(s)).toHaveLength(2);
    await expectDegraded(s, 2);
  });

  it("an AI draft whose question cannot be embedded is recorded too; the agent still gets the draft", async () => {
    const s = await setup();
    await useEmbeddingModel(s, { failing: true });
    const conversation = await createConversation(db(), {
      workspaceId: s.ws.workspace.id,
      chatbotId: s.bot.id,
      lastInboundAt: new Date(),
    });
    const asked = await createMessage(db(), { conversationId: conversation.id, text: "Do you ship to Norway?" });
    llm().addReply({ reply: "Yes, Norway is one of our 40 countries." });
    const res = await s.admin.post(`/api/v1/conversations/${conversation.id}/draft`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { text: string }).text).toBe("Yes, Norway is one of our 40 countries.");

    const rows = await retrievalErrors(s);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      code: "provider_auth_failed",
      channelId: conversation.channelId,
      conversationId: conversation.id,
      messageId: asked.id,
    });
    await expectDegraded(s, 1);
  });

  it("an embedding provider that answers records nothing", async () => {
    const s = await setup();
    await useEmbeddingModel(s, { failing: false });
    llm().addReply({ reply: "Two to four days." });
    const session = await s.admin.post(`/api/v1/chatbots/${s.bot.id}/playground/sessions`, {});
    const { id: sessionId } = (await session.json()) as { id: string };
    const res = await s.admin.post(`/api/v1/chatbots/${s.bot.id}/playground/chat`, {
      sessionId,
      message: "How long does shipping take?",
    });
    expect(res.status).toBe(200);
    expect(llm().calls.map((c) => c.path.split("/").at(-1))).toEqual(["embeddings", "completions"]);
    expect(await retrievalErrors(s)).toEqual([]);
    expect((await health(s)).checks.vectorSearch).toMatchObject({ status: "ok", failuresLastHour: 0 });
  });
});
