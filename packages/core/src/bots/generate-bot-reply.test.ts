import { SOCKET_EVENTS } from "@tandem/contracts";
import { type chatbots, conversations, type Db, jobs, messages } from "@tandem/db";
import {
  createChatbot,
  createConversation,
  createMessage,
  createTestWorkspace,
  type TestWorkspace,
} from "@tandem/db/testing";
import { and, asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestRuntime } from "../../../../tests/support/runtime.ts";
import { type AppJobDeps, appJobDeps } from "../app-deps.ts";
import { DEMO_FAQ } from "../demo/seed-demo.ts";
import { registerAllJobs } from "../jobs/all-jobs.ts";
import { createJobQueue } from "../jobs/create-queue.ts";
import type { JobContext } from "../jobs/define-job.ts";
import type { JobQueue } from "../jobs/queue.ts";
import { JobRegistry } from "../jobs/registry.ts";
import { silentLogger } from "../logger.ts";
import { sendOutboundMessage } from "../messages/send-outbound-message.ts";
import type { Runtime } from "../runtime.ts";
import { generateBotReply } from "./generate-bot-reply.ts";

const RETURN_POLICY = DEMO_FAQ.findIndex((e) => e.question === "What is your return policy?");

let runtime: Runtime;
let db: Db;
let queue: JobQueue;
let events: { room: string; event: string; payload: unknown }[] = [];
let jobCounter = 0;

beforeAll(async () => {
  runtime = await createTestRuntime();
  db = runtime.database.db;
  // Created but never started: the test sees what the handler enqueues without running it.
  queue = createJobQueue<AppJobDeps>({
    db,
    registry: registerAllJobs(new JobRegistry<AppJobDeps>()),
    deps: appJobDeps(runtime),
    log: silentLogger,
  });
  runtime.queue = queue;
  runtime.realtime.bind({ emit: (room, event, payload) => events.push({ room, event, payload }) });
});
afterAll(async () => {
  await queue.stop();
  await runtime.close();
});
beforeEach(() => {
  events = [];
});

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

async function sendJobsWaiting() {
  return (await queue.counts()).byName[sendOutboundMessage.name]?.waiting ?? 0;
}

describe("generate-bot-reply (offline provider)", () => {
  it("answers a FAQ question: BOT message queued, conversation updated, live events, send job enqueued", async () => {
    const { ws, conversation } = await setup();
    const trigger = await customerSays(conversation.id, "What is your return policy?");
    const waitingBefore = await sendJobsWaiting();

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
    expect(await sendJobsWaiting()).toBe(waitingBefore + 1);

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

  it("hands off when no FAQ entry matches: auto-bot off, flagged, a SYSTEM note, nothing sent", async () => {
    const { conversation } = await setup();
    const trigger = await customerSays(conversation.id, "My parcel arrived crushed, what now?");
    const waitingBefore = await sendJobsWaiting();

    await generateBotReply.handle(
      { conversationId: conversation.id, triggerMessageId: trigger.id, mode: "auto" },
      jobContext(),
    );

    const thread = await threadOf(conversation.id);
    expect(thread.map((m) => [m.role, m.kind])).toEqual([
      ["USER", "text"],
      ["SYSTEM", "event"],
    ]);
    expect(thread[1]!.text).toBe("The bot could not answer confidently: handed to a person.");
    expect(thread[1]!.metadata).toMatchObject({ event: "handoff", reason: "low_confidence", trigger: trigger.id });
    const after = await conversationRow(conversation.id);
    expect(after).toMatchObject({ autoBot: false, needsHuman: true, handoffReason: "low_confidence" });
    expect(after.handoffAt).toBeInstanceOf(Date);
    expect(await sendJobsWaiting()).toBe(waitingBefore);
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
      expect(thread.map((m) => m.role)).toEqual(["USER", "SYSTEM"]);
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

  it("answers an agent's manual request even with auto-bot off and a human reply", async () => {
    const { ws, conversation } = await setup({
      conversation: { autoBot: false, humanRepliedAt: new Date(Date.now() + 60_000) },
    });
    await customerSays(conversation.id, "Which payment methods do you accept?");

    await generateBotReply.handle(
      { conversationId: conversation.id, mode: "manual", requestedByMemberId: ws.agent.member.id },
      jobContext(),
    );

    const reply = (await threadOf(conversation.id))[1]!;
    expect(reply).toMatchObject({ role: "BOT", status: "queued", retrievedSources: [{ chunkId: "faq:3" }] });
    expect(reply.metadata).toMatchObject({ mode: "manual", requestedByMemberId: ws.agent.member.id });
    expect(await sendJobFor(reply.id)).toBeDefined();
    expect(await conversationRow(conversation.id)).toMatchObject({ autoBot: false });
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
    expect((await threadOf(conversation.id)).map((m) => m.role)).toEqual(["USER", "SYSTEM"]);
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

  it("a playground conversation's answer is final: no channel, nothing to send", async () => {
    const ws: TestWorkspace = await createTestWorkspace(db);
    const chatbot = await createChatbot(db, { workspaceId: ws.workspace.id, faqEntries: DEMO_FAQ });
    const conversation = await createConversation(db, {
      workspaceId: ws.workspace.id,
      chatbotId: chatbot.id,
      isPlayground: true,
    });
    await customerSays(conversation.id, "What are your opening hours?");
    await generateBotReply.handle({ conversationId: conversation.id, mode: "manual" }, jobContext());
    const reply = (await threadOf(conversation.id))[1]!;
    expect(reply).toMatchObject({ role: "BOT", status: "sent" });
    expect(await sendJobFor(reply.id)).toBeUndefined();
  });
});
