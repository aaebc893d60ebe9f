import { conversations, type Db, messages } from "@tandem/db";
import { eq, sql } from "drizzle-orm";
import type { ComposedReply } from "./compose-reply.ts";

type MessageRow = typeof messages.$inferSelect;

/**
 * Stores the bot's answer, inside the caller's transaction: a BOT message `queued` for sending (or
 * `sent` at once in a playground conversation, which has no channel), with everything needed to
 * explain it later — provider, model, usage, provider latency, prompt version and the knowledge it
 * used — and the conversation's preview and consecutive-reply counter moved on.
 *
 * `draft` is the model's own text when the sent text differs from it (the handoff marker removed), or
 * always for "reply as bot": the draft and the final are both kept, on the one row (seed S0).
 */
export async function recordBotReply(
  tx: Db,
  conversation: { id: string; workspaceId: string; channelId: string | null },
  input: { text: string; composed: ComposedReply; meta: Record<string, unknown>; keepDraft?: boolean; at?: Date },
): Promise<MessageRow> {
  const { composed } = input;
  const now = input.at ?? new Date();
  const sendable = conversation.channelId !== null;
  const draft = input.keepDraft || composed.result.text !== input.text ? composed.result.text : undefined;
  const [message] = await tx
    .insert(messages)
    .values({
      workspaceId: conversation.workspaceId,
      conversationId: conversation.id,
      channelId: conversation.channelId,
      role: "BOT",
      kind: "text",
      text: input.text,
      status: sendable ? "queued" : "sent",
      sentAt: sendable ? null : now,
      replyToId: composed.question?.id ?? null,
      provider: composed.result.provider,
      model: composed.result.model,
      usage: composed.result.usage,
      latencyMs: composed.result.latencyMs,
      promptVersionId: composed.promptVersionId,
      retrievedSources: composed.sources,
      metadata: {
        ...input.meta,
        finishReason: composed.result.finishReason,
        promptTokens: composed.promptTokens,
        ...(composed.droppedTurns ? { droppedTurns: composed.droppedTurns } : {}),
        ...(composed.result.confidence !== undefined ? { confidence: composed.result.confidence } : {}),
        ...(draft !== undefined ? { draft } : {}),
      },
      createdAt: now,
    })
    .returning();
  await tx
    .update(conversations)
    .set({
      lastMessageAt: sql`greatest(${conversations.lastMessageAt}, ${now.toISOString()}::timestamptz)`,
      lastMessagePreview: input.text.slice(0, 140),
      consecutiveBotReplies: sql`${conversations.consecutiveBotReplies} + 1`,
    })
    .where(eq(conversations.id, conversation.id));
  return message!;
}
