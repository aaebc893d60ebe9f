/**
 * The chatbot playground through the API: sessions, chat as JSON and as server-sent events, compare
 * mode, overrides, failures, roles and workspaces — with the offline provider and the simulator's fake
 * OpenAI over real HTTP.
 */
import { DEMO_FAQ, DEMO_SHOPIFY_STORE, type Runtime, seedDemoShopifyStore } from "@tandem/core";
import {
  auditLogs,
  chatbots,
  conversations,
  jobs,
  messages,
  playgroundSessions,
  promptVersions,
  providerCredentials,
} from "@tandem/db";
import {
  createChannel,
  createChatbot,
  createConversation,
  createKnowledgePassage,
  createMessage,
  createTestWorkspace,
} from "@tandem/db/testing";
import { type ServedSimulator, serveSimulator } from "@tandem/simulator";
import { and, asc, eq, like } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { TestClient } from "../../../tests/support/api-client.ts";
import { attachTestQueue, createTestRuntime } from "../../../tests/support/runtime.ts";
import { createSignInWorkspace, TEST_PASSWORD } from "../../../tests/support/workspace.ts";
import { createApp } from "./app.ts";

let runtime: Runtime;
let app: ReturnType<typeof createApp>;
let served: ServedSimulator;
const events: { room: string; event: string }[] = [];

beforeAll(async () => {
  served = await serveSimulator();
  runtime = await createTestRuntime();
  // Producer only: a send job, if one were enqueued, would stay in the `job` table for the tests to see.
  attachTestQueue(runtime);
  runtime.realtime.bind({ emit: (room, event) => events.push({ room, event }) });
  app = createApp(runtime);
});
afterAll(async () => {
  await runtime.close();
  await served.close();
});
beforeEach(() => {
  served.simulator.llm.state.reset();
  served.simulator.graph.state.reset();
  events.length = 0;
});

const db = () => runtime.database.db;
const llm = () => served.simulator.llm.state;

async function signedIn(email: string) {
  const client = new TestClient(app);
  expect((await client.signIn(email, TEST_PASSWORD)).status).toBe(200);
  return client;
}

/** A workspace with the demo FAQ chatbot (offline provider, status `testing`); its ADMIN is signed in. */
async function setup(chatbot: Partial<typeof chatbots.$inferInsert> = {}) {
  const ws = await createSignInWorkspace(runtime);
  const workspaceId = ws.workspace.id;
  const bot = await createChatbot(db(), {
    workspaceId,
    status: "testing",
    providerKind: "OFFLINE",
    model: "offline-faq",
    faqEntries: DEMO_FAQ,
    promptVariables: { brandName: "Demo Shop" },
    systemPrompt: "You are {brand_name}'s live assistant.\n<knowledge>\n{knowledge}\n</knowledge>",
    ...chatbot,
  });
  const admin = await signedIn(ws.admin.user.email);
  const base = `/api/v1/chatbots/${bot.id}/playground`;
  return { ws, workspaceId, bot, admin, base };
}

/** A credential pointing at the simulator's fake OpenAI (OPENAI_COMPATIBLE), as the settings page stores one. */
async function simulatedCredential(workspaceId: string, key = "sk-play-test-0001") {
  const [row] = await db()
    .insert(providerCredentials)
    .values({
      workspaceId,
      kind: "OPENAI_COMPATIBLE",
      apiKeyEncrypted: runtime.keyring.encrypt(key),
      keyHint: "••••0001",
      baseUrl: `${served.url}/llm/openai/v1`,
      defaultModel: "llama3.1:8b",
    })
    .returning();
  return row!;
}

async function startSession(client: TestClient, base: string, overrideConfig?: unknown) {
  const res = await client.post(`${base}/sessions`, overrideConfig === undefined ? {} : { overrideConfig });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; active: boolean; overrideConfig: Record<string, unknown> };
}

async function sessionRow(id: string) {
  const [row] = await db().select().from(playgroundSessions).where(eq(playgroundSessions.id, id));
  return row!;
}

const threadOf = (conversationId: string) =>
  db()
    .select()
    .from(messages)
    .where(eq(messages.conversationId, conversationId))
    .orderBy(asc(messages.createdAt), asc(messages.id));

/** Reads a server-sent event stream to its end, chunk by chunk as it arrives, into its events. */
async function readSse(res: Response) {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  const parsed: { event: string; data: unknown }[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (value) buffer += decoder.decode(value, { stream: true });
    let end = buffer.indexOf("\n\n");
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = "message";
      const data: string[] = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) event = line.slice(7);
        else if (line.startsWith("data: ")) data.push(line.slice(6));
      }
      parsed.push({ event, data: JSON.parse(data.join("\n")) });
      end = buffer.indexOf("\n\n");
    }
    if (done) break;
  }
  expect(buffer.trim()).toBe("");
  return parsed;
}

const SSE = { accept: "text/event-stream" };

describe("playground sessions", () => {
  it("an ADMIN starts a session with overrides, reads it with its messages and ends it; all audited", async () => {
    const { ws, bot, admin, base } = await setup();
    const session = await startSession(admin, base, { temperature: 0.9, maxTokens: 64, systemPrompt: "Be brief." });
    expect(session).toMatchObject({
      id: expect.stringMatching(/^play_/),
      chatbotId: bot.id,
      userId: ws.admin.user.id,
      active: true,
      endedAt: null,
      overrideConfig: { temperature: 0.9, maxTokens: 64, systemPrompt: "Be brief." },
    });
    // No body at all is a session without overrides.
    const bare = await admin.request("POST", `${base}/sessions`);
    expect(bare.status).toBe(201);
    expect(await bare.json()).toMatchObject({ active: true, overrideConfig: {} });
    const row = await sessionRow(session.id);
    const [conversation] = await db().select().from(conversations).where(eq(conversations.id, row.conversationId!));
    expect(conversation).toMatchObject({ isPlayground: true, channelId: null, contactId: null, chatbotId: bot.id });

    const chat = await admin.post(`${base}/chat`, { sessionId: session.id, message: "How long does shipping take?" });
    expect(chat.status).toBe(200);
    const read = await admin.get(`${base}/sessions/${session.id}`);
    expect(read.status).toBe(200);
    const detail = await read.json();
    expect(detail).toMatchObject({ id: session.id, active: true });
    expect(detail.messages.map((m: { role: string; text: string }) => [m.role, m.text])).toEqual([
      ["USER", "How long does shipping take?"],
      ["BOT", DEMO_FAQ[1]!.answer],
    ]);
    expect(detail.messages[1]).toMatchObject({
      provider: "OFFLINE",
      sources: [{ chunkId: "faq:1", title: "How long does shipping take?", score: 1 }],
    });

    const ended = await admin.delete(`${base}/sessions/${session.id}`);
    expect(ended.status).toBe(200);
    const endedBody = await ended.json();
    expect(endedBody).toMatchObject({ id: session.id, active: false, endedAt: expect.any(String) });
    // Ending again changes nothing; chatting in an ended session is a conflict and stores nothing.
    expect(await (await admin.delete(`${base}/sessions/${session.id}`)).json()).toEqual(endedBody);
    const late = await admin.post(`${base}/chat`, { sessionId: session.id, message: "Still there?" });
    expect(late.status).toBe(409);
    expect((await late.json()).error).toMatchObject({ code: "playground_session_ended" });
    expect(await threadOf(row.conversationId!)).toHaveLength(2);
    expect((await (await admin.get(`${base}/sessions/${session.id}`)).json()).messages).toHaveLength(2);

    const audit = await db()
      .select({ action: auditLogs.action, entityId: auditLogs.entityId, actorUserId: auditLogs.actorUserId })
      .from(auditLogs)
      .where(
        and(
          eq(auditLogs.workspaceId, ws.workspace.id),
          like(auditLogs.action, "playground_session.%"),
          eq(auditLogs.entityId, session.id),
        ),
      )
      .orderBy(asc(auditLogs.createdAt));
    expect(audit).toEqual([
      { action: "playground_session.create", entityId: session.id, actorUserId: ws.admin.user.id },
      { action: "playground_session.end", entityId: session.id, actorUserId: ws.admin.user.id },
    ]);
  });

  it("is for OWNER and ADMIN: an AGENT gets 403 on every route and a visitor 401", async () => {
    const { ws, base } = await setup();
    const owner = await signedIn(ws.owner.user.email);
    const session = await startSession(owner, base);
    const ownerChat = await owner.post(`${base}/chat`, { sessionId: session.id, message: "Opening hours?" });
    expect(ownerChat.status).toBe(200);

    const agent = await signedIn(ws.agent.user.email);
    const anonymous = new TestClient(app);
    const calls = (client: TestClient) => [
      client.post(`${base}/sessions`, {}),
      client.get(`${base}/sessions/${session.id}`),
      client.delete(`${base}/sessions/${session.id}`),
      client.post(`${base}/chat`, { sessionId: session.id, message: "Opening hours?" }),
      client.post(`${base}/compare`, { message: "Opening hours?", configs: [{}, { temperature: 1 }] }),
    ];
    for (const res of await Promise.all(calls(agent))) {
      expect(res.status).toBe(403);
      expect((await res.json()).error).toMatchObject({ code: "forbidden", details: { permission: "chatbots.manage" } });
    }
    for (const res of await Promise.all(calls(anonymous))) expect(res.status).toBe(401);
    expect((await sessionRow(session.id)).active).toBe(true);
    expect(await threadOf((await sessionRow(session.id)).conversationId!)).toHaveLength(2);
  });

  it("another workspace's chatbot, another chatbot's session and an unknown session are 404", async () => {
    const { workspaceId, bot, admin, base } = await setup();
    const session = await startSession(admin, base);
    const other = await createTestWorkspace(db());
    const foreignBot = await createChatbot(db(), { workspaceId: other.workspace.id, faqEntries: DEMO_FAQ });
    const foreignBase = `/api/v1/chatbots/${foreignBot.id}/playground`;
    const sibling = await createChatbot(db(), { workspaceId, faqEntries: DEMO_FAQ });
    const siblingBase = `/api/v1/chatbots/${sibling.id}/playground`;

    const expect404 = async (res: Promise<Response>, code: string) => {
      const answer = await res;
      expect(answer.status).toBe(404);
      expect((await answer.json()).error.code).toBe(code);
    };
    await expect404(admin.post(`${foreignBase}/sessions`, {}), "chatbot_not_found");
    await expect404(admin.get(`${foreignBase}/sessions/${session.id}`), "chatbot_not_found");
    await expect404(admin.post(`${foreignBase}/chat`, { sessionId: session.id, message: "hi" }), "chatbot_not_found");
    await expect404(admin.post(`${foreignBase}/compare`, { message: "hi", configs: [{}, {}] }), "chatbot_not_found");
    await expect404(admin.get(`${siblingBase}/sessions/${session.id}`), "playground_session_not_found");
    await expect404(admin.delete(`${siblingBase}/sessions/${session.id}`), "playground_session_not_found");
    await expect404(
      admin.post(`${siblingBase}/chat`, { sessionId: session.id, message: "hi" }),
      "playground_session_not_found",
    );
    await expect404(admin.get(`${base}/sessions/play_unknown`), "playground_session_not_found");
    await expect404(
      admin.post(`${base}/chat`, { sessionId: "play_unknown", message: "hi" }),
      "playground_session_not_found",
    );

    // Another workspace's session is not found either, even through its own chatbot's path.
    const stranger = await createSignInWorkspace(runtime);
    const strangerBot = await createChatbot(db(), { workspaceId: stranger.workspace.id, faqEntries: DEMO_FAQ });
    const strangerAdmin = await signedIn(stranger.admin.user.email);
    const strangerSession = await startSession(strangerAdmin, `/api/v1/chatbots/${strangerBot.id}/playground`);
    await expect404(
      admin.get(`/api/v1/chatbots/${strangerBot.id}/playground/sessions/${strangerSession.id}`),
      "chatbot_not_found",
    );
    expect((await sessionRow(strangerSession.id)).active).toBe(true);

    // A deleted chatbot has no playground.
    await db().update(chatbots).set({ deletedAt: new Date() }).where(eq(chatbots.id, bot.id));
    await expect404(admin.post(`${base}/chat`, { sessionId: session.id, message: "hi" }), "chatbot_not_found");
  });

  it("refuses bad input with 400 naming the field, and stores nothing", async () => {
    const { workspaceId, bot, admin, base } = await setup();
    const session = await startSession(admin, base);
    const other = await createTestWorkspace(db());
    const foreignCredential = await simulatedCredential(other.workspace.id);
    const sibling = await createChatbot(db(), { workspaceId });
    const [siblingVersion] = await db()
      .insert(promptVersions)
      .values({ chatbotId: sibling.id, version: 1, text: "Sibling prompt" })
      .returning();

    const cases: [unknown, string][] = [
      [{ sessionId: session.id, message: "" }, "message"],
      [{ sessionId: session.id, message: "   " }, "message"],
      [{ sessionId: session.id, message: "x".repeat(4001) }, "message"],
      [{ sessionId: session.id }, "message"],
      [{ sessionId: session.id, message: "hi", overrideConfig: { temperature: 2.5 } }, "overrideConfig.temperature"],
      [{ sessionId: session.id, message: "hi", overrideConfig: { temperature: -0.1 } }, "overrideConfig.temperature"],
      [{ sessionId: session.id, message: "hi", overrideConfig: { maxTokens: 0 } }, "overrideConfig.maxTokens"],
      [{ sessionId: session.id, message: "hi", overrideConfig: { maxTokens: 32_001 } }, "overrideConfig.maxTokens"],
      [{ sessionId: session.id, message: "hi", overrideConfig: { maxTokens: 1.5 } }, "overrideConfig.maxTokens"],
      [{ sessionId: session.id, message: "hi", overrideConfig: { temprature: 1 } }, "overrideConfig"],
      [
        { sessionId: session.id, message: "hi", overrideConfig: { credentialId: foreignCredential.id } },
        "overrideConfig.credentialId",
      ],
      [
        { sessionId: session.id, message: "hi", overrideConfig: { credentialId: "cred_missing" } },
        "overrideConfig.credentialId",
      ],
      [
        { sessionId: session.id, message: "hi", overrideConfig: { promptVersionId: siblingVersion!.id } },
        "overrideConfig.promptVersionId",
      ],
      [
        {
          sessionId: session.id,
          message: "hi",
          overrideConfig: { promptVersionId: siblingVersion!.id, systemPrompt: "x" },
        },
        "overrideConfig.promptVersionId",
      ],
      [
        { sessionId: session.id, message: "hi", overrideConfig: { systemPrompt: "Hello {no_such_variable}" } },
        "overrideConfig.systemPrompt",
      ],
    ];
    for (const [body, path] of cases) {
      const res = await admin.post(`${base}/chat`, body);
      expect(res.status, JSON.stringify(body).slice(0, 120)).toBe(400);
      const { error } = await res.json();
      expect(error.details.map((d: { path: string }) => d.path)).toContain(path);
    }
    const conversationId = (await sessionRow(session.id)).conversationId!;
    expect(await threadOf(conversationId)).toEqual([]);

    // The same checks guard a new session and every compare configuration.
    const badSession = await admin.post(`${base}/sessions`, { overrideConfig: { maxTokens: 40_000 } });
    expect(badSession.status).toBe(400);
    expect((await badSession.json()).error.details[0].path).toBe("overrideConfig.maxTokens");
    const unknownCredential = await admin.post(`${base}/sessions`, {
      overrideConfig: { credentialId: foreignCredential.id },
    });
    expect(unknownCredential.status).toBe(400);
    expect((await unknownCredential.json()).error.details[0].path).toBe("overrideConfig.credentialId");
    const sessions = await db().select().from(playgroundSessions).where(eq(playgroundSessions.chatbotId, bot.id));
    expect(sessions).toHaveLength(1);

    const badCompare = await admin.post(`${base}/compare`, {
      message: "hi",
      configs: [{ temperature: 1 }, { temperature: 3 }],
    });
    expect(badCompare.status).toBe(400);
    expect((await badCompare.json()).error.details[0].path).toBe("configs.1.temperature");
    const oneConfig = await admin.post(`${base}/compare`, { message: "hi", configs: [{}] });
    expect(oneConfig.status).toBe(400);
    const foreignVersion = await admin.post(`${base}/compare`, {
      message: "hi",
      configs: [{}, { promptVersionId: siblingVersion!.id }],
    });
    expect(foreignVersion.status).toBe(400);
    expect((await foreignVersion.json()).error.details[0].path).toBe("configs.1.promptVersionId");
    expect(llm().calls).toEqual([]);
  });
});

describe("POST /chatbots/{id}/playground/chat", () => {
  it("answers as the live bot with the offline provider: the FAQ answer, its sources and usage; a testing chatbot answers", async () => {
    const { bot, admin, base } = await setup({ status: "testing" });
    const passage = await createKnowledgePassage(db(), {
      workspaceId: bot.workspaceId,
      chatbotId: bot.id,
      title: "Gift wrapping guide",
      content: "Gift wrapping is free for every order. Choose it at checkout.",
    });
    const session = await startSession(admin, base);
    const res = await admin.post(`${base}/chat`, { sessionId: session.id, message: "Do you offer gift wrapping?" });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toEqual({
      messageId: expect.stringMatching(/^msg_/),
      response: "From “Gift wrapping guide”: Gift wrapping is free for every order. Choose it at checkout.",
      sources: [
        {
          documentId: passage.document.id,
          chunkId: passage.chunk.id,
          content: "Gift wrapping is free for every order. Choose it at checkout.",
          similarity: expect.any(Number),
          metadata: {
            kind: "passage",
            title: "Gift wrapping guide",
            sourceId: passage.source.id,
            // Why it ranked: first in full text, no vectors (no embedding model), fused 1/(60 + 1).
            fullTextRank: 1,
            vectorSimilarity: null,
            fusedScore: expect.closeTo(1 / 61, 6),
          },
        },
      ],
      products: [],
      usage: {
        promptTokens: 0,
        completionTokens: 0,
        totalTokens: 0,
        vectorSearchTime: expect.any(Number),
        llmResponseTime: expect.any(Number),
      },
      handoff: null,
      config: {
        provider: "OFFLINE",
        model: "offline-faq",
        temperature: bot.temperature,
        maxTokens: bot.maxTokens,
        credentialId: null,
        promptVersionId: null,
      },
    });
    expect(body.sources[0].similarity).toBeGreaterThan(0.35);
    const [row] = await db().select().from(messages).where(eq(messages.id, body.messageId));
    expect(row).toMatchObject({ role: "BOT", status: "sent", channelId: null, provider: "OFFLINE" });

    // An inactive chatbot answers in the playground too.
    await db().update(chatbots).set({ status: "inactive" }).where(eq(chatbots.id, bot.id));
    const inactive = await admin.post(`${base}/chat`, {
      sessionId: session.id,
      message: "What are your opening hours?",
    });
    expect(inactive.status).toBe(200);
    expect((await inactive.json()).response).toBe(DEMO_FAQ[0]!.answer);
  });

  it("a product question on a store's catalog answers with the product cards the live reply would carry, as JSON, as SSE and in compare", async () => {
    // The default template (no `{products}`): the cards do not depend on the prompt placing the rows.
    const { ws, admin, base } = await setup({ systemPrompt: "" });
    await seedDemoShopifyStore(db(), { workspaceId: ws.workspace.id, keyring: runtime.keyring });
    const linenShirt = {
      productId: expect.stringMatching(/^prod/),
      title: "Linen Shirt",
      priceText: "฿1,290.00",
      price: "1290.00",
      currency: "THB",
      available: true,
      imageUrl: null,
      url: `${DEMO_SHOPIFY_STORE.primaryDomainUrl}/products/linen-shirt`,
      variantTitle: "M",
    };
    const session = await startSession(admin, base);
    const res = await admin.post(`${base}/chat`, {
      sessionId: session.id,
      message: "Do you have the linen shirt in M?",
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.response).toBe(
      `Yes, the Linen Shirt in M is in stock at ฿1,290.00. ${DEMO_SHOPIFY_STORE.primaryDomainUrl}/products/linen-shirt`,
    );
    expect(body.products).toEqual([linenShirt]);
    // Stored on the session's BOT message as a live reply stores them, and read back with the session.
    const [row] = await db().select().from(messages).where(eq(messages.id, body.messageId));
    expect(row!.productCards).toEqual(body.products);
    const detail = await (await admin.get(`${base}/sessions/${session.id}`)).json();
    expect(detail.messages.map((m: { role: string; products: unknown[] }) => [m.role, m.products])).toEqual([
      ["USER", []],
      ["BOT", [linenShirt]],
    ]);

    // Out of stock: the card says so, and the alternative the text offers has its own.
    const streamed = await admin.post(
      `${base}/chat`,
      { sessionId: session.id, message: "Do you have the linen shirt in L?" },
      SSE,
    );
    const completed = (await readSse(streamed)).find((e) => e.event === "message.completed")!.data as {
      products: { title: string; available: boolean; variantTitle: string | null }[];
    };
    expect(completed.products.map((c) => [c.title, c.available, c.variantTitle])).toEqual([
      ["Linen Shirt", false, "L"],
      ["Oxford Shirt", true, "L"],
    ]);

    // A question about no product: no cards.
    const other = await admin.post(`${base}/chat`, { sessionId: session.id, message: "How long does shipping take?" });
    expect(await other.json()).toMatchObject({ response: DEMO_FAQ[1]!.answer, products: [] });

    const compared = await admin.post(`${base}/compare`, {
      message: "Do you have the linen shirt in M?",
      configs: [{ temperature: 0 }, { temperature: 1 }],
    });
    expect(compared.status).toBe(200);
    const { results } = await compared.json();
    expect(results.map((r: { answer: { products: unknown[] } }) => r.answer.products)).toEqual([
      [linenShirt],
      [linenShirt],
    ]);
  });

  it("says when the live bot would hand off: low confidence, or a request for a person (no provider call)", async () => {
    const { workspaceId, admin, base } = await setup();
    const credential = await simulatedCredential(workspaceId);
    const session = await startSession(admin, base);
    const unsure = await (
      await admin.post(`${base}/chat`, { sessionId: session.id, message: "My parcel arrived crushed, what now?" })
    ).json();
    expect(unsure).toMatchObject({
      response: "",
      sources: [],
      handoff: { reason: "low_confidence", note: expect.any(String), withheld: null },
    });

    const person = await (
      await admin.post(`${base}/chat`, {
        sessionId: session.id,
        message: "I want to talk to a human please",
        overrideConfig: { credentialId: credential.id },
      })
    ).json();
    expect(person).toMatchObject({ response: "", handoff: { reason: "human_requested" } });
    expect(llm().calls).toEqual([]);

    const detail = await (await admin.get(`${base}/sessions/${session.id}`)).json();
    expect(detail.messages.map((m: { role: string; reason: string | null }) => [m.role, m.reason])).toEqual([
      ["USER", null],
      ["SYSTEM", "low_confidence"],
      ["USER", null],
      ["SYSTEM", "human_requested"],
    ]);
    expect(detail.messages[3].id).toBe(person.messageId);
  });

  it("applies overrides (credential, model, temperature, max tokens, system prompt) and leaves the live chatbot untouched", async () => {
    const { workspaceId, bot, admin, base } = await setup();
    const [live] = await db()
      .insert(promptVersions)
      .values({ chatbotId: bot.id, version: 1, text: bot.systemPrompt })
      .returning();
    await db().update(chatbots).set({ currentPromptVersionId: live!.id }).where(eq(chatbots.id, bot.id));
    const credential = await simulatedCredential(workspaceId);
    const [before] = await db().select().from(chatbots).where(eq(chatbots.id, bot.id));
    const versionsBefore = await db().select().from(promptVersions).where(eq(promptVersions.chatbotId, bot.id));

    const session = await startSession(admin, base, { credentialId: credential.id, temperature: 1.4 });
    llm().addReply({ reply: "Playground says: we ship in a day." });
    const res = await admin.post(`${base}/chat`, {
      sessionId: session.id,
      message: "How long does shipping take?",
      overrideConfig: {
        model: "qwen2.5:7b-instruct",
        maxTokens: 99,
        systemPrompt: "You are a terse tester for {brand_name}. Knowledge: {knowledge}",
      },
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({
      response: "Playground says: we ship in a day.",
      handoff: null,
      config: {
        provider: "OPENAI_COMPATIBLE",
        model: "qwen2.5:7b-instruct",
        temperature: 1.4,
        maxTokens: 99,
        credentialId: credential.id,
        promptVersionId: null,
      },
    });
    expect(body.usage.promptTokens).toBeGreaterThan(0);
    expect(body.usage.completionTokens).toBeGreaterThan(0);
    expect(body.usage.totalTokens).toBe(body.usage.promptTokens + body.usage.completionTokens);
    expect(body.sources.map((s: { chunkId: string }) => s.chunkId)).toContain("faq:1");

    const [call] = llm().calls;
    expect(call).toMatchObject({ provider: "openai", auth: { keySuffix: "0001" } });
    const sent = call!.body as {
      model: string;
      temperature: number;
      max_tokens: number;
      messages: { role: string; content: string }[];
    };
    expect(sent).toMatchObject({ model: "qwen2.5:7b-instruct", temperature: 1.4, max_tokens: 99 });
    expect(sent.messages[0]!.role).toBe("system");
    expect(sent.messages[0]!.content).toMatch(/^You are a terse tester for Demo Shop\. Knowledge: /);
    expect(sent.messages.at(-1)).toEqual({ role: "user", content: "How long does shipping take?" });

    const [stored] = await db().select().from(messages).where(eq(messages.id, body.messageId));
    expect(stored).toMatchObject({
      role: "BOT",
      provider: "OPENAI_COMPATIBLE",
      model: "qwen2.5:7b-instruct",
      promptVersionId: null,
      metadata: expect.objectContaining({ mode: "playground", sessionId: session.id }),
    });

    // The live chatbot, its prompt and its history are exactly as they were.
    const [after] = await db().select().from(chatbots).where(eq(chatbots.id, bot.id));
    expect(after).toEqual(before);
    expect(await db().select().from(promptVersions).where(eq(promptVersions.chatbotId, bot.id))).toEqual(
      versionsBefore,
    );
    expect(await db().select().from(providerCredentials).where(eq(providerCredentials.id, credential.id))).toEqual([
      credential,
    ]);
  });

  it("uses a prompt version's text with promptVersionId, and remembers the session's earlier turns", async () => {
    const { workspaceId, bot, admin, base } = await setup();
    const credential = await simulatedCredential(workspaceId);
    const [v1, v2] = await db()
      .insert(promptVersions)
      .values([
        { chatbotId: bot.id, version: 1, text: "Version one speaks formally." },
        { chatbotId: bot.id, version: 2, text: "Version two speaks like a pirate." },
      ])
      .returning();
    await db().update(chatbots).set({ currentPromptVersionId: v2!.id }).where(eq(chatbots.id, bot.id));
    const session = await startSession(admin, base, { credentialId: credential.id, promptVersionId: v1!.id });
    llm().addReply({ reply: "Good day." });
    llm().addReply({ reply: "Indeed." });
    await admin.post(`${base}/chat`, { sessionId: session.id, message: "Hello there" });
    const second = await (await admin.post(`${base}/chat`, { sessionId: session.id, message: "And again" })).json();
    expect(second.config.promptVersionId).toBe(v1!.id);

    const bodies = llm().calls.map((c) => c.body as { messages: { role: string; content: string }[] });
    expect(bodies.map((b) => b.messages[0]!.content)).toEqual([
      "Version one speaks formally.",
      "Version one speaks formally.",
    ]);
    expect(bodies[1]!.messages.slice(1)).toEqual([
      { role: "user", content: "Hello there" },
      { role: "assistant", content: "Good day." },
      { role: "user", content: "And again" },
    ]);
    const [stored] = await db().select().from(messages).where(eq(messages.id, second.messageId));
    expect(stored!.promptVersionId).toBe(v1!.id);

    // A message's own system prompt replaces the session's prompt version for that message only.
    llm().addReply({ reply: "Ahoy." });
    llm().addReply({ reply: "Good day again." });
    const own = await (
      await admin.post(`${base}/chat`, {
        sessionId: session.id,
        message: "Once more",
        overrideConfig: { systemPrompt: "A one-off prompt." },
      })
    ).json();
    expect(own.config.promptVersionId).toBeNull();
    const back = await (await admin.post(`${base}/chat`, { sessionId: session.id, message: "And back" })).json();
    expect(back.config.promptVersionId).toBe(v1!.id);
    expect(
      llm()
        .calls.slice(2)
        .map((c) => (c.body as { messages: { content: string }[] }).messages[0]!.content),
    ).toEqual(["A one-off prompt.", "Version one speaks formally."]);
  });

  it("streams server-sent events: deltas as they arrive, then sources, then the completed answer with usage", async () => {
    const { workspaceId, admin, base } = await setup();
    const credential = await simulatedCredential(workspaceId);
    const session = await startSession(admin, base, { credentialId: credential.id });
    const reply = "Orders ship within one business day, and delivery takes two to four days in Thailand.";
    llm().addReply({ reply });
    const res = await admin.post(
      `${base}/chat`,
      { sessionId: session.id, message: "How long does shipping take?" },
      SSE,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expect(res.headers.get("x-accel-buffering")).toBe("no");
    const stream = await readSse(res);

    const deltas = stream.filter((e) => e.event === "message.delta");
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.map((e) => (e.data as { text: string }).text).join("")).toBe(reply);
    expect(stream.slice(deltas.length).map((e) => e.event)).toEqual(["message.sources", "message.completed"]);
    const sources = stream.at(-2)!.data as { sources: { chunkId: string }[] };
    expect(sources.sources.map((s) => s.chunkId)).toContain("faq:1");
    const completed = stream.at(-1)!.data as Record<string, unknown> & {
      usage: { promptTokens: number; completionTokens: number; totalTokens: number };
    };
    expect(completed).toMatchObject({
      messageId: expect.stringMatching(/^msg_/),
      response: reply,
      sources: sources.sources,
      handoff: null,
      config: { provider: "OPENAI_COMPATIBLE", credentialId: credential.id },
    });
    expect(completed.usage.completionTokens).toBeGreaterThan(0);
    expect(completed.usage.totalTokens).toBe(completed.usage.promptTokens + completed.usage.completionTokens);
    expect((llm().calls[0]!.body as { stream: boolean }).stream).toBe(true);

    const detail = await (await admin.get(`${base}/sessions/${session.id}`)).json();
    expect(detail.messages.map((m: { role: string; text: string }) => [m.role, m.text])).toEqual([
      ["USER", "How long does shipping take?"],
      ["BOT", reply],
    ]);

    // The offline provider (the chatbot's own, in a session without the credential) streams its answer as one delta.
    const offlineSession = await startSession(admin, base);
    const offline = await readSse(
      await admin.post(`${base}/chat`, { sessionId: offlineSession.id, message: "What are your opening hours?" }, SSE),
    );
    expect(offline.map((e) => e.event)).toEqual(["message.delta", "message.sources", "message.completed"]);
    expect(offline[0]!.data).toEqual({ text: DEMO_FAQ[0]!.answer });
    expect(offline[2]!.data).toMatchObject({ response: DEMO_FAQ[0]!.answer, config: { provider: "OFFLINE" } });
  });

  it("turns provider failures into clear errors, never a hang: 401, 429 and a timeout as JSON and as SSE", async () => {
    const { workspaceId, bot, admin, base } = await setup();
    const credential = await simulatedCredential(workspaceId);
    const session = await startSession(admin, base, { credentialId: credential.id });
    const ask = (headers?: Record<string, string>) =>
      admin.post(`${base}/chat`, { sessionId: session.id, message: "How long does shipping take?" }, headers);

    llm().addFault({ kind: "invalid_key", times: 5 });
    const unauthorized = await ask();
    expect(unauthorized.status).toBe(502);
    expect((await unauthorized.json()).error).toMatchObject({
      code: "provider_auth_failed",
      details: { provider: "OPENAI_COMPATIBLE", retryable: false },
    });
    const unauthorizedStream = await readSse(await ask(SSE));
    expect(unauthorizedStream).toEqual([
      {
        event: "error",
        data: expect.objectContaining({ code: "provider_auth_failed", message: expect.any(String) }),
      },
    ]);

    llm().clearFaults();
    llm().addFault({ kind: "rate_limit", times: 10, retryAfterMs: 10 });
    const limited = await ask();
    expect(limited.status).toBe(502);
    expect((await limited.json()).error.code).toBe("provider_rate_limited");
    const limitedStream = await readSse(await ask(SSE));
    expect(limitedStream.map((e) => [e.event, (e.data as { code?: string }).code])).toEqual([
      ["error", "provider_rate_limited"],
    ]);

    llm().clearFaults();
    await db().update(chatbots).set({ timeoutMs: 300 }).where(eq(chatbots.id, bot.id));
    llm().addFault({ kind: "slow", times: 10, delayMs: 5_000 });
    const started = Date.now();
    const slow = await ask();
    expect(slow.status).toBe(502);
    expect((await slow.json()).error.code).toBe("provider_timeout");
    const slowStream = await readSse(await ask(SSE));
    expect(slowStream.map((e) => [e.event, (e.data as { code?: string }).code])).toEqual([
      ["error", "provider_timeout"],
    ]);
    expect(Date.now() - started).toBeLessThan(4_000);

    // A stream that breaks half-way: the deltas so far, then the error.
    llm().clearFaults();
    await db().update(chatbots).set({ timeoutMs: 30_000 }).where(eq(chatbots.id, bot.id));
    llm().addReply({ reply: "One two three four five six seven eight nine ten." });
    llm().addFault({ kind: "stream_error", times: 1 });
    const broken = await readSse(await ask(SSE));
    expect(broken[0]!.event).toBe("message.delta");
    expect(broken.at(-1)).toMatchObject({ event: "error", data: { code: expect.stringMatching(/^provider_/) } });
    expect(broken.map((e) => e.event)).not.toContain("message.completed");

    // The session records every failed answer as a SYSTEM note with the error code; no BOT message.
    const detail = await (await admin.get(`${base}/sessions/${session.id}`)).json();
    const notes = detail.messages.filter((m: { role: string }) => m.role !== "USER");
    expect(notes.map((m: { role: string }) => m.role)).toEqual(Array(7).fill("SYSTEM"));
    expect(notes.slice(0, 6).map((m: { reason: string }) => m.reason)).toEqual([
      "provider_auth_failed",
      "provider_auth_failed",
      "provider_rate_limited",
      "provider_rate_limited",
      "provider_timeout",
      "provider_timeout",
    ]);
  });

  it("an answer the provider's content filter withholds is the live bot's handoff, not an error", async () => {
    const { workspaceId, admin, base } = await setup();
    const credential = await simulatedCredential(workspaceId);
    const session = await startSession(admin, base, { credentialId: credential.id });
    const ask = (headers?: Record<string, string>) =>
      admin.post(`${base}/chat`, { sessionId: session.id, message: "How long does shipping take?" }, headers);

    // The prompt refused (OpenAI's 400 content_policy_violation) and the answer cut (finish reason content_filter).
    llm().addFault({ kind: "prompt_blocked", times: 1 });
    const blocked = await ask();
    expect(blocked.status).toBe(200);
    expect(await blocked.json()).toMatchObject({ response: "", handoff: { reason: "content_filtered" } });
    llm().addFault({ kind: "content_filter", times: 1 });
    const filtered = await readSse(await ask(SSE));
    expect(filtered.at(-1)).toMatchObject({
      event: "message.completed",
      data: { response: "", handoff: { reason: "content_filtered" } },
    });
    llm().addFault({ kind: "prompt_blocked", times: 1 });
    const blockedStream = await readSse(await ask(SSE));
    expect(blockedStream.map((e) => e.event)).toEqual(["message.sources", "message.completed"]);
    expect(blockedStream[1]!.data).toMatchObject({ handoff: { reason: "content_filtered" } });

    const detail = await (await admin.get(`${base}/sessions/${session.id}`)).json();
    expect(
      detail.messages.filter((m: { role: string }) => m.role === "SYSTEM").map((m: { reason: string }) => m.reason),
    ).toEqual(["content_filtered", "content_filtered", "content_filtered"]);
  });

  it("a tester who closes the stream cancels the provider call; the session notes it", async () => {
    const { workspaceId, admin, base } = await setup();
    const credential = await simulatedCredential(workspaceId);
    const session = await startSession(admin, base, { credentialId: credential.id });
    // The fake would answer after 5 s; the note must come long before that, from the cancelled call.
    llm().addFault({ kind: "slow", times: 1, delayMs: 5_000 });
    const res = await admin.post(`${base}/chat`, { sessionId: session.id, message: "Opening hours?" }, SSE);
    expect(res.status).toBe(200);
    await expect.poll(() => llm().calls.length).toBe(1);
    const started = Date.now();
    await res.body!.cancel();
    await expect
      .poll(
        async () => {
          const detail = await (await admin.get(`${base}/sessions/${session.id}`)).json();
          return detail.messages.map((m: { role: string; reason: string | null }) => [m.role, m.reason]);
        },
        { timeout: 3_000 },
      )
      .toEqual([
        ["USER", null],
        ["SYSTEM", "client_closed"],
      ]);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it("a provider that is not configured is a 409 before any stream starts", async () => {
    const { bot, admin, base } = await setup();
    await db()
      .update(chatbots)
      .set({ providerKind: "GEMINI", model: "gemini-2.5-flash" })
      .where(eq(chatbots.id, bot.id));
    const session = await startSession(admin, base);
    for (const headers of [undefined, SSE]) {
      const res = await admin.post(`${base}/chat`, { sessionId: session.id, message: "Opening hours?" }, headers);
      expect(res.status).toBe(409);
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      expect((await res.json()).error.code).toBe("provider_not_configured");
    }
  });
});

describe("playground conversations stay out of the inbox", () => {
  it("the inbox list, its search, unread counts, filters and live events never show them; nothing reaches a channel", async () => {
    const { ws, workspaceId, bot, admin, base } = await setup();
    const page = await createChannel(db(), { workspaceId, chatbotId: bot.id });
    const real = await createConversation(db(), { workspaceId, channelId: page.id, chatbotId: bot.id, unreadCount: 1 });
    await createMessage(db(), { conversationId: real.id, text: "A real customer asks about shipping" });
    const session = await startSession(admin, base);
    for (const message of ["Zanzibar zebras?", "How long does shipping take?"]) {
      expect((await admin.post(`${base}/chat`, { sessionId: session.id, message })).status).toBe(200);
    }
    const playground = (await sessionRow(session.id)).conversationId!;

    const owner = await signedIn(ws.owner.user.email);
    const agent = await signedIn(ws.agent.user.email);
    for (const client of [owner, agent]) {
      const ids = async (query: string) =>
        ((await (await client.get(`/api/v1/conversations${query}`)).json()).data as { id: string }[]).map((c) => c.id);
      expect(await ids("")).toEqual([real.id]);
      expect(await ids("?search=Zanzibar")).toEqual([]);
      expect(await ids("?search=shipping")).toEqual([real.id]);
      expect(await ids("?unread=true")).toEqual([real.id]);
      expect(await ids("?unread=false")).toEqual([]);
      expect(await ids(`?channelId=${page.id}`)).toEqual([real.id]);
    }
    const [row] = await db().select().from(conversations).where(eq(conversations.id, playground));
    expect(row).toMatchObject({ isPlayground: true, unreadCount: 0 });

    // No live event told any dashboard about it, and no bot message went anywhere.
    expect(events).toEqual([]);
    const thread = await threadOf(playground);
    expect(thread.map((m) => [m.role, m.status, m.channelId])).toEqual([
      ["USER", "received", null],
      ["SYSTEM", "sent", null],
      ["USER", "received", null],
      ["BOT", "sent", null],
    ]);
    const sends = await db().select().from(jobs).where(like(jobs.jobKey, "send:%"));
    expect(sends.filter((j) => thread.some((m) => j.jobKey === `send:${m.id}`))).toEqual([]);
    expect(await db().select().from(jobs).where(eq(jobs.workspaceId, workspaceId))).toEqual([]);
    expect(served.simulator.graph.state.outbox).toEqual([]);

    // Its id, however learnt, opens nothing in the inbox: every per-id route answers "not found".
    const inbox = `/api/v1/conversations/${playground}`;
    for (const [method, path, body] of [
      ["GET", inbox, undefined],
      ["GET", `${inbox}/messages`, undefined],
      ["PATCH", inbox, { status: "CLOSED" }],
      ["POST", `${inbox}/read`, undefined],
      ["POST", `${inbox}/auto-bot`, { enabled: false }],
      ["POST", `${inbox}/messages`, { text: "hello from the inbox" }],
      ["POST", `${inbox}/messages`, { sendAs: "BOT" }],
      ["POST", `${inbox}/draft`, undefined],
    ] as const) {
      const res = await owner.request(method, path, body);
      expect({ route: `${method} ${path}`, status: res.status }).toEqual({ route: `${method} ${path}`, status: 404 });
    }
    expect(await threadOf(playground)).toHaveLength(thread.length);
  });
});

describe("POST /chatbots/{id}/playground/compare", () => {
  it("answers one question under two prompt versions, concurrently, side by side with their usage; stores nothing", async () => {
    const { workspaceId, bot, admin, base } = await setup();
    const credential = await simulatedCredential(workspaceId);
    const [v1, v2] = await db()
      .insert(promptVersions)
      .values([
        { chatbotId: bot.id, version: 1, text: "Prompt A: answer politely.\n<knowledge>\n{knowledge}\n</knowledge>" },
        {
          chatbotId: bot.id,
          version: 2,
          text: "Prompt B: answer in one word.\n<knowledge>\n{knowledge}\n</knowledge>",
        },
      ])
      .returning();
    // Both calls wait 600 ms at the provider: one after the other, the second would start 600 ms late.
    llm().addFault({ kind: "slow", times: 2, delayMs: 600 });
    const messagesBefore = await db().select({ id: messages.id }).from(messages);
    const res = await admin.post(`${base}/compare`, {
      message: "What is your return policy?",
      configs: [
        { credentialId: credential.id, promptVersionId: v1!.id },
        { credentialId: credential.id, promptVersionId: v2!.id, temperature: 0 },
      ],
    });
    expect(res.status).toBe(200);
    const { results } = await res.json();
    expect(results).toHaveLength(2);
    expect(results.map((r: { error: unknown }) => r.error)).toEqual([null, null]);
    expect(results[0]).toMatchObject({
      overrideConfig: { credentialId: credential.id, promptVersionId: v1!.id },
      answer: {
        response: DEMO_FAQ[2]!.answer,
        config: { promptVersionId: v1!.id, provider: "OPENAI_COMPATIBLE" },
        usage: { promptTokens: expect.any(Number), completionTokens: expect.any(Number) },
      },
    });
    expect(results[1].answer.config).toMatchObject({ promptVersionId: v2!.id, temperature: 0 });
    expect(results[0].answer.usage.completionTokens).toBeGreaterThan(0);

    const calls = llm().calls;
    expect(calls).toHaveLength(2);
    const systems = calls.map((c) => (c.body as { messages: { content: string }[] }).messages[0]!.content).sort();
    expect(systems.map((text) => text.split("\n")[0])).toEqual([
      "Prompt A: answer politely.",
      "Prompt B: answer in one word.",
    ]);
    expect(systems[0]).toContain(DEMO_FAQ[2]!.answer);
    expect(Math.abs(calls[0]!.time - calls[1]!.time)).toBeLessThan(400);
    expect(await db().select({ id: messages.id }).from(messages)).toEqual(messagesBefore);
  });

  it("a configuration whose provider fails reports its error in its slot; the other still answers", async () => {
    const { workspaceId, admin, base } = await setup();
    const credential = await simulatedCredential(workspaceId, "sk-play-broken-9999");
    llm().addFault({ kind: "invalid_key", key: "sk-play-broken-9999", times: 5 });
    const res = await admin.post(`${base}/compare`, {
      message: "What are your opening hours?",
      configs: [{}, { credentialId: credential.id }],
    });
    expect(res.status).toBe(200);
    const { results } = await res.json();
    expect(results[0]).toMatchObject({
      answer: { response: DEMO_FAQ[0]!.answer, config: { provider: "OFFLINE" } },
      error: null,
    });
    expect(results[1]).toMatchObject({
      answer: null,
      error: { code: "provider_auth_failed", message: expect.any(String) },
    });
  });
});
