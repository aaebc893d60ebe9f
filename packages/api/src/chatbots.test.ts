/**
 * The chatbot API (`/api/v1/chatbots`, seed S2 §1 and §4): every route for every role and for another
 * workspace, cursor pagination with the overview numbers, partial updates, validation that names the
 * field and changes nothing, soft delete (409 while serving a channel or default), per-language
 * overrides, and the per-chatbot API key (shown once, hashed, the old one dead at once).
 */
import { authenticateChatbotKey, DomainError, type Runtime } from "@tandem/core";
import {
  auditLogs,
  chatbots,
  chatbotTranslations as chatbotTranslationsTable,
  promptVersions,
  providerCredentials,
} from "@tandem/db";
import {
  createChannel,
  createChatbot,
  createContact,
  createConversation,
  createMessage,
  type TestWorkspace,
} from "@tandem/db/testing";
import { and, asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestClient } from "../../../tests/support/api-client.ts";
import { createTestRuntime } from "../../../tests/support/runtime.ts";
import { createSignInWorkspace, TEST_PASSWORD } from "../../../tests/support/workspace.ts";
import { createApp } from "./app.ts";

let runtime: Runtime;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  runtime = await createTestRuntime();
  app = createApp(runtime);
});
afterAll(async () => {
  await runtime.close();
});

const db = () => runtime.database.db;

async function signedIn(email: string) {
  const client = new TestClient(app);
  expect((await client.signIn(email, TEST_PASSWORD)).status).toBe(200);
  return client;
}

interface Setup {
  ws: TestWorkspace;
  owner: TestClient;
  admin: TestClient;
  agent: TestClient;
  /** An admin of another workspace. */
  stranger: TestClient;
}

async function setup(): Promise<Setup> {
  const ws = await createSignInWorkspace(runtime);
  const other = await createSignInWorkspace(runtime);
  const [owner, admin, agent, stranger] = await Promise.all([
    signedIn(ws.owner.user.email),
    signedIn(ws.admin.user.email),
    signedIn(ws.agent.user.email),
    signedIn(other.admin.user.email),
  ]);
  return { ws, owner, admin, agent, stranger };
}

async function create(client: TestClient, body: Record<string, unknown>) {
  const res = await client.post("/api/v1/chatbots", body);
  expect(res.status).toBe(201);
  return res.json();
}

const rowOf = async (id: string) => (await db().select().from(chatbots).where(eq(chatbots.id, id)))[0]!;

const auditOf = (workspaceId: string, action: string) =>
  db()
    .select()
    .from(auditLogs)
    .where(and(eq(auditLogs.workspaceId, workspaceId), eq(auditLogs.action, action)));

describe("POST /api/v1/chatbots", () => {
  it("OWNER and ADMIN create a chatbot with its settings, prompt version 1 and an audit row", async () => {
    const { ws, owner, admin } = await setup();
    const bot = await create(admin, {
      name: "Cosmetics Ingredient Assistant",
      description: "Helps customers understand ingredients",
      model: "offline-faq",
      temperature: 0.7,
      maxTokens: 500,
      timeoutMs: 20_000,
      language: "en",
      welcomeMessage: "Hello! Ask me about ingredients.",
      suggestedQuestions: ["Is niacinamide safe?", "What is INCI?"],
      promptVariables: { brandName: "Glow", tone: "warm" },
      guardrails: { maxConsecutiveBotReplies: 5 },
      memory: { lastNMessages: 8 },
      knowledgeFilters: { documentTypes: ["inci", "formulation"], supplierIds: ["sup_1"] },
      systemPrompt: "You are {brand_name}'s ingredient expert. {knowledge}",
    });
    expect(bot).toMatchObject({
      name: "Cosmetics Ingredient Assistant",
      description: "Helps customers understand ingredients",
      status: "testing",
      provider: "OFFLINE",
      credential: null,
      temperature: 0.7,
      maxTokens: 500,
      timeoutMs: 20_000,
      language: "en",
      welcomeMessage: "Hello! Ask me about ingredients.",
      suggestedQuestions: ["Is niacinamide safe?", "What is INCI?"],
      promptVariables: { brandName: "Glow", tone: "warm" },
      guardrails: { maxConsecutiveBotReplies: 5 },
      memory: { lastNMessages: 8 },
      knowledgeFilters: { documentTypes: ["inci", "formulation"], supplierIds: ["sup_1"] },
      apiKeyHint: null,
      channels: [],
      translations: [],
      stats: { conversations: 0, uniqueUsers: 0, lastActivityAt: null },
    });
    expect(bot.id).toMatch(/^bot_/);
    // The workspace had no default chatbot: the first one created takes the role.
    expect(bot.isDefault).toBe(true);
    const [version] = await db().select().from(promptVersions).where(eq(promptVersions.chatbotId, bot.id));
    expect(version).toMatchObject({ version: 1, text: "You are {brand_name}'s ingredient expert. {knowledge}" });
    expect(bot.currentPromptVersionId).toBe(version!.id);
    const [audit] = await auditOf(ws.workspace.id, "chatbot.create");
    expect(audit).toMatchObject({ entityId: bot.id, actorUserId: ws.admin.user.id });

    const second = await create(owner, { name: "Second" });
    expect(second.isDefault).toBe(false);
  });

  it("refuses an AGENT (403) and creates nothing", async () => {
    const { ws, agent } = await setup();
    const res = await agent.post("/api/v1/chatbots", { name: "Nope" });
    expect(res.status).toBe(403);
    expect(await db().select().from(chatbots).where(eq(chatbots.workspaceId, ws.workspace.id))).toHaveLength(0);
  });

  it.each([
    ["temperature", { temperature: 2.5 }, "between 0 and 2"],
    ["temperature", { temperature: -0.1 }, "between 0 and 2"],
    ["maxTokens", { maxTokens: 0 }, "between 1 and 32,000"],
    ["maxTokens", { maxTokens: 32_001 }, "between 1 and 32,000"],
    ["maxTokens", { maxTokens: 10.5 }, "whole number"],
    ["timeoutMs", { timeoutMs: 500 }, "between 1000 and 120000 milliseconds"],
    ["timeoutMs", { timeoutMs: 600_000 }, "between 1000 and 120000 milliseconds"],
    ["status", { status: "paused" }, ""],
    ["language", { language: "English" }, "language code"],
    ["name", { name: "" }, "enter a name"],
    ["suggestedQuestions", { suggestedQuestions: Array.from({ length: 11 }, (_, i) => `Q${i}`) }, "at most 10"],
  ])("400 on %s (%j), naming the field, and nothing stored", async (field, patch, words) => {
    const { ws, admin } = await setup();
    const res = await admin.post("/api/v1/chatbots", { name: "Bad", ...patch });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.code).toBe("invalid_input");
    const detail = body.error.details.find((d: { path: string }) => d.path === field);
    expect(detail).toBeDefined();
    expect(detail.message).toContain(words);
    expect(await db().select().from(chatbots).where(eq(chatbots.workspaceId, ws.workspace.id))).toHaveLength(0);
  });

  it("400 on an unknown field (the prompt is not a PATCH field, typos are not ignored)", async () => {
    const { admin } = await setup();
    const created = await create(admin, { name: "Strict" });
    const res = await admin.patch(`/api/v1/chatbots/${created.id}`, { systemPrompt: "sneaky" });
    expect(res.status).toBe(400);
    expect(JSON.stringify((await res.json()).error.details)).toContain("systemPrompt");
    expect((await rowOf(created.id)).systemPrompt).toBe("");
  });

  it("400 on a credential that is unknown or another workspace's, naming credentialId", async () => {
    const { ws, admin } = await setup();
    const other = await createSignInWorkspace(runtime);
    const [foreign] = await db()
      .insert(providerCredentials)
      .values({ workspaceId: other.workspace.id, name: "Theirs", kind: "OPENAI", baseUrl: null })
      .returning();
    for (const credentialId of ["pcred_nope", foreign!.id]) {
      const res = await admin.post("/api/v1/chatbots", { name: "Borrower", credentialId });
      expect(res.status).toBe(400);
      const body = await res.json();
      expect(body.error.code).toBe("invalid_credential");
      expect(body.error.details[0].path).toBe("credentialId");
    }
    expect(await db().select().from(chatbots).where(eq(chatbots.workspaceId, ws.workspace.id))).toHaveLength(0);
  });

  it("400 on an unknown {variable} in the first prompt", async () => {
    const { admin } = await setup();
    const res = await admin.post("/api/v1/chatbots", { name: "Typo", systemPrompt: "Hi {brnd_name}" });
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe("invalid_prompt_template");
  });
});

describe("GET /api/v1/chatbots", () => {
  it("pages newest first with a cursor, each with channels and S2's overview numbers, for every member", async () => {
    const { ws, agent, stranger } = await setup();
    const workspaceId = ws.workspace.id;
    const bots = [];
    for (let i = 0; i < 5; i++) bots.push(await createChatbot(db(), { workspaceId, name: `Bot ${i}` }));
    await createChatbot(db(), { workspaceId, name: "Gone", deletedAt: new Date() });
    // Bot 4 serves a channel with three conversations from two customers, plus a playground session.
    const busy = bots[4]!;
    const channel = await createChannel(db(), { workspaceId, chatbotId: busy.id, name: "Shop Page" });
    const alice = await createContact(db(), { workspaceId, channelId: channel.id });
    const bob = await createContact(db(), { workspaceId, channelId: channel.id });
    const latest = new Date("2026-03-01T10:00:00.000Z");
    for (const [contact, at] of [
      [alice, new Date("2026-02-01T10:00:00.000Z")],
      [bob, latest],
    ] as const) {
      await createConversation(db(), {
        workspaceId,
        channelId: channel.id,
        contactId: contact.id,
        chatbotId: busy.id,
        lastMessageAt: at,
      });
    }
    const line = await createChannel(db(), { workspaceId, chatbotId: busy.id, type: "line", name: "LINE OA" });
    const carol = await createContact(db(), { workspaceId, channelId: line.id });
    await createConversation(db(), {
      workspaceId,
      channelId: line.id,
      contactId: carol.id,
      chatbotId: busy.id,
      lastMessageAt: new Date("2026-01-01T00:00:00.000Z"),
    });
    await createConversation(db(), { workspaceId, chatbotId: busy.id, isPlayground: true, lastMessageAt: new Date() });
    // A disconnected channel is history: not listed.
    await createChannel(db(), { workspaceId, chatbotId: busy.id, disconnectedAt: new Date(), name: "Old Page" });

    const first = await agent.get("/api/v1/chatbots?limit=2");
    expect(first.status).toBe(200);
    const page1 = await first.json();
    expect(page1.data.map((b: { name: string }) => b.name)).toEqual(["Bot 4", "Bot 3"]);
    expect(page1.nextCursor).toEqual(expect.any(String));
    expect(page1.data[0]).toMatchObject({
      stats: { conversations: 3, uniqueUsers: 3, lastActivityAt: latest.toISOString() },
    });
    expect(page1.data[0].channels.map((c: { name: string }) => c.name).sort()).toEqual(["LINE OA", "Shop Page"]);
    expect(page1.data[1]).toMatchObject({ stats: { conversations: 0, uniqueUsers: 0, lastActivityAt: null } });

    const page2 = await (await agent.get(`/api/v1/chatbots?limit=2&cursor=${page1.nextCursor}`)).json();
    expect(page2.data.map((b: { name: string }) => b.name)).toEqual(["Bot 2", "Bot 1"]);
    const page3 = await (await agent.get(`/api/v1/chatbots?limit=2&cursor=${page2.nextCursor}`)).json();
    expect(page3).toEqual({ data: [expect.objectContaining({ name: "Bot 0" })], nextCursor: null });

    // Another workspace sees none of them.
    expect((await (await stranger.get("/api/v1/chatbots")).json()).data).toEqual([]);
    expect((await agent.get("/api/v1/chatbots?cursor=garbage")).status).toBe(400);
  });

  it("filters by status", async () => {
    const { ws, admin } = await setup();
    const workspaceId = ws.workspace.id;
    await createChatbot(db(), { workspaceId, name: "Live", status: "active" });
    await createChatbot(db(), { workspaceId, name: "Dormant", status: "inactive" });
    await createChatbot(db(), { workspaceId, name: "Trial", status: "testing" });
    const names = async (status: string) =>
      (await (await admin.get(`/api/v1/chatbots?status=${status}`)).json()).data.map((b: { name: string }) => b.name);
    expect(await names("active")).toEqual(["Live"]);
    expect(await names("inactive")).toEqual(["Dormant"]);
    expect((await admin.get("/api/v1/chatbots?status=paused")).status).toBe(400);
  });
});

describe("GET and PATCH /api/v1/chatbots/{id}", () => {
  it("every member reads one; another workspace's is a 404, and so is a deleted one", async () => {
    const { ws, owner, admin, agent, stranger } = await setup();
    const bot = await createChatbot(db(), { workspaceId: ws.workspace.id, name: "Readable" });
    for (const client of [owner, admin, agent]) {
      const res = await client.get(`/api/v1/chatbots/${bot.id}`);
      expect(res.status).toBe(200);
      expect((await res.json()).name).toBe("Readable");
    }
    const res = await stranger.get(`/api/v1/chatbots/${bot.id}`);
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe("chatbot_not_found");
    const gone = await createChatbot(db(), { workspaceId: ws.workspace.id, deletedAt: new Date() });
    expect((await admin.get(`/api/v1/chatbots/${gone.id}`)).status).toBe(404);
  });

  it("changes only the fields given, merges guardrails, and audits before and after", async () => {
    const { ws, owner } = await setup();
    const bot = await create(owner, {
      name: "Patchable",
      temperature: 0.2,
      guardrails: { maxConsecutiveBotReplies: 4, profanityFilter: true },
      welcomeMessage: "Hi",
    });
    const res = await owner.patch(`/api/v1/chatbots/${bot.id}`, {
      status: "active",
      temperature: 1.1,
      guardrails: { maxConsecutiveBotReplies: 6 },
      suggestedQuestions: ["Where is my order?"],
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      name: "Patchable",
      status: "active",
      temperature: 1.1,
      welcomeMessage: "Hi",
      guardrails: { maxConsecutiveBotReplies: 6, profanityFilter: true },
      suggestedQuestions: ["Where is my order?"],
    });
    const [audit] = await auditOf(ws.workspace.id, "chatbot.update");
    expect(audit).toMatchObject({
      entityId: bot.id,
      before: expect.objectContaining({ status: "testing", temperature: 0.2 }),
      after: expect.objectContaining({ status: "active", temperature: 1.1 }),
    });
  });

  it("an AGENT may not change it (403); another workspace gets 404; bad values are 400 and change nothing", async () => {
    const { ws, agent, stranger, admin } = await setup();
    const bot = await createChatbot(db(), { workspaceId: ws.workspace.id, name: "Guarded", temperature: 0.3 });
    expect((await agent.patch(`/api/v1/chatbots/${bot.id}`, { name: "Mine" })).status).toBe(403);
    expect((await stranger.patch(`/api/v1/chatbots/${bot.id}`, { name: "Mine" })).status).toBe(404);
    const bad = await admin.patch(`/api/v1/chatbots/${bot.id}`, { name: "Renamed", temperature: 3 });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.details[0]).toMatchObject({ path: "temperature" });
    expect(await admin.patch(`/api/v1/chatbots/${bot.id}`, {}).then((r) => r.status)).toBe(400);
    expect(await rowOf(bot.id)).toMatchObject({ name: "Guarded", temperature: 0.3 });
  });

  it("names a credential: the provider follows its kind; a contradicting provider is a 400 on provider", async () => {
    const { ws, admin } = await setup();
    const [credential] = await db()
      .insert(providerCredentials)
      .values({
        workspaceId: ws.workspace.id,
        name: "Gemini prod",
        kind: "GEMINI",
        apiKeyEncrypted: runtime.keyring.encrypt("AIza-secret-key-1234"),
        keyHint: "••••1234",
        defaultModel: "gemini-2.5-flash",
      })
      .returning();
    const bot = await create(admin, { name: "Switcher" });
    const res = await admin.patch(`/api/v1/chatbots/${bot.id}`, { credentialId: credential!.id });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      provider: "GEMINI",
      model: "gemini-2.5-flash",
      credential: { id: credential!.id, name: "Gemini prod", apiKeyHint: "••••1234" },
    });
    const clash = await admin.patch(`/api/v1/chatbots/${bot.id}`, { credentialId: credential!.id, provider: "OPENAI" });
    expect(clash.status).toBe(400);
    expect((await clash.json()).error.details[0].path).toBe("provider");
    // Back to the offline provider: the credential of the other kind goes with it.
    const offline = await (await admin.patch(`/api/v1/chatbots/${bot.id}`, { provider: "OFFLINE" })).json();
    expect(offline).toMatchObject({ provider: "OFFLINE", credential: null, model: null });
  });

  it("isDefault: true moves the default role from the previous default", async () => {
    const { ws, admin } = await setup();
    const first = await create(admin, { name: "First" });
    const second = await create(admin, { name: "Second" });
    expect(first.isDefault).toBe(true);
    const res = await admin.patch(`/api/v1/chatbots/${second.id}`, { isDefault: true });
    expect((await res.json()).isDefault).toBe(true);
    expect((await rowOf(first.id)).isDefault).toBe(false);
    // /settings/provider edits the default chatbot, now the second one.
    const settings = await (await admin.get("/api/v1/settings/provider")).json();
    expect(settings.chatbotId).toBe(second.id);
    expect((await admin.patch(`/api/v1/chatbots/${second.id}`, { isDefault: false })).status).toBe(400);
    // Asking again changes nothing and writes no audit row.
    const updates = (await auditOf(ws.workspace.id, "chatbot.update")).length;
    const again = await admin.patch(`/api/v1/chatbots/${second.id}`, { isDefault: true });
    expect(again.status).toBe(200);
    expect((await again.json()).isDefault).toBe(true);
    expect(await auditOf(ws.workspace.id, "chatbot.update")).toHaveLength(updates);
  });
});

describe("DELETE /api/v1/chatbots/{id}", () => {
  it("soft-deletes: gone from the API, history kept, audited", async () => {
    const { ws, admin } = await setup();
    await create(admin, { name: "Default keeper" });
    const bot = await create(admin, { name: "Retired" });
    const conversation = await createConversation(db(), { workspaceId: ws.workspace.id, chatbotId: bot.id });
    await createMessage(db(), { conversationId: conversation.id, text: "old question" });
    const res = await admin.delete(`/api/v1/chatbots/${bot.id}`);
    expect(res.status).toBe(204);
    expect((await admin.get(`/api/v1/chatbots/${bot.id}`)).status).toBe(404);
    expect((await admin.delete(`/api/v1/chatbots/${bot.id}`)).status).toBe(404);
    const row = await rowOf(bot.id);
    expect(row.deletedAt).toBeInstanceOf(Date);
    // History stays: the conversation still names it, its prompt versions remain.
    expect(await db().select().from(promptVersions).where(eq(promptVersions.chatbotId, bot.id))).toHaveLength(1);
    const inbox = await (await admin.get(`/api/v1/conversations/${conversation.id}`)).json();
    expect(inbox.chatbotId).toBe(bot.id);
    // The inbox names the chatbot that handled it, deleted or not.
    expect(inbox.chatbot).toEqual({ id: bot.id, name: "Retired" });
    expect(await auditOf(ws.workspace.id, "chatbot.delete")).toHaveLength(1);
  });

  it("409 chatbot_in_use naming the channels it still serves; nothing deleted", async () => {
    const { ws, admin } = await setup();
    await create(admin, { name: "Default keeper" });
    const bot = await create(admin, { name: "Busy" });
    await createChannel(db(), { workspaceId: ws.workspace.id, chatbotId: bot.id, name: "Shop Page" });
    const res = await admin.delete(`/api/v1/chatbots/${bot.id}`);
    expect(res.status).toBe(409);
    const body = await res.json();
    expect(body.error.code).toBe("chatbot_in_use");
    expect(body.error.message).toContain("Shop Page");
    expect(body.error.details.channels).toEqual([expect.objectContaining({ name: "Shop Page", type: "messenger" })]);
    expect((await rowOf(bot.id)).deletedAt).toBeNull();
  });

  it("409 chatbot_is_default for the default one, until the role moves", async () => {
    const { admin } = await setup();
    const first = await create(admin, { name: "Default" });
    const res = await admin.delete(`/api/v1/chatbots/${first.id}`);
    expect(res.status).toBe(409);
    expect((await res.json()).error.code).toBe("chatbot_is_default");
    const second = await create(admin, { name: "Heir" });
    await admin.patch(`/api/v1/chatbots/${second.id}`, { isDefault: true });
    expect((await admin.delete(`/api/v1/chatbots/${first.id}`)).status).toBe(204);
  });

  it("an AGENT gets 403 and another workspace 404", async () => {
    const { ws, agent, stranger } = await setup();
    const bot = await createChatbot(db(), { workspaceId: ws.workspace.id });
    expect((await agent.delete(`/api/v1/chatbots/${bot.id}`)).status).toBe(403);
    expect((await stranger.delete(`/api/v1/chatbots/${bot.id}`)).status).toBe(404);
    expect((await rowOf(bot.id)).deletedAt).toBeNull();
  });
});

describe("POST /api/v1/chatbots/{id}/regenerate-token", () => {
  it("returns a ck_ key once, stores only its hash and hint, and the old key stops working at once", async () => {
    const { ws, admin } = await setup();
    const bot = await create(admin, { name: "Public" });
    const res = await admin.post(`/api/v1/chatbots/${bot.id}/regenerate-token`);
    expect(res.status).toBe(200);
    const { apiKey, apiKeyHint } = await res.json();
    expect(apiKey).toMatch(/^ck_[A-Za-z0-9_-]{40,}$/);
    expect(apiKeyHint).toBe(apiKey.slice(-8));
    const row = await rowOf(bot.id);
    expect(row.apiKeyHint).toBe(apiKeyHint);
    expect(row.apiKeyHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(apiKey);
    expect((await (await admin.get(`/api/v1/chatbots/${bot.id}`)).json()).apiKeyHint).toBe(apiKeyHint);
    expect((await authenticateChatbotKey(db(), apiKey)).id).toBe(bot.id);

    const next = await (await admin.post(`/api/v1/chatbots/${bot.id}/regenerate-token`)).json();
    expect(next.apiKey).not.toBe(apiKey);
    await expect(authenticateChatbotKey(db(), apiKey)).rejects.toMatchObject({ code: "invalid_api_key" });
    expect((await authenticateChatbotKey(db(), next.apiKey)).id).toBe(bot.id);

    const audits = await auditOf(ws.workspace.id, "chatbot.regenerate_key");
    expect(audits).toHaveLength(2);
    expect(JSON.stringify(audits)).not.toContain(apiKey);
    expect(audits.map((a) => a.after)).toContainEqual({ keyHint: next.apiKeyHint });
  });

  it("a deleted chatbot's key, a forged key and a malformed one are 401 invalid_api_key", async () => {
    const { admin } = await setup();
    await create(admin, { name: "Default keeper" });
    const bot = await create(admin, { name: "Doomed" });
    const { apiKey } = await (await admin.post(`/api/v1/chatbots/${bot.id}/regenerate-token`)).json();
    expect((await admin.delete(`/api/v1/chatbots/${bot.id}`)).status).toBe(204);
    for (const key of [apiKey, `ck_${"x".repeat(43)}`, "sk-not-ours", "", undefined]) {
      const error = await authenticateChatbotKey(db(), key).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({ code: "invalid_api_key" });
    }
  });

  it("AGENT 403, another workspace 404", async () => {
    const { ws, agent, stranger } = await setup();
    const bot = await createChatbot(db(), { workspaceId: ws.workspace.id });
    expect((await agent.post(`/api/v1/chatbots/${bot.id}/regenerate-token`)).status).toBe(403);
    expect((await stranger.post(`/api/v1/chatbots/${bot.id}/regenerate-token`)).status).toBe(404);
    expect((await rowOf(bot.id)).apiKeyHash).toBeNull();
  });
});

describe("/api/v1/chatbots/{id}/translations/{languageCode}", () => {
  it("PUT creates or replaces one language's overrides, listed in the chatbot; DELETE removes them", async () => {
    const { ws, admin, agent, stranger } = await setup();
    const bot = await create(admin, { name: "Polyglot" });
    const url = `/api/v1/chatbots/${bot.id}/translations/th`;
    const put = await admin.put(url, { welcomeMessage: "สวัสดีค่ะ", systemPrompt: "ตอบเป็นภาษาไทย {knowledge}" });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ languageCode: "th", welcomeMessage: "สวัสดีค่ะ" });
    await admin.put(url, { welcomeMessage: "สวัสดี" });
    const read = await (await agent.get(`/api/v1/chatbots/${bot.id}`)).json();
    expect(read.translations).toEqual([
      expect.objectContaining({ languageCode: "th", welcomeMessage: "สวัสดี", systemPrompt: null, handoffMessage: null }),
    ]);
    // A handoff message alone is an override too; "" means "tell Thai customers nothing".
    for (const handoffMessage of ["รอสักครู่นะคะ เจ้าหน้าที่กำลังมา", ""]) {
      const saved = await (await admin.put(url, { welcomeMessage: "สวัสดี", handoffMessage })).json();
      expect(saved).toMatchObject({ handoffMessage });
    }
    expect((await admin.put(url, { handoffMessage: "x".repeat(1001) })).status).toBe(400);
    expect((await agent.put(url, { welcomeMessage: "x" })).status).toBe(403);
    expect((await stranger.put(url, { welcomeMessage: "x" })).status).toBe(404);
    expect((await admin.put(`/api/v1/chatbots/${bot.id}/translations/Thai!`, { welcomeMessage: "x" })).status).toBe(
      400,
    );
    expect((await admin.put(url, {})).status).toBe(400);
    expect((await admin.put(url, { systemPrompt: "{nope}" })).status).toBe(400);

    expect((await agent.delete(url)).status).toBe(403);
    expect((await admin.delete(url)).status).toBe(204);
    expect((await admin.delete(url)).status).toBe(404);
    expect((await (await admin.get(`/api/v1/chatbots/${bot.id}`)).json()).translations).toEqual([]);
    const actions = (
      await db()
        .select()
        .from(auditLogs)
        .where(eq(auditLogs.workspaceId, ws.workspace.id))
        .orderBy(asc(auditLogs.createdAt), asc(auditLogs.id))
    ).map((a) => a.action);
    expect(actions.filter((a) => a.startsWith("chatbot.translation."))).toEqual([
      "chatbot.translation.put",
      "chatbot.translation.put",
      "chatbot.translation.put",
      "chatbot.translation.put",
      "chatbot.translation.delete",
    ]);
  });
});

describe("GET /api/v1/chatbots/{id}/conversations", () => {
  it("lists its conversations newest first with a cursor (not other chatbots', not playground); one with its messages", async () => {
    const { ws, agent, stranger } = await setup();
    const workspaceId = ws.workspace.id;
    const bot = await createChatbot(db(), { workspaceId, name: "Mine" });
    const otherBot = await createChatbot(db(), { workspaceId, name: "Theirs" });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const c = await createConversation(db(), {
        workspaceId,
        chatbotId: bot.id,
        lastMessageAt: new Date(Date.UTC(2026, 0, 1 + i)),
      });
      ids.push(c.id);
    }
    const foreign = await createConversation(db(), { workspaceId, chatbotId: otherBot.id });
    await createConversation(db(), { workspaceId, chatbotId: bot.id, isPlayground: true });

    const page1 = await (await agent.get(`/api/v1/chatbots/${bot.id}/conversations?limit=2`)).json();
    expect(page1.data.map((c: { id: string }) => c.id)).toEqual([ids[2], ids[1]]);
    const page2 = await (
      await agent.get(`/api/v1/chatbots/${bot.id}/conversations?limit=2&cursor=${page1.nextCursor}`)
    ).json();
    expect(page2).toEqual({ data: [expect.objectContaining({ id: ids[0] })], nextCursor: null });

    const first = await createMessage(db(), { conversationId: ids[0]!, text: "Hello there" });
    const reply = await createMessage(db(), { conversationId: ids[0]!, role: "BOT", status: "sent", text: "Hi!" });
    const detail = await agent.get(`/api/v1/chatbots/${bot.id}/conversations/${ids[0]}`);
    expect(detail.status).toBe(200);
    const body = await detail.json();
    expect(body.conversation.id).toBe(ids[0]);
    expect(body.messages.map((m: { id: string }) => m.id)).toEqual([first.id, reply.id]);
    expect(body.olderMessagesCursor).toBeNull();

    // Another chatbot's conversation, and another workspace, are not found.
    expect((await agent.get(`/api/v1/chatbots/${bot.id}/conversations/${foreign.id}`)).status).toBe(404);
    expect((await stranger.get(`/api/v1/chatbots/${bot.id}/conversations`)).status).toBe(404);
    expect((await stranger.get(`/api/v1/chatbots/${bot.id}/conversations/${ids[0]}`)).status).toBe(404);
  });
});

describe("every route × role", () => {
  it("OWNER and ADMIN manage, an AGENT reads only, another workspace finds nothing", async () => {
    const s = await setup();
    const workspaceId = s.ws.workspace.id;
    const clients = { OWNER: s.owner, ADMIN: s.admin, AGENT: s.agent, stranger: s.stranger } as const;
    const expected: Record<string, Record<keyof typeof clients, number>> = {
      "GET /chatbots/{id}": { OWNER: 200, ADMIN: 200, AGENT: 200, stranger: 404 },
      "PATCH /chatbots/{id}": { OWNER: 200, ADMIN: 200, AGENT: 403, stranger: 404 },
      "POST /chatbots/{id}/regenerate-token": { OWNER: 200, ADMIN: 200, AGENT: 403, stranger: 404 },
      "PUT /chatbots/{id}/translations/th": { OWNER: 200, ADMIN: 200, AGENT: 403, stranger: 404 },
      "DELETE /chatbots/{id}/translations/th": { OWNER: 204, ADMIN: 204, AGENT: 403, stranger: 404 },
      "GET /chatbots/{id}/conversations": { OWNER: 200, ADMIN: 200, AGENT: 200, stranger: 404 },
      "GET /chatbots/{id}/conversations/{conversationId}": { OWNER: 200, ADMIN: 200, AGENT: 200, stranger: 404 },
      "DELETE /chatbots/{id}": { OWNER: 204, ADMIN: 204, AGENT: 403, stranger: 404 },
    };
    for (const [role, client] of Object.entries(clients) as [keyof typeof clients, TestClient][]) {
      const bot = await createChatbot(db(), { workspaceId, name: `For ${role}` });
      await db()
        .insert(chatbotTranslationsTable)
        .values({ chatbotId: bot.id, languageCode: "th", welcomeMessage: "สวัสดี" });
      const conversation = await createConversation(db(), { workspaceId, chatbotId: bot.id });
      for (const [route, statuses] of Object.entries(expected)) {
        const [method, template] = route.split(" ") as [string, string];
        const url = `/api/v1${template.replace("{id}", bot.id).replace("{conversationId}", conversation.id)}`;
        const body =
          method === "PATCH" ? { description: "changed" } : method === "PUT" ? { welcomeMessage: "hi" } : undefined;
        // The translation PUT runs before its DELETE, so the DELETE has one to remove.
        const res = await client.request(method, url, body);
        expect(res.status, `${role}: ${route}`).toBe(statuses[role]);
      }
    }
    const created = await s.owner.post("/api/v1/chatbots", { name: "Owner's" });
    expect(created.status).toBe(201);
    expect((await s.admin.post("/api/v1/chatbots", { name: "Admin's" })).status).toBe(201);
    expect((await s.agent.post("/api/v1/chatbots", { name: "Agent's" })).status).toBe(403);
    for (const client of [s.owner, s.admin, s.agent]) {
      const list = await (await client.get("/api/v1/chatbots")).json();
      // The chatbots the AGENT and the stranger could not delete are still there.
      expect(list.data.map((b: { name: string }) => b.name)).toEqual([
        "Admin's",
        "Owner's",
        "For stranger",
        "For AGENT",
      ]);
    }
    expect((await (await s.stranger.get("/api/v1/chatbots")).json()).data).toEqual([]);
  });
});
