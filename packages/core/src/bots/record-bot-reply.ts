import { conversations, type Db, type messages } from "@tandem/db";
import { sql } from "drizzle-orm";
import { appendMessage } from "../conversations/append-message.ts";
import { flagStoredMessage } from "../moderation/flag-stored-message.ts";
import type { ComposedReply } from "./compose-reply.ts";
import type { ResolvedGuardrails } from "./guardrails.ts";

type MessageRow = typeof messages.$inferSelect;

/**
 * Stores the bot's answer, inside the caller's transaction: a BOT message `queued` for sending (or
 * `sent` at once in a playground conversation, which has no channel), with everything needed to
 * explain it later — provider, model, usage, provider latency, prompt version and the knowledge it
 * used — and the conversation's latest message and consecutive-reply counter moved on (`appendMessage`).
 *
 * `draft` is the model's own text when the sent text differs from it (the handoff marker removed).
 * "Reply as bot" keeps its draft as a row of its own (`recordBotDraft`), named by `metadata.draftId`.
 *
 * An answer to a customer (not the playground's) goes past the moderation detectors — profanity with
 * the chatbot's `guardrails` (the defaults without), personal data — which flag it for review
 * without holding it back (`flagStoredMessage`).
 */
export async function recordBotReply(
  tx: Db,
  conversation: { id: string; workspaceId: string; channelId: string | null },
  input: {
    text: string;
    composed: ComposedReply;
    meta: Record<string, unknown>;
    at?: Date;
    guardrails?: ResolvedGuardrails;
  },
): Promise<MessageRow> {
  const { composed } = input;
  const now = input.at ?? new Date();
  const sendable = conversation.channelId !== null;
  const draft = composed.result.text !== input.text ? composed.result.text : undefined;
  const common = botMessage(composed, input.meta, now);
  const { message } = await appendMessage(
    tx,
    conversation,
    {
      ...common,
      text: input.text,
      status: sendable ? "queued" : "sent",
      sentAt: sendable ? null : now,
      metadata: {
        ...common.metadata,
        ...(composed.droppedTurns ? { droppedTurns: composed.droppedTurns } : {}),
        ...(composed.result.confidence !== undefined ? { confidence: composed.result.confidence } : {}),
        ...(draft !== undefined ? { draft } : {}),
      },
    },
    { set: { consecutiveBotReplies: sql`${conversations.consecutiveBotReplies} + 1` } },
  );
  if (sendable) await flagStoredMessage(tx, message!, input.guardrails ? { guardrails: input.guardrails } : {});
  return message!;
}

/**
 * An AI draft, kept for the record: a BOT message with status `draft`, outside the thread, the inbox
 * preview, the prompt and the summary, with the same provenance as a sent reply (provider, model,
 * usage, latency, prompt version, sources). Written by "reply as bot" (then the final row names it
 * in `metadata.draftId`) and by "draft with AI" (the agent's reply may name it).
 */
export async function recordBotDraft(
  tx: Db,
  conversation: { id: string; workspaceId: string; channelId: string | null },
  input: { text: string; composed: ComposedReply; meta: Record<string, unknown>; at?: Date },
): Promise<MessageRow> {
  const { composed } = input;
  const { message: draft } = await appendMessage(tx, conversation, {
    ...botMessage(composed, input.meta, input.at ?? new Date()),
    text: composed.result.text || input.text,
    status: "draft",
  });
  return draft!;
}

/** What every BOT message the model wrote carries: where it belongs, what it answers, how it was made. */
function botMessage(composed: ComposedReply, meta: Record<string, unknown>, at: Date) {
  return {
    role: "BOT" as const,
    kind: "text" as const,
    replyToId: composed.question?.id ?? null,
    provider: composed.result.provider,
    model: composed.result.model,
    usage: composed.result.usage,
    latencyMs: composed.result.latencyMs,
    promptVersionId: composed.promptVersionId,
    retrievedSources: composed.sources,
    // The products the answer recommends: cards on the channels that show them.
    productCards: composed.productCards?.length ? composed.productCards : null,
    metadata: {
      ...meta,
      finishReason: composed.result.finishReason,
      promptTokens: composed.promptTokens,
      promptHash: composed.promptHash,
    },
    createdAt: at,
  };
}
