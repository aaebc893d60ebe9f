import { chatbots, conversations, type Db, messages } from "@tandem/db";
import { and, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { AppJobDeps } from "../app-deps.ts";
import { publishConversation, publishMessage } from "../conversations/publish.ts";
import { defineJob, type JobContext } from "../jobs/define-job.ts";
import { sendOutboundMessage } from "../messages/send-outbound-message.ts";
import { DEFAULT_CONFIDENCE_THRESHOLD, offlineAnswer, wantsHuman } from "./offline-answer.ts";

/**
 * Step 3 of the message pipeline: answer the customer's latest message, or hand the conversation to
 * a person — never drop it silently. This first version answers with the offline provider (FAQ
 * entries); the provider interface, prompts, memory and the other guardrails arrive with issue 4.
 *
 * Everything is decided and written in one transaction holding the conversation row, so an agent's
 * reply or a second bot job cannot interleave with the checks. Live events and the send job follow
 * the commit. A retried job finds what its earlier attempt stored (by job id) and only redoes the
 * steps after the commit, so a customer never gets the same answer twice.
 */

type MessageRow = typeof messages.$inferSelect;
type ConversationRow = typeof conversations.$inferSelect;
type ChatbotRow = typeof chatbots.$inferSelect;

export type HandoffReason = "low_confidence" | "human_requested" | "max_bot_replies" | "no_chatbot";

export const DEFAULT_MAX_CONSECUTIVE_BOT_REPLIES = 3;

const OFFLINE_MODEL = "offline-faq";

function handoffNote(reason: HandoffReason, maxReplies: number): string {
  switch (reason) {
    case "low_confidence":
      return "The bot could not answer confidently: handed to a person.";
    case "human_requested":
      return "The customer asked for a person: handed to a person.";
    case "max_bot_replies":
      return `The bot answered ${maxReplies} times in a row: handed to a person.`;
    case "no_chatbot":
      return "No chatbot is set up for this conversation: handed to a person.";
  }
}

type Outcome =
  | { kind: "skipped"; reason: string }
  | { kind: "replied"; workspaceId: string; message: MessageRow }
  | { kind: "handed_off"; workspaceId: string; message: MessageRow; reason: string };

export const generateBotReply = defineJob({
  name: "generate-bot-reply",
  schema: z.object({
    conversationId: z.string().min(1),
    /** The USER message that triggered an automatic reply (its id is the job's dedup key). */
    triggerMessageId: z.string().min(1).optional(),
    /** `auto`: auto-bot answering an inbound message; `manual`: an agent's "reply as bot". */
    mode: z.enum(["auto", "manual"]),
    /** For `manual`: the member who asked. */
    requestedByMemberId: z.string().optional(),
  }),
  handle: async (payload, ctx: JobContext<AppJobDeps>) => {
    const outcome = await ctx.db.transaction(async (tx) => decide(tx as unknown as Db, payload, ctx.jobId));
    if (outcome.kind === "skipped") {
      ctx.log.info({ conversationId: payload.conversationId, reason: outcome.reason }, "bot reply skipped");
      return;
    }
    publishMessage(ctx.realtime, outcome.workspaceId, outcome.message);
    await publishConversation(ctx.realtime, ctx.db, outcome.workspaceId, payload.conversationId);
    if (outcome.kind === "handed_off") {
      ctx.log.info({ conversationId: payload.conversationId, reason: outcome.reason }, "conversation handed off");
      return;
    }
    if (outcome.message.status === "queued") {
      const messageId = outcome.message.id;
      await ctx.queue.enqueue(sendOutboundMessage, { messageId }, { jobId: `send:${messageId}` });
    }
  },
});

type Payload = z.output<typeof generateBotReply.schema>;

async function decide(db: Db, payload: Payload, jobId: string): Promise<Outcome> {
  const [conversation] = await db
    .select()
    .from(conversations)
    .where(eq(conversations.id, payload.conversationId))
    .for("update");
  if (!conversation) return { kind: "skipped", reason: "conversation_gone" };
  const workspaceId = conversation.workspaceId;

  // A retry of an attempt that already committed: finish its work (events, send job) only.
  const [done] = await db
    .select()
    .from(messages)
    .where(and(eq(messages.conversationId, conversation.id), sql`${messages.metadata}->>'jobId' = ${jobId}`))
    .limit(1);
  if (done) {
    return done.role === "BOT"
      ? { kind: "replied", workspaceId, message: done }
      : { kind: "handed_off", workspaceId, message: done, reason: String(done.metadata.reason) };
  }

  const latest = await latestCustomerMessage(db, conversation.id);
  let trigger: MessageRow | undefined;
  if (payload.triggerMessageId) {
    [trigger] = await db
      .select()
      .from(messages)
      .where(and(eq(messages.id, payload.triggerMessageId), eq(messages.conversationId, conversation.id)))
      .limit(1);
  }

  if (payload.mode === "auto") {
    if (!conversation.autoBot) return { kind: "skipped", reason: "auto_bot_off" };
    if (payload.triggerMessageId && !trigger) return { kind: "skipped", reason: "trigger_not_found" };
    const reference = trigger ?? latest;
    // Once an agent has replied, the bot stays silent until auto-bot is switched on again.
    if (conversation.humanRepliedAt && (!reference || conversation.humanRepliedAt > reference.createdAt)) {
      return { kind: "skipped", reason: "human_replied" };
    }
    // Several quick messages each enqueue a job: the newest one's job answers them.
    if (trigger && latest && latest.id !== trigger.id) return { kind: "skipped", reason: "newer_message" };
  }

  const chatbot = await chatbotFor(db, conversation);
  const guardrails = chatbot?.guardrails ?? {};
  const maxReplies = positiveInt(guardrails.maxConsecutiveBotReplies) ?? DEFAULT_MAX_CONSECUTIVE_BOT_REPLIES;
  const meta = {
    jobId,
    mode: payload.mode,
    trigger: trigger?.id ?? latest?.id ?? null,
    ...(payload.requestedByMemberId ? { requestedByMemberId: payload.requestedByMemberId } : {}),
  };
  const handOff = (reason: HandoffReason) =>
    handOffConversation(db, conversation, { reason, text: handoffNote(reason, maxReplies), meta });

  if (!chatbot) return handOff("no_chatbot");
  const question = latest?.text?.trim() ?? "";
  if (wantsHuman(question, guardrails.humanRequestPhrases ?? [])) return handOff("human_requested");
  if (payload.mode === "auto" && conversation.consecutiveBotReplies >= maxReplies) return handOff("max_bot_replies");

  const started = performance.now();
  const answer = offlineAnswer(chatbot.faqEntries, question, {
    threshold: unitInterval(guardrails.confidenceThreshold) ?? DEFAULT_CONFIDENCE_THRESHOLD,
  });
  const latencyMs = Math.round(performance.now() - started);
  if (answer.handoff) return handOff(answer.reason);

  const now = new Date();
  // A playground conversation has no channel: nothing to send, the answer is final.
  const sendable = conversation.channelId !== null;
  const [message] = await db
    .insert(messages)
    .values({
      workspaceId,
      conversationId: conversation.id,
      channelId: conversation.channelId,
      role: "BOT",
      kind: "text",
      text: answer.text,
      status: sendable ? "queued" : "sent",
      sentAt: sendable ? null : now,
      replyToId: latest?.id ?? null,
      provider: "OFFLINE",
      model: chatbot.model ?? OFFLINE_MODEL,
      latencyMs,
      usage: { inputTokens: 0, outputTokens: 0 },
      retrievedSources: [
        { chunkId: `faq:${answer.source.index}`, title: answer.source.question, score: answer.source.score },
      ],
      metadata: { ...meta, confidence: answer.confidence },
      createdAt: now,
    })
    .returning();
  await db
    .update(conversations)
    .set({
      lastMessageAt: now,
      lastMessagePreview: answer.text.slice(0, 140),
      consecutiveBotReplies: sql`${conversations.consecutiveBotReplies} + 1`,
    })
    .where(eq(conversations.id, conversation.id));
  return { kind: "replied", workspaceId, message: message! };
}

/**
 * "Hand off" always means the same thing: auto-bot off, the conversation flagged for a person, the
 * reason recorded, and a SYSTEM note in the thread saying why.
 */
async function handOffConversation(
  db: Db,
  conversation: ConversationRow,
  input: { reason: HandoffReason; text: string; meta: Record<string, unknown> },
): Promise<Outcome> {
  const now = new Date();
  await db
    .update(conversations)
    .set({ autoBot: false, needsHuman: true, handoffAt: now, handoffReason: input.reason })
    .where(eq(conversations.id, conversation.id));
  const [message] = await db
    .insert(messages)
    .values({
      workspaceId: conversation.workspaceId,
      conversationId: conversation.id,
      channelId: conversation.channelId,
      role: "SYSTEM",
      kind: "event",
      text: input.text,
      status: "sent",
      sentAt: now,
      metadata: { ...input.meta, event: "handoff", reason: input.reason },
      createdAt: now,
    })
    .returning();
  return { kind: "handed_off", workspaceId: conversation.workspaceId, message: message!, reason: input.reason };
}

/** The customer's most recent message (text or attachment; not notes or events). */
async function latestCustomerMessage(db: Db, conversationId: string): Promise<MessageRow | undefined> {
  const [row] = await db
    .select()
    .from(messages)
    .where(
      and(
        eq(messages.conversationId, conversationId),
        eq(messages.role, "USER"),
        inArray(messages.kind, ["text", "attachment"]),
      ),
    )
    .orderBy(desc(messages.createdAt), desc(messages.id))
    .limit(1);
  return row;
}

/** The conversation's chatbot, else the workspace's default one; deleted chatbots do not count. */
async function chatbotFor(db: Db, conversation: ConversationRow): Promise<ChatbotRow | undefined> {
  const live = and(eq(chatbots.workspaceId, conversation.workspaceId), isNull(chatbots.deletedAt));
  if (conversation.chatbotId) {
    const [own] = await db
      .select()
      .from(chatbots)
      .where(and(live, eq(chatbots.id, conversation.chatbotId)))
      .limit(1);
    if (own) return own;
  }
  const [fallback] = await db
    .select()
    .from(chatbots)
    .where(and(live, eq(chatbots.isDefault, true)))
    .limit(1);
  return fallback;
}

const positiveInt = (value: unknown) =>
  typeof value === "number" && Number.isInteger(value) && value > 0 ? value : undefined;
const unitInterval = (value: unknown) =>
  typeof value === "number" && Number.isFinite(value) && value >= 0 && value <= 1 ? value : undefined;
