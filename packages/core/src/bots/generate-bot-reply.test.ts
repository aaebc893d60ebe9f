import { createHash } from "node:crypto";
import { SOCKET_EVENTS } from "@tandem/contracts";
import {
  chatbotErrors,
  type chatbots,
  chatbotTranslations,
  contacts,
  conversations,
  type Db,
  jobs,
  messages,
  promptVersions,
  providerCredentials,
} from "@tandem/db";
import {
  createChatbot,
  createConversation,
  createKnowledgePassage,
  createMessage,
  createTestWorkspace,
  type TestWorkspace,
} from "@tandem/db/testing";
import { type LlmFault, type ServedSimulator, serveSimulator } from "@tandem/simulator";
import { and, asc, eq, like } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { attachTestQueue, createTestRuntime } from "../../../../tests/support/runtime.ts";
import { type AppJobDeps, appJobDeps } from "../app-deps.ts";
import { messageToDto } from "../conversations/to-dto.ts";
import { DEMO_FAQ } from "../demo/seed-demo.ts";
import { createJobQueue } from "../jobs/create-queue.ts";
import type { JobContext } from "../jobs/define-job.ts";
import type { JobQueue } from "../jobs/queue.ts";
import { JobRegistry } from "../jobs/registry.ts";
import { silentLogger } from "../logger.ts";
import { sendAgentMessage } from "../messages/send-agent-message.ts";
import { sendOutboundMessage } from "../messages/send-outbound-message.ts";
import { providerDeps } from "../providers/provider-deps.ts";
import type { Runtime } from "../runtime.ts";
import { generateBotReply } from "./generate-bot-reply.ts";
import { DEFAULT_HANDOFF_MESSAGES } from "./handoff-message.ts";
import { HANDOFF_MARKER } from "./prompt.ts";

const RETURN_POLICY = DEMO_FAQ.findIndex((e) => e.question === "What is your return policy?");

let runtime: Runtime;
let db: Db;
let queue: JobQueue;
let events: { room: string; event: string; payload: unknown }[] = [];
let jobCounter = 0;
let served: ServedSimulator;

beforeAll(async () => {
  served = await serveSimulator({ basePath: "/_simulator" });
  runtime = await createTestRuntime();
  db = runtime.database.db;
  // Created but never started: the test sees what the handler enqueues without running it.
  queue = attachTestQueue(runtime);
  runtime.realtime.bind({ emit: (room, event, payload) => events.push({ room, event, payload }) });
});
afterAll(async () => {
  await queue.stop();
  await runtime.close();
  await served.close();
});
beforeEach(() => {
  events = [];
  served.simulator.reset();
});

/** The context of a request by the workspace's AGENT (an inbox action). */
function agentCtx(ws: TestWorkspace) {
  return {
    db,
    workspaceId: ws.workspace.id,
    actor: { type: "user" as const, userId: ws.agent.user.id, memberId: ws.agent.member.id, role: "AGENT" as const },
    log: silentLogger,
    queue,
    realtime: runtime.realtime,
  };
}

function jobContext(jobId = `job_test_${++jobCounter}`): JobContext<AppJobDeps> {
  return {
    ...appJobDeps(runtime),
    jobId,
    jobKey: null,
    name: generateBotReply.name,
    attempt: 1,
    maxAttempts: generateBotReply.retry.attempts,
    log: silentLogger,
    signal: new AbortController().signal,
  };
}

const errorsOf = (conversationId: string) =>
  db.select().from(chatbotErrors).where(eq(chatbotErrors.conversationId, conversationId));

/** A workspace whose default chatbot carries the demo FAQ, and one open Messenger conversation. */
async function setup(
  options: {
    conversation?: Partial<typeof conversations.$inferInsert>;
    chatbot?: Partial<typeof chatbots.$inferInsert> | null;
  } = {},
) {
  const ws = await createTestWorkspace(db);
  const chatbot =
    options.chatbot === null
      ? null
      : await createChatbot(db, {
          isDefault: true,
          providerKind: "OFFLINE",
          model: "offline-faq",
          faqEntries: DEMO_FAQ,
          ...options.chatbot,
          workspaceId: ws.workspace.id,
        });
  const conversation = await createConversation(db, {
    workspaceId: ws.workspace.id,
    chatbotId: chatbot?.id ?? null,
    lastInboundAt: new Date(),
    ...options.conversation,
  });
  return { ws, chatbot, conversation };
}

async function customerSays(conversationId: string, text: string, createdAt = new Date()) {
  return createMessage(db, { conversationId, role: "USER", status: "received", text, createdAt });
}

async function threadOf(conversationId: string) {
  return db
    .select()
    .from(messages)
    .where(eq(messages.conversationId, conversationId))
    .orderBy(asc(messages.createdAt), asc(messages.id));
}

async function conversationRow(id: string) {
  const [row] = await db.select().from(conversations).where(eq(conversations.id, id));
  return row!;
}

async function sendJobFor(messageId: string) {
  const [row] = await db
    .select()
    .from(jobs)
    .where(and(eq(jobs.name, sendOutboundMessage.name), eq(jobs.jobKey, `send:${messageId}`)));
  return row;
}

async function sendJobsWaiting(workspaceId: string) {
  return (await queue.counts({ workspaceId })).byName[sendOutboundMessage.name]?.waiting ?? 0;
}

describe("generate-bot-reply (offline provider)", () => {
  it("answers a FAQ question: BOT message queued, conversation updated, live events, send job enqueued", async () => {
    const { ws, conversation } = await setup();
    const trigger = await customerSays(conversation.id, "What is your return policy?");
    const waitingBefore = await sendJobsWaiting(ws.workspace.id);

    await generateBotReply.handle(
      { conversationId: conversation.id, triggerMessageId: trigger.id, mode: "auto" },
      jobContext(),
    );

    const thread = await threadOf(conversation.id);
    expect(thread.map((m) => m.role)).toEqual(["USER", "BOT"]);
    const reply = thread[1]!;
    expect(reply).toMatchObject({
      workspaceId: ws.workspace.id,
      channelId: conversation.channelId,
      kind: "text",
      text: DEMO_FAQ[RETURN_POLICY]!.answer,
      status: "queued",
      provider: "OFFLINE",
      model: "offline-faq",
      usage: { inputTokens: 0, outputTokens: 0 },
      retrievedSources: [{ chunkId: `faq:${RETURN_POLICY}`, title: "What is your return policy?", score: 1 }],
      replyToId: trigger.id,
    });
    expect(reply.latencyMs).toBeGreaterThanOrEqual(0);
    expect(reply.metadata).toMatchObject({ trigger: trigger.id, mode: "auto" });

    const after = await conversationRow(conversation.id);
    expect(after).toMatchObject({
      consecutiveBotReplies: 1,
      lastMessagePreview: reply.text!.slice(0, 140),
      autoBot: true,
      needsHuman: false,
    });
    expect(after.lastMessageAt.getTime()).toBe(reply.createdAt.getTime());

    expect(await sendJobFor(reply.id)).toMatchObject({ status: "waiting", payload: { messageId: reply.id } });
    expect(await sendJobsWaiting(ws.workspace.id)).toBe(waitingBefore + 1);

    expect(events).toContainEqual(
      expect.objectContaining({
        room: `conversation:${conversation.id}`,
        event: SOCKET_EVENTS.messageNew,
        payload: expect.objectContaining({ id: reply.id, role: "BOT" }),
      }),
    );
    expect(events).toContainEqual(
      expect.objectContaining({
        room: `workspace:${ws.workspace.id}`,
        event: SOCKET_EVENTS.conversationUpdated,
        payload: expect.objectContaining({
          id: conversation.id,
          lastMessage: expect.objectContaining({ role: "BOT" }),
        }),
      }),
    );
  });

  it("hands off when no FAQ entry matches: auto-bot off, flagged, a SYSTEM note, the customer told a person will reply", async () => {
    const { ws, conversation } = await setup();
    const trigger = await customerSays(conversation.id, "My parcel arrived crushed, what now?");
    const waitingBefore = await sendJobsWaiting(ws.workspace.id);

    await generateBotReply.handle(
      { conversationId: conversation.id, triggerMessageId: trigger.id, mode: "auto" },
      jobContext(),
    );

    const thread = await threadOf(conversation.id);
    expect(thread.map((m) => [m.role, m.kind])).toEqual([
      ["USER", "text"],
      ["SYSTEM", "event"],
      ["BOT", "text"],
    ]);
    expect(thread[1]!.text).toBe("The bot could not answer confidently: handed to a person.");
    expect(thread[1]!.metadata).toMatchObject({ event: "handoff", reason: "low_confidence", trigger: trigger.id });
    // What the customer is told goes out like any bot answer: queued, one send job.
    expect(thread[2]).toMatchObject({ status: "queued", text: DEFAULT_HANDOFF_MESSAGES.en });
    expect(thread[2]!.metadata).toMatchObject({ event: "handoff_message", reason: "low_confidence" });
    const after = await conversationRow(conversation.id);
    expect(after).toMatchObject({ autoBot: false, needsHuman: true, handoffReason: "low_confidence" });
    expect(after.handoffAt).toBeInstanceOf(Date);
    expect(await sendJobsWaiting(ws.workspace.id)).toBe(waitingBefore + 1);
    expect(events.map((e) => e.event)).toEqual(
      expect.arrayContaining([SOCKET_EVENTS.messageNew, SOCKET_EVENTS.conversationUpdated]),
    );
  });

  it.each(["Can I talk to a human?", "ขอคุยกับพนักงานหน่อย", "quiero hablar con una persona"])(
    "hands off with reason human_requested on %j",
    async (text) => {
      const { conversation } = await setup();
      const trigger = await customerSays(conversation.id, text);

      await generateBotReply.handle(
        { conversationId: conversation.id, triggerMessageId: trigger.id, mode: "auto" },
        jobContext(),
      );

      const thread = await threadOf(conversation.id);
      expect(thread.map((m) => m.role)).toEqual(["USER", "SYSTEM", "BOT"]);
      expect(await conversationRow(conversation.id)).toMatchObject({
        autoBot: false,
        needsHuman: true,
        handoffReason: "human_requested",
      });
    },
  );

  it("stays silent when auto-bot is off", async () => {
    const { conversation } = await setup({ conversation: { autoBot: false } });
    const trigger = await customerSays(conversation.id, "What is your return policy?");

    await generateBotReply.handle(
      { conversationId: conversation.id, triggerMessageId: trigger.id, mode: "auto" },
      jobContext(),
    );

    expect((await threadOf(conversation.id)).map((m) => m.role)).toEqual(["USER"]);
    expect(await conversationRow(conversation.id)).toMatchObject({ needsHuman: false, consecutiveBotReplies: 0 });
    expect(events).toEqual([]);
  });

  it("stays silent once an agent replied after the message, and answers messages written after that", async () => {
    const { conversation } = await setup();
    const earlier = await customerSays(conversation.id, "What is your return policy?", new Date(Date.now() - 60_000));
    await db
      .update(conversations)
      .set({ humanRepliedAt: new Date(Date.now() - 30_000) })
      .where(eq(conversations.id, conversation.id));

    await generateBotReply.handle(
      { conversationId: conversation.id, triggerMessageId: earlier.id, mode: "auto" },
      jobContext(),
    );
    expect((await threadOf(conversation.id)).map((m) => m.role)).toEqual(["USER"]);

    // Auto-bot was switched on again and the customer writes once more.
    const later = await customerSays(conversation.id, "And what is your return policy for gifts?");
    await generateBotReply.handle(
      { conversationId: conversation.id, triggerMessageId: later.id, mode: "auto" },
      jobContext(),
    );
    expect((await threadOf(conversation.id)).map((m) => m.role)).toEqual(["USER", "USER", "BOT"]);
  });

  it("answers only the newest of several quick messages", async () => {
    const { conversation } = await setup();
    const first = await customerSays(conversation.id, "hi", new Date(Date.now() - 2_000));
    const second = await customerSays(conversation.id, "What are your opening hours?");

    await generateBotReply.handle(
      { conversationId: conversation.id, triggerMessageId: first.id, mode: "auto" },
      jobContext(),
    );
    await generateBotReply.handle(
      { conversationId: conversation.id, triggerMessageId: second.id, mode: "auto" },
      jobContext(),
    );

    const thread = await threadOf(conversation.id);
    expect(thread.map((m) => m.role)).toEqual(["USER", "USER", "BOT"]);
    expect(thread[2]!.text).toBe(DEMO_FAQ[0]!.answer);
  });

  it("hands off after the maximum of consecutive bot replies (default 3, or the chatbot's setting)", async () => {
    const { conversation } = await setup({ conversation: { consecutiveBotReplies: 3 } });
    const trigger = await customerSays(conversation.id, "What is your return policy?");
    await generateBotReply.handle(
      { conversationId: conversation.id, triggerMessageId: trigger.id, mode: "auto" },
      jobContext(),
    );
    expect((await threadOf(conversation.id)).map((m) => m.role)).toEqual(["USER", "SYSTEM", "BOT"]);
    expect(await conversationRow(conversation.id)).toMatchObject({
      autoBot: false,
      needsHuman: true,
      handoffReason: "max_bot_replies",
    });

    const lenient = await setup({
      conversation: { consecutiveBotReplies: 3 },
      chatbot: { guardrails: { maxConsecutiveBotReplies: 5 } },
    });
    const again = await customerSays(lenient.conversation.id, "What is your return policy?");
    await generateBotReply.handle(
      { conversationId: lenient.conversation.id, triggerMessageId: again.id, mode: "auto" },
      jobContext(),
    );
    expect((await threadOf(lenient.conversation.id)).map((m) => m.role)).toEqual(["USER", "BOT"]);
    expect(await conversationRow(lenient.conversation.id)).toMatchObject({ consecutiveBotReplies: 4 });
  });

  it("uses the chatbot's confidence threshold", async () => {
    const strict = await setup({ chatbot: { guardrails: { confidenceThreshold: 0.9 } } });
    const partial = await customerSays(strict.conversation.id, "Can I return my shoes?");
    await generateBotReply.handle(
      { conversationId: strict.conversation.id, triggerMessageId: partial.id, mode: "auto" },
      jobContext(),
    );
    expect(await conversationRow(strict.conversation.id)).toMatchObject({ handoffReason: "low_confidence" });

    const relaxed = await setup();
    const same = await customerSays(relaxed.conversation.id, "Can I return my shoes?");
    await generateBotReply.handle(
      { conversationId: relaxed.conversation.id, triggerMessageId: same.id, mode: "auto" },
      jobContext(),
    );
    expect((await threadOf(relaxed.conversation.id)).map((m) => m.role)).toEqual(["USER", "BOT"]);
  });

  it("falls back to the workspace's default chatbot, and hands off when there is none", async () => {
    const { ws, chatbot, conversation } = await setup();
    await db.update(conversations).set({ chatbotId: null }).where(eq(conversations.id, conversation.id));
    const trigger = await customerSays(conversation.id, "Do you ship internationally?");
    await generateBotReply.handle(
      { conversationId: conversation.id, triggerMessageId: trigger.id, mode: "auto" },
      jobContext(),
    );
    const reply = (await threadOf(conversation.id))[1]!;
    expect(reply).toMatchObject({ role: "BOT", model: chatbot!.model, text: DEMO_FAQ[4]!.answer });
    expect(ws.workspace.id).toBe(reply.workspaceId);

    const orphan = await setup({ chatbot: null });
    const question = await customerSays(orphan.conversation.id, "What is your return policy?");
    await generateBotReply.handle(
      { conversationId: orphan.conversation.id, triggerMessageId: question.id, mode: "auto" },
      jobContext(),
    );
    const thread = await threadOf(orphan.conversation.id);
    expect(thread.map((m) => m.role)).toEqual(["USER", "SYSTEM"]);
    expect(await conversationRow(orphan.conversation.id)).toMatchObject({
      autoBot: false,
      needsHuman: true,
      handoffReason: "no_chatbot",
    });
  });

  it("does not use another workspace's default chatbot", async () => {
    await setup(); // another workspace with a default chatbot and the FAQ
    const { conversation } = await setup({ chatbot: null });
    const trigger = await customerSays(conversation.id, "What is your return policy?");
    await generateBotReply.handle(
      { conversationId: conversation.id, triggerMessageId: trigger.id, mode: "auto" },
      jobContext(),
    );
    expect(await conversationRow(conversation.id)).toMatchObject({ handoffReason: "no_chatbot" });
  });

  it("a retried attempt does not answer twice, and still enqueues the send", async () => {
    const { conversation } = await setup();
    const trigger = await customerSays(conversation.id, "What is your return policy?");
    const ctx = jobContext();
    const payload = { conversationId: conversation.id, triggerMessageId: trigger.id, mode: "auto" as const };

    await generateBotReply.handle(payload, ctx);
    const reply = (await threadOf(conversation.id))[1]!;
    await db.delete(jobs).where(eq(jobs.jobKey, `send:${reply.id}`)); // as if the first attempt died before enqueueing
    await generateBotReply.handle(payload, { ...ctx, attempt: 2 });

    expect((await threadOf(conversation.id)).map((m) => m.role)).toEqual(["USER", "BOT"]);
    expect(await conversationRow(conversation.id)).toMatchObject({ consecutiveBotReplies: 1 });
    expect(await sendJobFor(reply.id)).toBeDefined();
  });
});

describe("what the customer is told at a handoff", () => {
  async function handOffOnce(options: Parameters<typeof setup>[0] = {}, locale?: string) {
    const { ws, chatbot, conversation } = await setup(options);
    if (locale) await db.update(contacts).set({ locale }).where(eq(contacts.id, conversation.contactId!));
    const trigger = await customerSays(conversation.id, "Can I talk to a human?");
    await generateBotReply.handle(
      { conversationId: conversation.id, triggerMessageId: trigger.id, mode: "auto" },
      jobContext(),
    );
    return { ws, chatbot, thread: await threadOf(conversation.id) };
  }

  it("nothing when the chatbot's handoff message is empty: no message, no send", async () => {
    const { ws, thread } = await handOffOnce({ chatbot: { guardrails: { handoffMessage: "" } } });
    expect(thread.map((m) => m.role)).toEqual(["USER", "SYSTEM"]);
    expect(await sendJobsWaiting(ws.workspace.id)).toBe(0);
  });

  it("the chatbot's own message for its language, the built-in one of the customer's, a translation above both", async () => {
    const own = {
      chatbot: { language: "en", guardrails: { handoffMessage: "Hang on, Dana from our team is coming." } },
    };
    expect((await handOffOnce(own, "en_US")).thread.at(-1)!.text).toBe("Hang on, Dana from our team is coming.");
    // A Thai customer gets the built-in Thai message rather than the English one…
    expect((await handOffOnce(own, "th_TH")).thread.at(-1)!.text).toBe(DEFAULT_HANDOFF_MESSAGES.th);
    // …and a language without a built-in message the chatbot's own.
    expect((await handOffOnce(own, "ko_KR")).thread.at(-1)!.text).toBe("Hang on, Dana from our team is coming.");

    const { ws, chatbot } = await setup(own);
    await db.insert(chatbotTranslations).values({
      chatbotId: chatbot!.id,
      languageCode: "th",
      translations: { handoffMessage: "รอสักครู่นะคะ เจ้าหน้าที่กำลังมา" },
    });
    const conversation = await createConversation(db, { workspaceId: ws.workspace.id, chatbotId: chatbot!.id });
    await db.update(contacts).set({ locale: "th" }).where(eq(contacts.id, conversation.contactId!));
    const trigger = await customerSays(conversation.id, "ขอคุยกับพนักงานหน่อย");
    await generateBotReply.handle(
      { conversationId: conversation.id, triggerMessageId: trigger.id, mode: "auto" },
      jobContext(),
    );
    expect((await threadOf(conversation.id)).at(-1)!.text).toBe("รอสักครู่นะคะ เจ้าหน้าที่กำลังมา");
  });

  it("not twice on a retry of the job that handed off, and not when no chatbot speaks for the business", async () => {
    const { conversation } = await setup();
    const trigger = await customerSays(conversation.id, "Can I talk to a human?");
    const context = jobContext();
    const payload = { conversationId: conversation.id, triggerMessageId: trigger.id, mode: "auto" as const };
    await generateBotReply.handle(payload, context);
    await generateBotReply.handle(payload, context);
    expect((await threadOf(conversation.id)).map((m) => m.role)).toEqual(["USER", "SYSTEM", "BOT"]);

    const { thread } = await handOffOnce({ chatbot: null });
    expect(thread.map((m) => m.role)).toEqual(["USER", "SYSTEM"]);
  });
});

describe("generate-bot-reply: offline provider with the knowledge base", () => {
  it("answers from a full-text passage and records it as the source", async () => {
    const { ws, chatbot, conversation } = await setup();
    const { chunk, document, source } = await createKnowledgePassage(db, {
      workspaceId: ws.workspace.id,
      chatbotId: chatbot!.id,
      title: "Gift wrapping",
      content: "Gift wrapping costs 50 THB per item and is chosen at checkout.",
    });
    const trigger = await customerSays(conversation.id, "How much is gift wrapping?");
    await generateBotReply.handle(
      { conversationId: conversation.id, triggerMessageId: trigger.id, mode: "auto" },
      jobContext(),
    );
    const reply = (await threadOf(conversation.id))[1]!;
    expect(reply).toMatchObject({
      role: "BOT",
      status: "queued",
      provider: "OFFLINE",
      text: "From “Gift wrapping”: Gift wrapping costs 50 THB per item and is chosen at checkout.",
      retrievedSources: [
        {
          chunkId: chunk.id,
          kind: "passage",
          documentId: document.id,
          sourceId: source.id,
          title: "Gift wrapping",
          content: "Gift wrapping costs 50 THB per item and is chosen at checkout.",
          fullTextRank: 1,
          vectorSimilarity: null,
        },
      ],
    });
    expect(reply.retrievedSources![0]!.score).toBeGreaterThanOrEqual(0.35);
    expect(reply.retrievedSources![0]!.fusedScore).toBeCloseTo(1 / 61, 6);
    // As the inbox shows it: the message's sources with the passage and why it ranked.
    expect(messageToDto(reply).sources).toEqual([
      expect.objectContaining({
        chunkId: chunk.id,
        kind: "passage",
        title: "Gift wrapping",
        excerpt: "Gift wrapping costs 50 THB per item and is chosen at checkout.",
        fullTextRank: 1,
      }),
    ]);
  });
});

describe("generate-bot-reply: OpenAI-compatible provider (the simulator over HTTP)", () => {
  const KEY = "sk-compatible-test-0001";
  const MODEL = "llama3.1:8b";

  /** The workspace's OPENAI_COMPATIBLE credential points at the fake OpenAI API; the chatbot switches to it. */
  async function useCompatible(workspaceId: string, chatbotId: string, options: { key?: string | null } = {}) {
    const key = options.key === undefined ? KEY : options.key;
    await db.insert(providerCredentials).values({
      workspaceId,
      kind: "OPENAI_COMPATIBLE",
      apiKeyEncrypted: key ? runtime.keyring.encrypt(key) : null,
      baseUrl: `${served.url}/llm/openai/v1`,
    });
    await switchTo(chatbotId, "OPENAI_COMPATIBLE", MODEL);
  }
  async function switchTo(chatbotId: string, providerKind: "OFFLINE" | "OPENAI_COMPATIBLE" | "OPENAI", model: string) {
    const { chatbots } = await import("@tandem/db");
    await db.update(chatbots).set({ providerKind, model }).where(eq(chatbots.id, chatbotId));
  }
  const fault = (f: LlmFault) => served.simulator.llm.state.addFault(f);
  const scripted = (reply: string) => served.simulator.llm.state.addReply({ reply });
  const llmCalls = () => served.simulator.llm.state.calls;

  async function ask(text: string, options: Parameters<typeof setup>[0] = {}) {
    const ctx = await setup({
      ...options,
      chatbot: { promptVariables: { brandName: "Demo Shop" }, ...options.chatbot },
    });
    await useCompatible(ctx.ws.workspace.id, ctx.chatbot!.id);
    const trigger = await customerSays(ctx.conversation.id, text);
    const payload = { conversationId: ctx.conversation.id, triggerMessageId: trigger.id, mode: "auto" as const };
    return { ...ctx, trigger, payload };
  }

  it("persists the reply with provider, model, usage, latency, prompt version and sources, and enqueues the send", async () => {
    const { ws, chatbot, conversation, trigger, payload } = await ask("What is your return policy?");
    const [version] = await db
      .insert(promptVersions)
      .values({ chatbotId: chatbot!.id, version: 1, text: "You are {brand_name}.\nKnowledge:\n{knowledge}" })
      .returning();
    const { chatbots } = await import("@tandem/db");
    await db
      .update(chatbots)
      .set({ systemPrompt: version!.text, currentPromptVersionId: version!.id })
      .where(eq(chatbots.id, chatbot!.id));

    await generateBotReply.handle(payload, jobContext());

    const reply = (await threadOf(conversation.id))[1]!;
    expect(reply).toMatchObject({
      workspaceId: ws.workspace.id,
      role: "BOT",
      status: "queued",
      text: DEMO_FAQ[RETURN_POLICY]!.answer,
      provider: "OPENAI_COMPATIBLE",
      model: MODEL,
      promptVersionId: version!.id,
      replyToId: trigger.id,
    });
    expect(reply.usage!.inputTokens).toBeGreaterThan(0);
    expect(reply.usage!.outputTokens).toBeGreaterThan(0);
    expect(reply.latencyMs).toBeGreaterThanOrEqual(0);
    expect(reply.retrievedSources).toContainEqual(
      expect.objectContaining({ chunkId: "faq:2", kind: "faq", title: "What is your return policy?", score: 1 }),
    );
    expect(await sendJobFor(reply.id)).toMatchObject({ status: "waiting" });

    // What went over the wire: the template filled in, the conversation as chat messages, the key.
    const [call] = llmCalls();
    expect(call).toMatchObject({ path: "/v1/chat/completions", auth: { via: "bearer", keySuffix: KEY.slice(-4) } });
    const body = call!.body as { model: string; messages: { role: string; content: string }[] };
    expect(body.model).toBe(MODEL);
    expect(body.messages[0]!.role).toBe("system");
    expect(body.messages[0]!.content).toContain("You are Demo Shop.\nKnowledge:\n1. Q: What is your return policy?");
    expect(body.messages.slice(1)).toEqual([{ role: "user", content: "What is your return policy?" }]);
    // The version names the template; the hash the whole prompt as sent.
    const sent = createHash("sha256").update(body.messages[0]!.content).digest("hex").slice(0, 16);
    expect(reply.metadata).toMatchObject({ promptHash: sent });
  });

  it("sends the chatbot's last N turns, however many that is (fewer or more than the usual window)", async () => {
    for (const lastNMessages of [3, 35]) {
      served.simulator.reset();
      const ctx = await setup({
        chatbot: { memorySettings: { lastNMessages, summarizeAfter: 100, maxPromptTokens: 20_000 } },
      });
      await useCompatible(ctx.ws.workspace.id, ctx.chatbot!.id);
      const start = Date.now() - 60_000;
      for (let i = 0; i < 40; i++) {
        await createMessage(db, {
          conversationId: ctx.conversation.id,
          role: i % 2 ? "AGENT" : "USER",
          status: i % 2 ? "sent" : "received",
          text: `turn ${i}`,
          createdAt: new Date(start + i * 1000),
        });
      }
      const trigger = await customerSays(ctx.conversation.id, "turn 40");
      await generateBotReply.handle(
        { conversationId: ctx.conversation.id, triggerMessageId: trigger.id, mode: "auto" },
        jobContext(),
      );
      const body = llmCalls()[0]!.body as { messages: { role: string; content: string }[] };
      const turns = body.messages.filter((m) => m.role !== "system").map((m) => m.content);
      // The window starts at a customer's message: 3 → turns 38..40; 35 → turns 6..40, more than
      // the usual read of 30 messages.
      const first = lastNMessages === 3 ? 38 : 6;
      expect(turns).toEqual(Array.from({ length: 41 - first }, (_, i) => `turn ${first + i}`));
    }
  });

  it("a provider switch applies to the next reply, without restart", async () => {
    const { ws, chatbot, conversation } = await setup();
    await db.insert(providerCredentials).values({
      workspaceId: ws.workspace.id,
      kind: "OPENAI_COMPATIBLE",
      apiKeyEncrypted: runtime.keyring.encrypt(KEY),
      baseUrl: `${served.url}/llm/openai/v1`,
    });
    const first = await customerSays(conversation.id, "What are your opening hours?", new Date(Date.now() - 1000));
    await generateBotReply.handle(
      { conversationId: conversation.id, triggerMessageId: first.id, mode: "auto" },
      jobContext(),
    );
    await switchTo(chatbot!.id, "OPENAI_COMPATIBLE", MODEL);
    scripted("Hello from the simulated model.");
    const second = await customerSays(conversation.id, "Anything else?");
    await generateBotReply.handle(
      { conversationId: conversation.id, triggerMessageId: second.id, mode: "auto" },
      jobContext(),
    );
    await switchTo(chatbot!.id, "OFFLINE", "offline-faq");
    const third = await customerSays(conversation.id, "Do you ship internationally?", new Date(Date.now() + 1000));
    await generateBotReply.handle(
      { conversationId: conversation.id, triggerMessageId: third.id, mode: "auto" },
      jobContext(),
    );

    const bots = (await threadOf(conversation.id)).filter((m) => m.role === "BOT");
    expect(bots.map((m) => [m.provider, m.text])).toEqual([
      ["OFFLINE", DEMO_FAQ[0]!.answer],
      ["OPENAI_COMPATIBLE", "Hello from the simulated model."],
      ["OFFLINE", DEMO_FAQ[4]!.answer],
    ]);
  });

  it("the handoff marker: the words before it are sent, then the conversation is handed off", async () => {
    scripted(`A colleague will take over from here. ${HANDOFF_MARKER}`);
    const { conversation, payload } = await ask("My parcel is lost");
    await generateBotReply.handle(payload, jobContext());

    const thread = await threadOf(conversation.id);
    expect(thread.map((m) => [m.role, m.text])).toEqual([
      ["USER", "My parcel is lost"],
      ["BOT", "A colleague will take over from here."],
      ["SYSTEM", "The bot could not help and asked for a person: handed to a person."],
    ]);
    expect(thread[1]!.metadata).toMatchObject({ draft: `A colleague will take over from here. ${HANDOFF_MARKER}` });
    expect(thread[2]!.metadata).toMatchObject({
      event: "handoff",
      reason: "model_handoff",
      provider: "OPENAI_COMPATIBLE",
    });
    expect(await sendJobFor(thread[1]!.id)).toBeDefined();
    expect(await conversationRow(conversation.id)).toMatchObject({
      autoBot: false,
      needsHuman: true,
      handoffReason: "model_handoff",
    });
  });

  it.each([
    ["profanity in the answer", "That's bullshit, sorry.", "profanity_output"],
    ["a refusal", "I'm sorry, but I can't help with that.", "refusal"],
    ["a bare marker", HANDOFF_MARKER, "model_handoff"],
  ])("%s: the answer is not sent, the conversation is handed off, the customer told", async (_, answer, reason) => {
    scripted(answer);
    const { ws, conversation, payload } = await ask("Tell me something");
    const waitingBefore = await sendJobsWaiting(ws.workspace.id);
    await generateBotReply.handle(payload, jobContext());

    const thread = await threadOf(conversation.id);
    expect(thread.map((m) => m.role)).toEqual(["USER", "SYSTEM", "BOT"]);
    expect(thread[1]!.metadata).toMatchObject({ event: "handoff", reason });
    if (reason !== "model_handoff") expect(thread[1]!.metadata).toMatchObject({ withheld: answer });
    // The one message going out is the handoff message, never the withheld answer.
    expect(thread[2]).toMatchObject({ text: DEFAULT_HANDOFF_MESSAGES.en, status: "queued" });
    expect(await sendJobsWaiting(ws.workspace.id)).toBe(waitingBefore + 1);
    expect(await conversationRow(conversation.id)).toMatchObject({
      autoBot: false,
      needsHuman: true,
      handoffReason: reason,
    });
    expect(events).toContainEqual(
      expect.objectContaining({
        event: SOCKET_EVENTS.conversationUpdated,
        payload: expect.objectContaining({ id: conversation.id, autoBot: false, needsHuman: true }),
      }),
    );
  });

  it("hands off with provider_not_configured when the workspace has no credential for the chatbot's provider", async () => {
    const { chatbot, conversation } = await setup();
    await switchTo(chatbot!.id, "OPENAI", "gpt-4o-mini");
    const trigger = await customerSays(conversation.id, "What is your return policy?");
    await generateBotReply.handle(
      { conversationId: conversation.id, triggerMessageId: trigger.id, mode: "auto" },
      jobContext(),
    );
    const thread = await threadOf(conversation.id);
    expect(thread.map((m) => m.role)).toEqual(["USER", "SYSTEM", "BOT"]);
    expect(thread[1]!.text).toMatch(/not configured/);
    expect(thread[1]!.metadata).toMatchObject({
      reason: "provider_not_configured",
      errorCode: "provider_not_configured",
    });
    expect(await conversationRow(conversation.id)).toMatchObject({ handoffReason: "provider_not_configured" });
    expect(llmCalls()).toEqual([]);
  });

  it("a non-retryable provider error hands off at once, with the error code in the note", async () => {
    fault({ kind: "invalid_key", times: 5 });
    const { conversation, payload } = await ask("What is your return policy?");
    await generateBotReply.handle(payload, jobContext());
    const thread = await threadOf(conversation.id);
    expect(thread.map((m) => m.role)).toEqual(["USER", "SYSTEM", "BOT"]);
    expect(thread[1]!.text).toBe("The AI provider failed to answer: handed to a person. (provider_auth_failed)");
    expect(thread[1]!.metadata).toMatchObject({ reason: "provider_error", errorCode: "provider_auth_failed" });
    expect(await conversationRow(conversation.id)).toMatchObject({ autoBot: false, handoffReason: "provider_error" });
    // Recorded for the chatbot's health: the provider's code and reason, never the key.
    const recorded = await errorsOf(conversation.id);
    expect(recorded).toEqual([
      expect.objectContaining({
        workspaceId: conversation.workspaceId,
        chatbotId: conversation.chatbotId,
        kind: "generation",
        code: "provider_auth_failed",
        provider: "OPENAI_COMPATIBLE",
        model: MODEL,
        conversationId: conversation.id,
        messageId: payload.triggerMessageId,
      }),
    ]);
    expect(recorded[0]!.message).not.toContain(KEY);
  });

  it("an answer withheld by the provider's content filter hands off as content_filtered, not as an outage", async () => {
    fault({ kind: "content_filter", times: 5 });
    const { conversation, payload } = await ask("What is your return policy?");
    await generateBotReply.handle(payload, jobContext());
    const thread = await threadOf(conversation.id);
    expect(thread.map((m) => m.role)).toEqual(["USER", "SYSTEM", "BOT"]);
    expect(thread[1]!.text).toBe("The AI provider filtered the answer: handed to a person.");
    expect(thread[1]!.metadata).toMatchObject({ reason: "content_filtered", errorCode: "content_filtered" });
    expect(await conversationRow(conversation.id)).toMatchObject({
      autoBot: false,
      needsHuman: true,
      handoffReason: "content_filtered",
    });
    served.simulator.llm.state.clearFaults();
  });

  it("a retryable provider error fails the attempt (the queue retries it) and hands off on the last one", async () => {
    fault({ kind: "unavailable", times: 100 });
    const { conversation, payload } = await ask("What is your return policy?");
    const error = await Promise.resolve(generateBotReply.handle(payload, jobContext())).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "provider_unavailable", retryable: true });
    expect((await threadOf(conversation.id)).map((m) => m.role)).toEqual(["USER"]);
    expect(await conversationRow(conversation.id)).toMatchObject({ autoBot: true, needsHuman: false });
    // An attempt the queue retries is not a failure yet.
    expect(await errorsOf(conversation.id)).toEqual([]);

    const last = { ...jobContext(), attempt: generateBotReply.retry.attempts };
    await generateBotReply.handle(payload, last);
    const thread = await threadOf(conversation.id);
    expect(thread.map((m) => m.role)).toEqual(["USER", "SYSTEM", "BOT"]);
    expect(thread[1]!.metadata).toMatchObject({ reason: "provider_error", errorCode: "provider_unavailable" });
    expect(await errorsOf(conversation.id)).toEqual([
      expect.objectContaining({ kind: "generation", code: "provider_unavailable" }),
    ]);
    served.simulator.llm.state.clearFaults();
  });

  it("on the real job queue: a rate-limited reply is retried after the provider's retry-after, then sent", async () => {
    // Three 429s outlast the adapter's own retries, so the job's first attempt fails.
    fault({ kind: "rate_limit", times: 3, retryAfterMs: 50 });
    const { ws, conversation, trigger, payload } = await ask("What is your return policy?");
    const worker = createJobQueue<AppJobDeps>({
      db,
      registry: new JobRegistry<AppJobDeps>().register(generateBotReply),
      deps: appJobDeps(runtime),
      log: silentLogger,
    });
    await worker.start();
    try {
      await worker.enqueue(generateBotReply, payload, {
        jobId: `bot-reply:${trigger.id}`,
        workspaceId: ws.workspace.id,
      });
      const job = await waitForJob(`bot-reply:${trigger.id}`);
      expect(job).toMatchObject({ status: "completed", attempts: 2 });
    } finally {
      await worker.stop();
    }
    const thread = await threadOf(conversation.id);
    expect(thread.map((m) => [m.role, m.provider])).toEqual([
      ["USER", null],
      ["BOT", "OPENAI_COMPATIBLE"],
    ]);
    expect(llmCalls().map((c) => c.status)).toEqual([429, 429, 429, 200]);
  });

  it("an agent who replies while the model is thinking wins: the bot's answer is discarded", async () => {
    fault({ kind: "slow", delayMs: 1500 });
    const { ws, conversation, payload } = await ask("What is your return policy?");
    const generating = generateBotReply.handle(payload, jobContext());
    await new Promise((resolve) => setTimeout(resolve, 300));
    await sendAgentMessage(agentCtx(ws), conversation.id, { text: "Hi, Ana here!", sendAs: "AGENT", internal: false });
    await generating;

    const thread = await threadOf(conversation.id);
    expect(thread.map((m) => m.role)).toEqual(["USER", "AGENT"]);
    expect(llmCalls()).toHaveLength(1);
    expect(await conversationRow(conversation.id)).toMatchObject({ consecutiveBotReplies: 0, needsHuman: false });
  });

  it("a customer who writes again while the model is thinking gets the answer to the newer message instead", async () => {
    fault({ kind: "slow", delayMs: 1500 });
    const { conversation, payload } = await ask("What is your return policy?");
    const generating = generateBotReply.handle(payload, jobContext());
    await new Promise((resolve) => setTimeout(resolve, 300));
    await customerSays(conversation.id, "Actually, do you ship to Norway?");
    await generating;

    // This job's answer is discarded: the newer message's own job answers both.
    expect((await threadOf(conversation.id)).map((m) => m.role)).toEqual(["USER", "USER"]);
    expect(llmCalls()).toHaveLength(1);
    expect(await conversationRow(conversation.id)).toMatchObject({ consecutiveBotReplies: 0, autoBot: true });
  });
});

describe("reply as bot (sendAgentMessage with sendAs BOT)", () => {
  it("writes and queues one reply now, even with auto-bot off and a human reply; the draft is kept as its own row", async () => {
    const { ws, conversation } = await setup({
      conversation: { autoBot: false, humanRepliedAt: new Date(Date.now() + 60_000) },
    });
    const question = await customerSays(conversation.id, "Which payment methods do you accept?");
    const dto = await sendAgentMessage(
      agentCtx(ws),
      conversation.id,
      { sendAs: "BOT", internal: false },
      providerDeps(runtime),
    );
    expect(dto).toMatchObject({ role: "BOT", status: "queued", provider: "OFFLINE", text: DEMO_FAQ[3]!.answer });

    const [, draft, reply] = await threadOf(conversation.id);
    expect(reply).toMatchObject({ id: dto.id, replyToId: question.id, retrievedSources: [{ chunkId: "faq:3" }] });
    // Seed S0: rows for both the draft and the final.
    expect(draft).toMatchObject({
      role: "BOT",
      status: "draft",
      text: DEMO_FAQ[3]!.answer,
      provider: "OFFLINE",
      replyToId: question.id,
      metadata: expect.objectContaining({ mode: "manual", requestedByMemberId: ws.agent.member.id }),
    });
    expect(reply!.metadata).toMatchObject({
      mode: "manual",
      requestedByMemberId: ws.agent.member.id,
      draftId: draft!.id,
    });
    expect(await sendJobFor(reply!.id)).toBeDefined();
    expect(await conversationRow(conversation.id)).toMatchObject({ autoBot: false });
  });

  it("when the bot has no answer the agent gets bot_cannot_answer, and nothing changes", async () => {
    const { ws, conversation } = await setup();
    await customerSays(conversation.id, "My parcel arrived crushed, what now?");
    const error = await sendAgentMessage(
      agentCtx(ws),
      conversation.id,
      { sendAs: "BOT", internal: false },
      providerDeps(runtime),
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "bot_cannot_answer", details: { reason: "low_confidence" } });
    expect((await threadOf(conversation.id)).map((m) => m.role)).toEqual(["USER"]);
    expect(await conversationRow(conversation.id)).toMatchObject({ autoBot: true, needsHuman: false });
  });

  it("is not for playground conversations: they are the playground's, not found from the inbox", async () => {
    const ws: TestWorkspace = await createTestWorkspace(db);
    const chatbot = await createChatbot(db, { workspaceId: ws.workspace.id, faqEntries: DEMO_FAQ });
    const conversation = await createConversation(db, {
      workspaceId: ws.workspace.id,
      chatbotId: chatbot.id,
      isPlayground: true,
    });
    await customerSays(conversation.id, "What are your opening hours?");
    await expect(
      sendAgentMessage(agentCtx(ws), conversation.id, { sendAs: "BOT", internal: false }, providerDeps(runtime)),
    ).rejects.toMatchObject({ code: "conversation_not_found" });
    expect(await threadOf(conversation.id)).toHaveLength(1);
  });
});

async function waitForJob(jobKey: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [job] = await db.select().from(jobs).where(like(jobs.jobKey, jobKey));
    if (job && (job.status === "completed" || job.status === "failed")) return job;
    if (Date.now() > deadline) throw new Error(`job ${jobKey} did not finish: ${job?.status ?? "missing"}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
