/** Reply as bot and AI drafts through the API, with the offline provider and the simulator's fake OpenAI. */
import { DEMO_FAQ, type Runtime } from "@tandem/core";
import { chatbots, conversations, jobs, messages, providerCredentials } from "@tandem/db";
import { createChatbot, createConversation, createMessage, createTestWorkspace } from "@tandem/db/testing";
import { type ServedSimulator, serveSimulator } from "@tandem/simulator";
import { asc, eq } from "drizzle-orm";
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
  // Producer only: enqueued send jobs stay in the `job` table where the tests read them.
  attachTestQueue(runtime);
  app = createApp(runtime);
});
afterAll(async () => {
  await runtime.close();
  await served.close();
});
beforeEach(() => served.simulator.reset());

const db = () => runtime.database.db;

/** A workspace with the demo FAQ chatbot and a conversation whose customer asked `question`; the AGENT is signed in. */
async function setup(question = "Which payment methods do you accept?") {
  const ws = await createSignInWorkspace(runtime);
  const agent = new TestClient(app);
  expect((await agent.signIn(ws.agent.user.email, TEST_PASSWORD)).status).toBe(200);
  const chatbot = await createChatbot(db(), {
    workspaceId: ws.workspace.id,
    isDefault: true,
    providerKind: "OFFLINE",
    model: "offline-faq",
    faqEntries: DEMO_FAQ,
    promptVariables: { brandName: "Demo Shop" },
  });
  const conversation = await createConversation(db(), {
    workspaceId: ws.workspace.id,
    chatbotId: chatbot.id,
    lastInboundAt: new Date(),
  });
  const asked = await createMessage(db(), { conversationId: conversation.id, text: question });
  return { ws, agent, chatbot, conversation, asked };
}

async function useSimulatedOpenAi(workspaceId: string, chatbotId: string) {
  await db()
    .insert(providerCredentials)
    .values({
      workspaceId,
      kind: "OPENAI_COMPATIBLE",
      apiKeyEncrypted: runtime.keyring.encrypt("sk-api-test-0001"),
      baseUrl: `${served.url}/llm/openai/v1`,
    });
  await db()
    .update(chatbots)
    .set({ providerKind: "OPENAI_COMPATIBLE", model: "llama3.1:8b" })
    .where(eq(chatbots.id, chatbotId));
}

const thread = (conversationId: string) =>
  db()
    .select()
    .from(messages)
    .where(eq(messages.conversationId, conversationId))
    .orderBy(asc(messages.createdAt), asc(messages.id));

describe("POST /conversations/{id}/messages with sendAs BOT", () => {
  it("an AGENT gets the bot's reply written now (201), stored queued with its provenance, and the send enqueued", async () => {
    const { ws, agent, conversation, asked } = await setup();
    const res = await agent.post(`/api/v1/conversations/${conversation.id}/messages`, { sendAs: "BOT" });
    expect(res.status).toBe(201);
    const message = await res.json();
    expect(message).toMatchObject({
      conversationId: conversation.id,
      role: "BOT",
      status: "queued",
      text: DEMO_FAQ[3]!.answer,
      provider: "OFFLINE",
      model: "offline-faq",
    });
    const [, draft, row] = await thread(conversation.id);
    expect(draft).toMatchObject({ role: "BOT", status: "draft", text: DEMO_FAQ[3]!.answer, provider: "OFFLINE" });
    expect(row).toMatchObject({
      id: message.id,
      replyToId: asked.id,
      usage: { inputTokens: 0, outputTokens: 0 },
      retrievedSources: [{ chunkId: "faq:3", title: "Which payment methods do you accept?" }],
      metadata: expect.objectContaining({
        mode: "manual",
        requestedByMemberId: ws.agent.member.id,
        draftId: draft!.id,
      }),
    });
    // The thread shows the reply, not the draft.
    const shown = await (await agent.get(`/api/v1/conversations/${conversation.id}/messages`)).json();
    expect(shown.data.map((m: { id: string }) => m.id)).toEqual([asked.id, message.id]);
    const [send] = await db()
      .select()
      .from(jobs)
      .where(eq(jobs.jobKey, `send:${message.id}`));
    expect(send).toMatchObject({ name: "send-outbound-message", status: "waiting" });
  });

  it("refuses to send the bot's last answer again word for word (422), storing nothing", async () => {
    const { agent, conversation } = await setup();
    expect((await agent.post(`/api/v1/conversations/${conversation.id}/messages`, { sendAs: "BOT" })).status).toBe(201);
    const before = await thread(conversation.id);
    const again = await agent.post(`/api/v1/conversations/${conversation.id}/messages`, { sendAs: "BOT" });
    expect(again.status).toBe(422);
    expect((await again.json()).error).toMatchObject({ code: "bot_repeats_itself", message: /word for word/ });
    expect(await thread(conversation.id)).toHaveLength(before.length);
  });

  it("with an OpenAI-compatible provider: the model's answer, with usage and latency", async () => {
    const { ws, agent, chatbot, conversation } = await setup();
    await useSimulatedOpenAi(ws.workspace.id, chatbot.id);
    served.simulator.llm.state.addReply({ reply: "We take Visa, Mastercard and PromptPay." });
    const res = await agent.post(`/api/v1/conversations/${conversation.id}/messages`, { sendAs: "BOT" });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({
      role: "BOT",
      text: "We take Visa, Mastercard and PromptPay.",
      provider: "OPENAI_COMPATIBLE",
      model: "llama3.1:8b",
      latencyMs: expect.any(Number),
    });
  });

  it("maps failures to clear errors and stores nothing", async () => {
    const { ws, agent, chatbot, conversation } = await setup("My parcel arrived crushed, what now?");
    const post = () => agent.post(`/api/v1/conversations/${conversation.id}/messages`, { sendAs: "BOT" });

    const noAnswer = await post();
    expect(noAnswer.status).toBe(422);
    expect((await noAnswer.json()).error).toMatchObject({
      code: "bot_cannot_answer",
      details: { reason: "low_confidence" },
    });

    await db()
      .update(chatbots)
      .set({ providerKind: "GEMINI", model: "gemini-2.5-flash" })
      .where(eq(chatbots.id, chatbot.id));
    const notConfigured = await post();
    expect(notConfigured.status).toBe(409);
    expect((await notConfigured.json()).error).toMatchObject({
      code: "provider_not_configured",
      message: expect.stringContaining("GEMINI"),
    });

    await useSimulatedOpenAi(ws.workspace.id, chatbot.id);
    served.simulator.llm.state.addFault({ kind: "invalid_key", times: 5 });
    const failed = await post();
    expect(failed.status).toBe(502);
    expect((await failed.json()).error).toMatchObject({
      code: "provider_auth_failed",
      details: { provider: "OPENAI_COMPATIBLE", retryable: false },
    });

    served.simulator.llm.state.clearFaults();
    served.simulator.llm.state.addFault({ kind: "content_filter", times: 1 });
    const filtered = await post();
    expect(filtered.status).toBe(422);
    expect((await filtered.json()).error).toMatchObject({
      code: "bot_cannot_answer",
      details: { reason: "content_filtered", provider: "OPENAI_COMPATIBLE" },
    });

    expect((await thread(conversation.id)).map((m) => m.role)).toEqual(["USER"]);
    const [row] = await db().select().from(conversations).where(eq(conversations.id, conversation.id));
    expect(row).toMatchObject({ autoBot: true, needsHuman: false });
  });

  it("refuses text with sendAs BOT (400) and another workspace's conversation (404)", async () => {
    const { agent, conversation } = await setup();
    const withText = await agent.post(`/api/v1/conversations/${conversation.id}/messages`, {
      sendAs: "BOT",
      text: "my own words",
    });
    expect(withText.status).toBe(400);
    const other = await createTestWorkspace(db());
    const foreign = await createConversation(db(), { workspaceId: other.workspace.id, lastInboundAt: new Date() });
    expect((await agent.post(`/api/v1/conversations/${foreign.id}/messages`, { sendAs: "BOT" })).status).toBe(404);
    expect(await thread(foreign.id)).toEqual([]);
  });
});

describe("POST /conversations/{id}/draft", () => {
  it("an AGENT gets an editable draft, kept on record outside the thread; nothing is sent or changed", async () => {
    const { ws, agent, conversation } = await setup("What is your return policy?");
    const res = await agent.post(`/api/v1/conversations/${conversation.id}/draft`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toEqual({
      draftId: expect.any(String),
      text: DEMO_FAQ[2]!.answer,
      provider: "OFFLINE",
      model: "offline-faq",
      usage: { inputTokens: 0, outputTokens: 0 },
      latencyMs: expect.any(Number),
      finishReason: "stop",
      promptVersionId: null,
      sources: [{ id: "faq:2", title: "What is your return policy?", score: 1 }],
    });
    expect((await thread(conversation.id)).map((m) => [m.role, m.status])).toEqual([
      ["USER", "received"],
      ["BOT", "draft"],
    ]);
    const [row] = await db().select().from(conversations).where(eq(conversations.id, conversation.id));
    expect(row).toMatchObject({ autoBot: true, consecutiveBotReplies: 0 });
    expect((await agent.get(`/api/v1/conversations/${conversation.id}`)).ok).toBe(true);
    const listed = await (await agent.get(`/api/v1/conversations/${conversation.id}`)).json();
    expect(listed.lastMessage).toMatchObject({ role: "USER" });

    // The agent edits the draft and sends it: the reply names the draft it started from.
    const sent = await agent.post(`/api/v1/conversations/${conversation.id}/messages`, {
      text: `${body.text} Anything else?`,
      draftId: body.draftId,
    });
    expect(sent.status).toBe(201);
    const [, , reply] = await thread(conversation.id);
    expect(reply).toMatchObject({
      role: "AGENT",
      authorMemberId: ws.agent.member.id,
      metadata: { draftId: body.draftId, draftEdited: true },
    });
    // A draft id that is not this conversation's draft is refused, and nothing is stored.
    const wrong = await agent.post(`/api/v1/conversations/${conversation.id}/messages`, {
      text: "hi",
      draftId: reply!.id,
    });
    expect(wrong.status).toBe(400);
    expect(await thread(conversation.id)).toHaveLength(3);
  });

  it("drafts with the chatbot's LLM provider; provider errors are 502 with their code", async () => {
    const { ws, agent, chatbot, conversation } = await setup("Do you ship to Norway?");
    await useSimulatedOpenAi(ws.workspace.id, chatbot.id);
    served.simulator.llm.state.addReply({ reply: "Yes, Norway is one of our 40 countries." });
    const res = await agent.post(`/api/v1/conversations/${conversation.id}/draft`);
    expect(res.status).toBe(200);
    const draft = await res.json();
    expect(draft).toMatchObject({ text: "Yes, Norway is one of our 40 countries.", provider: "OPENAI_COMPATIBLE" });
    expect(draft.usage.inputTokens).toBeGreaterThan(0);

    served.simulator.llm.state.addFault({ kind: "quota_exhausted", times: 5 });
    const failed = await agent.post(`/api/v1/conversations/${conversation.id}/draft`);
    expect(failed.status).toBe(502);
    expect((await failed.json()).error.code).toBe("provider_quota_exhausted");
    // The first draft only: a failure stores nothing.
    expect((await thread(conversation.id)).map((m) => m.status)).toEqual(["received", "draft"]);
  });

  it("is 404 for another workspace's conversation and 401 without a session", async () => {
    const { agent } = await setup();
    const other = await createTestWorkspace(db());
    const foreign = await createConversation(db(), { workspaceId: other.workspace.id });
    expect((await agent.post(`/api/v1/conversations/${foreign.id}/draft`)).status).toBe(404);
    expect((await new TestClient(app).post(`/api/v1/conversations/${foreign.id}/draft`)).status).toBe(401);
  });
});
