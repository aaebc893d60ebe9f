import { conversations, type Db, inBackground, messages } from "@tandem/db";
import { and, desc, eq, inArray, or, sql } from "drizzle-orm";
import { z } from "zod";
import type { AppJobDeps } from "../app-deps.ts";
import { showTyping } from "../channels/typing-indicator.ts";
import { recordChatbotError } from "../chatbot-health/record-chatbot-error.ts";
import { recordRetrievalFailure } from "../chatbot-health/record-retrieval-failure.ts";
import { publishConversation, publishMessage } from "../conversations/publish.ts";
import { DomainError } from "../errors.ts";
import { defineJob, type JobContext } from "../jobs/define-job.ts";
import { isRetryable } from "../jobs/errors.ts";
import { LlmError } from "../llm/types.ts";
import type { Logger } from "../logger.ts";
import { sendOutboundMessage } from "../messages/send-outbound-message.ts";
import type { CredentialRow } from "../providers/provider-deps.ts";
import type { ChatbotRow } from "./chatbot-for.ts";
import { type ComposedReply, composeReply, recentMessageLimit, type TurnRow, turnColumns } from "./compose-reply.ts";
import { conversationForReply } from "./conversation-for-reply.ts";
import { type HandoffReason, type ResolvedGuardrails, resolveGuardrails, wantsHuman } from "./guardrails.ts";
import { handOffConversation } from "./handoff.ts";
import { recordBotReply } from "./record-bot-reply.ts";
import { enqueueSummaryIfDue } from "./summarize-conversation.ts";

/**
 * Step 3 of the message pipeline: answer the customer's latest message, or hand the conversation to
 * a person — never drop it silently. In three steps, so that no transaction is open while the
 * provider thinks (seconds, for a real LLM):
 *
 * 1. Decide, by reading: is the bot still meant to answer (auto-bot on, no agent reply since the
 *    message, this is the newest message, a chatbot exists)? Two reads, sent together — the
 *    conversation with its chatbot, channel and contact; the newest messages with this job's own
 *    rows — which also feed the prompt. Human requests and the consecutive-reply limit hand off, in
 *    a transaction that checks the conversation again under its lock. When the bot will answer, the customer sees it typing.
 * 2. Compose, outside any transaction (`compose-reply.ts`): retrieval, prompt, provider, output
 *    guardrails. A retryable provider failure (rate limit, timeout, outage) fails the attempt and the
 *    queue retries it (`LlmError.retryable` drives `jobs/errors.ts`); the last failure, a
 *    non-retryable one, or a provider that is not configured hands off, with the error code in the
 *    note's metadata — so does any other error on the last attempt (`bot_error`).
 * 3. Persist, in a short transaction holding the conversation row, which checks everything again:
 *    auto-bot still on, no agent reply and no newer customer message meanwhile, not already answered
 *    by this job. Otherwise the answer is discarded (a person, or the newer message's job, has it).
 *    After the commit the send job starts first; live events and the summary check follow it.
 *
 * Every row written carries the job id, so a retried attempt finds what its earlier attempt stored
 * and only redoes what follows the commit (events, the send job): a customer never gets the same
 * answer twice.
 */

type MessageRow = typeof messages.$inferSelect;
type ConversationRow = typeof conversations.$inferSelect;

export type BotReplyOutcome =
  | { kind: "skipped"; reason: string }
  /** Written now or by an earlier attempt: what to publish and send. */
  | { kind: "done"; workspaceId: string; rows: MessageRow[] };

export type BotReplyPlan = {
  kind: "compose";
  conversation: ConversationRow;
  chatbot: ChatbotRow;
  channel: NonNullable<Awaited<ReturnType<typeof conversationForReply>>>["channel"];
  credential: CredentialRow | null;
  /** The customer's platform id, for the typing indicator. */
  recipientId: string | null;
  /** The customer's locale, for the chatbot's translation. */
  locale: string | null;
  guardrails: ResolvedGuardrails;
  /** The message being answered: the conversation's latest customer message. */
  latest: TurnRow | undefined;
  /** The newest messages, oldest first (the prompt's turns). */
  recent: TurnRow[];
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

/**
 * The public chat routes answer in the request (`public-chat/send-public-message.ts`) with these
 * steps and the job's id — so the job, enqueued with a delay as a safety net, finds the answer
 * stored and only finishes (or answers, when the request died before it could).
 */
export interface DecideOptions {
  /** A `testing` chatbot answers too: the widget preview on the dashboard's own origin. */
  answerTesting?: boolean;
}

export const generateBotReply = defineJob({
  name: "generate-bot-reply",
  schema: GenerateBotReplyPayload,
  retry: { attempts: 4, backoff: { baseMs: 2_000 } },
  // A reply mostly waits on the provider (seconds; a slow one, up to the chatbot's timeout): many
  // slots, so waiting costs nothing, and at most four per workspace, so one slow provider or one
  // busy workspace leaves the other workspaces' replies the rest.
  concurrency: 32,
  workspaceConcurrency: 4,
  handle: async (payload, ctx: JobContext<AppJobDeps>): Promise<void> => {
    const decision = await decideBotReply(ctx.db, payload, ctx.jobId);
    if (decision.kind !== "compose") return finishBotReply(ctx, payload.conversationId, decision);

    showTyping(ctx, decision.channel, decision.recipientId);
    let outcome: BotReplyOutcome;
    try {
      const composed = await composeReply(ctx, {
        conversation: decision.conversation,
        chatbot: decision.chatbot,
        guardrails: decision.guardrails,
        recent: decision.recent,
        credential: decision.credential,
        locale: decision.locale,
        channel: decision.channel,
        signal: ctx.signal,
      });
      outcome = await persistBotReply(ctx.db, decision, composed, ctx.jobId, ctx.log);
    } catch (error) {
      const final = ctx.attempt >= ctx.maxAttempts || !isRetryable(error);
      if (!final) throw error;
      ctx.log.warn({ err: error, conversationId: payload.conversationId }, "bot reply failed: handing off");
      outcome = await persistBotReplyFailure(ctx.db, decision, error, ctx.jobId, ctx.log);
    }
    if (outcome.kind !== "done" || !outcome.rows.some(isQueuedReply)) {
      showTyping(ctx, decision.channel, decision.recipientId, "typing_off");
    }
    await finishBotReply(ctx, payload.conversationId, outcome);
  },
});

/**
 * Reads only: the common path writes nothing here, and `persist` checks it all again under the lock.
 * A handoff decided here is written by `handOffLocked`, which checks again too.
 */
export async function decideBotReply(
  db: Db,
  payload: Pick<Payload, "conversationId" | "triggerMessageId"> & { mode?: Payload["mode"] },
  jobId: string,
  options: DecideOptions = {},
): Promise<BotReplyOutcome | BotReplyPlan> {
  // Both reads at once (one queue slot on PGlite's connection). The messages are read for the usual
  // window; a chatbot remembering more turns reads again.
  const [found, usual] = await Promise.all([
    conversationForReply(db, payload.conversationId),
    recentAndOwnMessages(db, payload.conversationId, jobId, USUAL_RECENT_LIMIT),
  ]);
  if (!found) return { kind: "skipped", reason: "conversation_gone" };
  const { conversation, chatbot } = found;
  const workspaceId = conversation.workspaceId;
  const limit = recentMessageLimit(chatbot);
  const { recent, ofJob } =
    usual.ofJob || limit <= USUAL_RECENT_LIMIT
      ? { recent: usual.recent.slice(-limit), ofJob: usual.ofJob }
      : await recentAndOwnMessages(db, conversation.id, jobId, limit);

  // A retry of an attempt that already committed: finish its work (events, send job) only.
  if (ofJob) return { kind: "done", workspaceId, rows: await rowsOfJob(db, conversation.id, jobId) };
  if (!conversation.autoBot) return { kind: "skipped", reason: "auto_bot_off" };
  const latest = recent.findLast(isCustomerMessage) ?? (await latestCustomerMessage(db, conversation.id));
  // Several quick messages each enqueue a job: the newest one's job answers them (and a trigger
  // that is gone has nothing left to answer).
  if (payload.triggerMessageId && latest?.id !== payload.triggerMessageId) {
    return { kind: "skipped", reason: "newer_message" };
  }
  // Once an agent has replied, the bot stays silent until auto-bot is switched on again.
  if (humanRepliedSince(conversation, latest)) return { kind: "skipped", reason: "human_replied" };

  const meta = { jobId, mode: payload.mode ?? "auto", trigger: latest?.id ?? null };
  const guardrails = resolveGuardrails(chatbot?.guardrails);
  const handOff = (reason: HandoffReason) =>
    handOffLocked(db, conversation.id, jobId, { reason, guardrails, meta, chatbot: chatbot ?? undefined });
  if (!chatbot) return handOff("no_chatbot");
  // Only an active chatbot answers customers (a testing one answers in the playground and the widget
  // preview): the message stays in the inbox for a person, nothing is lost.
  const answers = chatbot.status === "active" || (chatbot.status === "testing" && options.answerTesting);
  if (!answers) return { kind: "skipped", reason: `chatbot_${chatbot.status}` };
  // Normally caught at ingestion (`check-inbound-message.ts`); kept here for channels that do not yet.
  if (wantsHuman(latest?.text, guardrails.humanRequestPhrases)) return handOff("human_requested");
  if (conversation.consecutiveBotReplies >= guardrails.maxConsecutiveBotReplies) return handOff("max_bot_replies");
  return {
    kind: "compose",
    conversation,
    chatbot,
    channel: found.channel,
    credential: found.credential,
    recipientId: found.recipientId,
    locale: found.contactLocale,
    guardrails,
    latest,
    recent,
    meta,
  };
}

/** The messages a reply reads with the default memory settings (`recentMessageLimit`). */
const USUAL_RECENT_LIMIT = recentMessageLimit(undefined);

/**
 * In one read: the newest `limit` messages (oldest first; the columns a reply reads) and whether an
 * earlier attempt of this job wrote rows (`metadata.jobId`), which may be older than those.
 */
async function recentAndOwnMessages(db: Db, conversationId: string, jobId: string, limit: number) {
  const newest = db
    .select({ id: messages.id })
    .from(messages)
    .where(eq(messages.conversationId, conversationId))
    .orderBy(desc(messages.createdAt), desc(messages.id))
    .limit(limit);
  const ofJob = sql`${messages.metadata}->>'jobId' = ${jobId}`;
  const rows = await db
    .select({ ...turnColumns, ofJob: sql<boolean>`(${ofJob}) is true` })
    .from(messages)
    .where(and(eq(messages.conversationId, conversationId), or(inArray(messages.id, newest), ofJob)))
    .orderBy(messages.createdAt, messages.id);
  // With rows of this job the attempt only finishes; otherwise `rows` are exactly the newest.
  return { recent: rows as TurnRow[], ofJob: rows.some((r) => r.ofJob) };
}

/**
 * Step 3: the composed answer written in a short transaction, after checking everything again. A
 * failed vector search behind it (the answer used full text only) is recorded for the chatbot's
 * health (`chatbot_error`, kind `retrieval`), once per answer.
 */
export async function persistBotReply(
  db: Db,
  plan: BotReplyPlan,
  composed: ComposedReply,
  jobId: string,
  log?: Logger,
): Promise<BotReplyOutcome> {
  const outcome = await db.transaction((tx) => persist(tx as unknown as Db, plan, composed, jobId));
  const { conversation, chatbot } = plan;
  await recordRetrievalFailure(
    db,
    composed.retrievalFailure,
    {
      workspaceId: conversation.workspaceId,
      chatbotId: chatbot.id,
      channelId: conversation.channelId,
      conversationId: conversation.id,
      messageId: composed.question?.id ?? null,
    },
    log,
  );
  return outcome;
}

/**
 * The answer failed for good: handed off (with the error's code), after the same checks — and
 * recorded for the chatbot's health (`chatbot_error`, kind `generation`) whatever the checks decide.
 */
export async function persistBotReplyFailure(
  db: Db,
  plan: BotReplyPlan,
  error: unknown,
  jobId: string,
  log?: Logger,
): Promise<BotReplyOutcome> {
  const failure = failureOf(error);
  const outcome = await db.transaction((tx) => persistFailure(tx as unknown as Db, plan, failure, jobId));
  const { conversation, chatbot, latest } = plan;
  await recordChatbotError(
    db,
    {
      workspaceId: conversation.workspaceId,
      chatbotId: chatbot.id,
      kind: "generation",
      code: failure.code,
      message: failure.message,
      provider: error instanceof LlmError ? error.provider : (plan.credential?.kind ?? chatbot.providerKind),
      model: chatbot.model,
      channelId: conversation.channelId,
      conversationId: conversation.id,
      messageId: latest?.id ?? null,
    },
    log,
  );
  return outcome;
}

async function persist(db: Db, plan: BotReplyPlan, composed: ComposedReply, jobId: string): Promise<BotReplyOutcome> {
  const recheck = await recheckConversation(db, plan, jobId);
  if (recheck) return recheck;
  const { conversation, guardrails, meta } = plan;
  const { verdict } = composed;
  const rows: MessageRow[] = [];
  const at = new Date();
  const text = verdict.action === "send" ? verdict.text : "text" in verdict ? verdict.text : null;
  if (text) rows.push(await recordBotReply(db, conversation, { text, composed, meta, at, guardrails }));
  if (verdict.action === "handoff") {
    const withheld = "withheld" in verdict ? { withheld: verdict.withheld } : {};
    rows.push(
      ...(await handOffConversation(db, conversation, {
        reason: verdict.reason,
        guardrails,
        // The customer is told a person will reply, unless the bot's last words just went out.
        chatbot: text ? undefined : plan.chatbot,
        meta: {
          ...meta,
          ...withheld,
          provider: composed.result.provider,
          model: composed.result.model,
          ...(composed.result.confidence !== undefined ? { confidence: composed.result.confidence } : {}),
        },
        // After the bot's last words, when it had any (the thread orders by time).
        at: new Date(at.getTime() + rows.length),
      })),
    );
  }
  return { kind: "done", workspaceId: conversation.workspaceId, rows };
}

interface Failure {
  reason: "provider_not_configured" | "provider_error" | "content_filtered" | "bot_error";
  code: string;
  message: string;
}

/** Why the final attempt failed, as a handoff reason; anything but the provider is a `bot_error`. */
function failureOf(error: unknown): Failure {
  // The provider withheld the answer (OpenAI `content_filter`, Gemini `SAFETY`…): the same handoff as
  // a filtered finish reason in `checkOutput`, not a provider outage.
  if (error instanceof LlmError && error.code === "content_filtered") {
    return { reason: "content_filtered", code: error.code, message: error.message };
  }
  if (error instanceof LlmError) return { reason: "provider_error", code: error.code, message: error.message };
  if (error instanceof DomainError && error.code === "provider_not_configured") {
    return { reason: "provider_not_configured", code: error.code, message: error.message };
  }
  const code = error instanceof DomainError ? error.code : "internal_error";
  return { reason: "bot_error", code, message: error instanceof Error ? error.message : String(error) };
}

async function persistFailure(db: Db, plan: BotReplyPlan, failure: Failure, jobId: string): Promise<BotReplyOutcome> {
  const recheck = await recheckConversation(db, plan, jobId);
  if (recheck) return recheck;
  const rows = await handOffConversation(db, plan.conversation, {
    reason: failure.reason,
    chatbot: plan.chatbot,
    detail:
      failure.reason === "provider_not_configured" || failure.reason === "content_filtered" ? undefined : failure.code,
    meta: { ...plan.meta, errorCode: failure.code, error: failure.message.slice(0, 500) },
  });
  return { kind: "done", workspaceId: plan.conversation.workspaceId, rows };
}

/** A handoff decided before composing, written under the conversation's lock after checking again. */
async function handOffLocked(
  db: Db,
  conversationId: string,
  jobId: string,
  input: {
    reason: HandoffReason;
    guardrails: ResolvedGuardrails;
    meta: Record<string, unknown>;
    chatbot: ChatbotRow | undefined;
  },
): Promise<BotReplyOutcome> {
  return db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db;
    const current = await lockConversation(tx, conversationId);
    if (!current) return { kind: "skipped", reason: "conversation_gone" };
    const done = await rowsOfJob(tx, current.id, jobId);
    if (done.length) return { kind: "done", workspaceId: current.workspaceId, rows: done };
    if (!current.autoBot) return { kind: "skipped", reason: "auto_bot_off" };
    const rows = await handOffConversation(tx, current, input);
    return { kind: "done", workspaceId: current.workspaceId, rows };
  });
}

/**
 * Step 3's check, under the lock: null when the answer may still be written. The same read that locks
 * the conversation finds an earlier attempt's rows and a customer message newer than the one answered.
 * (`${conversations}.id` is written out: a single-table select renders its columns unqualified, and
 * a bare "id" inside the subquery would be the message's.)
 */
async function recheckConversation(db: Db, plan: BotReplyPlan, jobId: string): Promise<BotReplyOutcome | null> {
  const newer = plan.latest
    ? sql`(m.role = 'USER' and m.kind in ('text', 'attachment') and m.created_at > ${plan.latest.createdAt.toISOString()}::timestamptz)`
    : sql`false`;
  const [row] = await db
    .select({
      conversation: conversations,
      found: sql<{ id: string; jobId: string | null }[]>`(
        select coalesce(json_agg(json_build_object('id', m.id, 'jobId', m.metadata->>'jobId')), '[]'::json)
        from (select m.id, m.metadata from ${messages} m
              where m.conversation_id = ${conversations}.id and (m.metadata->>'jobId' = ${jobId} or ${newer})
              limit 20) m)`,
    })
    .from(conversations)
    .where(eq(conversations.id, plan.conversation.id))
    .for("update", { of: conversations });
  if (!row) return { kind: "skipped", reason: "conversation_gone" };
  const { conversation: current, found } = row;
  if (found.some((r) => r.jobId === jobId)) {
    return { kind: "done", workspaceId: current.workspaceId, rows: await rowsOfJob(db, current.id, jobId) };
  }
  if (!current.autoBot) return { kind: "skipped", reason: "auto_bot_off" };
  if (humanRepliedSince(current, plan.latest)) return { kind: "skipped", reason: "human_replied" };
  if (found.length) return { kind: "skipped", reason: "newer_message" };
  return null;
}

/**
 * After the commit: the send job first — with the embedded queue it is claimed as it is enqueued and
 * starts at once — then the live events and the summary check, which the customer does not wait for.
 */
export async function finishBotReply(ctx: AppJobDeps, conversationId: string, outcome: BotReplyOutcome): Promise<void> {
  if (outcome.kind === "skipped") {
    ctx.log.info({ conversationId, reason: outcome.reason }, "bot reply skipped");
    return;
  }
  for (const row of outcome.rows) {
    if (isQueuedReply(row)) {
      await ctx.queue.enqueue(
        sendOutboundMessage,
        { messageId: row.id },
        { jobId: `send:${row.id}`, workspaceId: outcome.workspaceId },
      );
    }
  }
  for (const row of outcome.rows) publishMessage(ctx.realtime, outcome.workspaceId, row);
  const handoff = outcome.rows.find((r) => r.role === "SYSTEM");
  if (handoff) ctx.log.info({ conversationId, reason: handoff.metadata.reason }, "conversation handed off");
  await inBackground(async () => {
    await publishConversation(ctx.realtime, ctx.db, outcome.workspaceId, conversationId);
    // Memory is a nicety: a queue hiccup here must not fail (and repeat) a reply that went out.
    await enqueueSummaryIfDue(ctx, conversationId).catch((err) =>
      ctx.log.warn({ err, conversationId }, "could not enqueue the conversation summary"),
    );
  });
}

const isQueuedReply = (row: MessageRow) => row.role === "BOT" && row.status === "queued";

const isCustomerMessage = (row: TurnRow) => row.role === "USER" && (row.kind === "text" || row.kind === "attachment");

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

const humanRepliedSince = (conversation: ConversationRow, reference: TurnRow | undefined) =>
  conversation.humanRepliedAt !== null && (!reference || conversation.humanRepliedAt > reference.createdAt);

/** The customer's most recent message (text or attachment; not notes or events), when not among the newest. */
async function latestCustomerMessage(db: Db, conversationId: string): Promise<TurnRow | undefined> {
  const [row] = await db
    .select(turnColumns)
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
