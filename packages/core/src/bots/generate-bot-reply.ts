import { conversations, type Db, messages } from "@tandem/db";
import { and, desc, eq, gt, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import type { AppJobDeps } from "../app-deps.ts";
import { publishConversation, publishMessage } from "../conversations/publish.ts";
import { DomainError } from "../errors.ts";
import { defineJob, type JobContext } from "../jobs/define-job.ts";
import { isRetryable } from "../jobs/errors.ts";
import { LlmError } from "../llm/types.ts";
import { sendOutboundMessage } from "../messages/send-outbound-message.ts";
import { type ChatbotRow, chatbotFor } from "./chatbot-for.ts";
import { type ComposedReply, composeReply } from "./compose-reply.ts";
import { type HandoffReason, type ResolvedGuardrails, resolveGuardrails, wantsHuman } from "./guardrails.ts";
import { handOffConversation } from "./handoff.ts";
import { recordBotReply } from "./record-bot-reply.ts";
import { enqueueSummaryIfDue } from "./summarize-conversation.ts";

/**
 * Step 3 of the message pipeline: answer the customer's latest message, or hand the conversation to
 * a person — never drop it silently. In three steps, so that no transaction is open while the
 * provider thinks (seconds, for a real LLM):
 *
 * 1. Decide, in a short transaction holding the conversation row: is the bot still meant to answer
 *    (auto-bot on, no agent reply since the message, this is the newest message, a chatbot exists)?
 *    Human requests and the consecutive-reply limit hand off right there.
 * 2. Compose, outside any transaction (`compose-reply.ts`): memory, retrieval, prompt, provider,
 *    output guardrails. A retryable provider failure (rate limit, timeout, outage) fails the attempt
 *    and the queue retries it (`LlmError.retryable` drives `jobs/errors.ts`); the last failure, a
 *    non-retryable one, or a provider that is not configured hands off, with the error code in the
 *    note's metadata — so does any other error on the last attempt (`bot_error`).
 * 3. Persist, in a second short transaction that checks the conversation again: auto-bot still on, no
 *    agent reply and no newer customer message meanwhile, not already answered by this job. Otherwise
 *    the answer is discarded (a person, or the newer message's job, has it). Live events and the send
 *    job follow the commit.
 *
 * Every row written carries the job id, so a retried attempt finds what its earlier attempt stored
 * and only redoes what follows the commit (events, the send job): a customer never gets the same
 * answer twice.
 */

type MessageRow = typeof messages.$inferSelect;
type ConversationRow = typeof conversations.$inferSelect;

type Outcome =
  | { kind: "skipped"; reason: string }
  /** Written now or by an earlier attempt: what to publish and send. */
  | { kind: "done"; workspaceId: string; rows: MessageRow[] };

type Plan = {
  kind: "compose";
  conversation: ConversationRow;
  chatbot: ChatbotRow;
  guardrails: ResolvedGuardrails;
  /** The message being answered: the conversation's latest customer message. */
  latest: MessageRow | undefined;
  meta: Record<string, unknown>;
};

const GenerateBotReplyPayload = z.object({
  conversationId: z.string().min(1),
  /** The USER message that triggered the reply (its id is the job's dedup key: `bot-reply:{id}`). */
  triggerMessageId: z.string().min(1).optional(),
  /** Only `auto` (auto-bot answering an inbound message); "reply as bot" runs in the request. */
  mode: z.literal("auto").default("auto"),
});
type Payload = z.output<typeof GenerateBotReplyPayload>;

export const generateBotReply = defineJob({
  name: "generate-bot-reply",
  schema: GenerateBotReplyPayload,
  retry: { attempts: 4, backoff: { baseMs: 2_000 } },
  concurrency: 4,
  handle: async (payload, ctx: JobContext<AppJobDeps>): Promise<void> => {
    const decision = await ctx.db.transaction(async (tx) => decide(tx as unknown as Db, payload, ctx.jobId));
    if (decision.kind !== "compose") return finish(ctx, payload.conversationId, decision);

    let outcome: Outcome;
    try {
      const composed = await composeReply(ctx, {
        conversation: decision.conversation,
        chatbot: decision.chatbot,
        guardrails: decision.guardrails,
        signal: ctx.signal,
      });
      outcome = await ctx.db.transaction(async (tx) => persist(tx as unknown as Db, decision, composed, ctx.jobId));
    } catch (error) {
      const final = ctx.attempt >= ctx.maxAttempts || !isRetryable(error);
      if (!final) throw error;
      const failure = failureOf(error);
      ctx.log.warn({ err: error, conversationId: payload.conversationId }, "bot reply failed: handing off");
      outcome = await ctx.db.transaction(async (tx) =>
        persistFailure(tx as unknown as Db, decision, failure, ctx.jobId),
      );
    }
    await finish(ctx, payload.conversationId, outcome);
  },
});

async function decide(db: Db, payload: Payload, jobId: string): Promise<Outcome | Plan> {
  const conversation = await lockConversation(db, payload.conversationId);
  if (!conversation) return { kind: "skipped", reason: "conversation_gone" };
  const workspaceId = conversation.workspaceId;

  // A retry of an attempt that already committed: finish its work (events, send job) only.
  const done = await rowsOfJob(db, conversation.id, jobId);
  if (done.length) return { kind: "done", workspaceId, rows: done };

  if (!conversation.autoBot) return { kind: "skipped", reason: "auto_bot_off" };
  const latest = await latestCustomerMessage(db, conversation.id);
  let trigger: MessageRow | undefined;
  if (payload.triggerMessageId) {
    [trigger] = await db
      .select()
      .from(messages)
      .where(and(eq(messages.id, payload.triggerMessageId), eq(messages.conversationId, conversation.id)))
      .limit(1);
    if (!trigger) return { kind: "skipped", reason: "trigger_not_found" };
  }
  const reference = trigger ?? latest;
  // Once an agent has replied, the bot stays silent until auto-bot is switched on again.
  if (humanRepliedSince(conversation, reference)) return { kind: "skipped", reason: "human_replied" };
  // Several quick messages each enqueue a job: the newest one's job answers them.
  if (trigger && latest && latest.id !== trigger.id) return { kind: "skipped", reason: "newer_message" };

  const meta = { jobId, mode: payload.mode, trigger: reference?.id ?? null };
  const chatbot = await chatbotFor(db, conversation);
  const guardrails = resolveGuardrails(chatbot?.guardrails);
  const handOff = async (reason: HandoffReason) => {
    const note = await handOffConversation(db, conversation, { reason, guardrails, meta });
    return { kind: "done" as const, workspaceId, rows: [note] };
  };
  if (!chatbot) return handOff("no_chatbot");
  // Normally caught at ingestion (`check-inbound-message.ts`); kept here for channels that do not yet.
  if (wantsHuman(latest?.text, guardrails.humanRequestPhrases)) return handOff("human_requested");
  if (conversation.consecutiveBotReplies >= guardrails.maxConsecutiveBotReplies) return handOff("max_bot_replies");
  return { kind: "compose", conversation, chatbot, guardrails, latest, meta };
}

async function persist(db: Db, plan: Plan, composed: ComposedReply, jobId: string): Promise<Outcome> {
  const recheck = await recheckConversation(db, plan, jobId);
  if (recheck) return recheck;
  const { conversation, guardrails, meta } = plan;
  const { verdict } = composed;
  const rows: MessageRow[] = [];
  const at = new Date();
  const text = verdict.action === "send" ? verdict.text : "text" in verdict ? verdict.text : null;
  if (text) rows.push(await recordBotReply(db, conversation, { text, composed, meta, at }));
  if (verdict.action === "handoff") {
    const withheld = "withheld" in verdict ? { withheld: verdict.withheld } : {};
    rows.push(
      await handOffConversation(db, conversation, {
        reason: verdict.reason,
        guardrails,
        meta: {
          ...meta,
          ...withheld,
          provider: composed.result.provider,
          model: composed.result.model,
          ...(composed.result.confidence !== undefined ? { confidence: composed.result.confidence } : {}),
        },
        // After the bot's last words, when it had any (the thread orders by time).
        at: new Date(at.getTime() + rows.length),
      }),
    );
  }
  return { kind: "done", workspaceId: conversation.workspaceId, rows };
}

interface Failure {
  reason: "provider_not_configured" | "provider_error" | "bot_error";
  code: string;
  message: string;
}

/** Why the final attempt failed, as a handoff reason; anything but the provider is a `bot_error`. */
function failureOf(error: unknown): Failure {
  if (error instanceof LlmError) return { reason: "provider_error", code: error.code, message: error.message };
  if (error instanceof DomainError && error.code === "provider_not_configured") {
    return { reason: "provider_not_configured", code: error.code, message: error.message };
  }
  const code = error instanceof DomainError ? error.code : "internal_error";
  return { reason: "bot_error", code, message: error instanceof Error ? error.message : String(error) };
}

async function persistFailure(db: Db, plan: Plan, failure: Failure, jobId: string): Promise<Outcome> {
  const recheck = await recheckConversation(db, plan, jobId);
  if (recheck) return recheck;
  const note = await handOffConversation(db, plan.conversation, {
    reason: failure.reason,
    detail: failure.reason === "provider_not_configured" ? undefined : failure.code,
    meta: { ...plan.meta, errorCode: failure.code, error: failure.message.slice(0, 500) },
  });
  return { kind: "done", workspaceId: plan.conversation.workspaceId, rows: [note] };
}

/** Step 3's check, under the lock again: null when the answer may still be written. */
async function recheckConversation(db: Db, plan: Plan, jobId: string): Promise<Outcome | null> {
  const current = await lockConversation(db, plan.conversation.id);
  if (!current) return { kind: "skipped", reason: "conversation_gone" };
  const done = await rowsOfJob(db, current.id, jobId);
  if (done.length) return { kind: "done", workspaceId: current.workspaceId, rows: done };
  if (!current.autoBot) return { kind: "skipped", reason: "auto_bot_off" };
  if (humanRepliedSince(current, plan.latest)) return { kind: "skipped", reason: "human_replied" };
  if (plan.latest) {
    const [newer] = await db
      .select({ id: messages.id })
      .from(messages)
      .where(
        and(
          eq(messages.conversationId, current.id),
          eq(messages.role, "USER"),
          inArray(messages.kind, ["text", "attachment"]),
          gt(messages.createdAt, plan.latest.createdAt),
        ),
      )
      .limit(1);
    if (newer) return { kind: "skipped", reason: "newer_message" };
  }
  return null;
}

async function finish(ctx: JobContext<AppJobDeps>, conversationId: string, outcome: Outcome): Promise<void> {
  if (outcome.kind === "skipped") {
    ctx.log.info({ conversationId, reason: outcome.reason }, "bot reply skipped");
    return;
  }
  for (const row of outcome.rows) publishMessage(ctx.realtime, outcome.workspaceId, row);
  await publishConversation(ctx.realtime, ctx.db, outcome.workspaceId, conversationId);
  for (const row of outcome.rows) {
    if (row.role === "BOT" && row.status === "queued") {
      await ctx.queue.enqueue(sendOutboundMessage, { messageId: row.id }, { jobId: `send:${row.id}` });
    }
  }
  const handoff = outcome.rows.find((r) => r.role === "SYSTEM");
  if (handoff) ctx.log.info({ conversationId, reason: handoff.metadata.reason }, "conversation handed off");
  // Memory is a nicety: a queue hiccup here must not fail (and repeat) a reply that went out.
  await enqueueSummaryIfDue(ctx, conversationId).catch((err) =>
    ctx.log.warn({ err, conversationId }, "could not enqueue the conversation summary"),
  );
}

async function lockConversation(db: Db, id: string): Promise<ConversationRow | undefined> {
  const [row] = await db.select().from(conversations).where(eq(conversations.id, id)).for("update");
  return row;
}

async function rowsOfJob(db: Db, conversationId: string, jobId: string): Promise<MessageRow[]> {
  return db
    .select()
    .from(messages)
    .where(and(eq(messages.conversationId, conversationId), sql`${messages.metadata}->>'jobId' = ${jobId}`))
    .orderBy(messages.createdAt, messages.id);
}

const humanRepliedSince = (conversation: ConversationRow, reference: MessageRow | undefined) =>
  conversation.humanRepliedAt !== null && (!reference || conversation.humanRepliedAt > reference.createdAt);

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
