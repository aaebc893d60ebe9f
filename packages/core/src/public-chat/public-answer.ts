import type { PublicChatAnswer } from "@tandem/contracts";
import { conversations, type Db, messages } from "@tandem/db";
import { and, asc, eq, sql } from "drizzle-orm";
import { messageColumns, productsOf, sourcesOf } from "../conversations/to-dto.ts";

/**
 * The answer to one customer message as stored: what the bot wrote in reply (every row of a reply or
 * a handoff names the message it answers in `metadata.trigger`), or what the customer is told when a
 * person takes it. Read back the same way for a fresh answer, a retried send (`clientMessageId`) and
 * a message the bot stays silent on — a person has the conversation (`handoff`, `response` "").
 */
export async function publicAnswerOf(db: Db, conversationId: string, messageId: string): Promise<PublicChatAnswer> {
  const [rows, [conversation]] = await Promise.all([
    db
      .select(messageColumns)
      .from(messages)
      .where(and(eq(messages.conversationId, conversationId), sql`${messages.metadata}->>'trigger' = ${messageId}`))
      .orderBy(asc(messages.createdAt), asc(messages.id)),
    db
      .select({ autoBot: conversations.autoBot, handoffReason: conversations.handoffReason })
      .from(conversations)
      .where(eq(conversations.id, conversationId)),
  ]);
  const bot = rows.filter((m) => m.role === "BOT" && m.status !== "draft");
  const reply = bot.find((m) => m.metadata.event !== "handoff_message");
  const told = bot.find((m) => m.metadata.event === "handoff_message");
  const note = rows.find((m) => m.role === "SYSTEM" && m.metadata.event === "handoff");
  const reason = note
    ? String(note.metadata.reason)
    : conversation && !conversation.autoBot && !reply
      ? (conversation.handoffReason ?? "human_active")
      : null;
  const answered = reply ?? told;
  const usage = reply?.usage ?? { inputTokens: 0, outputTokens: 0 };
  return {
    messageId,
    replyMessageId: answered?.id ?? null,
    conversationId,
    response: answered?.text ?? "",
    sources: reply ? (sourcesOf(reply) ?? []) : [],
    products: reply ? productsOf(reply) : [],
    usage: {
      promptTokens: usage.inputTokens,
      completionTokens: usage.outputTokens,
      totalTokens: usage.inputTokens + usage.outputTokens,
    },
    handoff: reason ? { reason } : null,
  };
}
