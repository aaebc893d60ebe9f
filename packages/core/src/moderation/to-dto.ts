import type { FlagDto } from "@tandem/contracts";
import {
  channels,
  chatbots,
  contacts,
  conversations,
  members,
  messages,
  type moderationFlags,
  users,
} from "@tandem/db";
import { and, desc, eq, inArray, lt, or } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Ctx } from "../context.ts";

type FlagRow = typeof moderationFlags.$inferSelect;

const flagMessage = (m: { id: string; role: FlagDto["message"]["role"]; text: string | null; createdAt: Date }) => ({
  id: m.id,
  role: m.role,
  text: m.text,
  createdAt: m.createdAt.toISOString(),
});

/** A flag's queue status: escalated flags stay open, for an OWNER. */
export function flagStatus(f: Pick<FlagRow, "reviewed" | "decision">): FlagDto["status"] {
  if (!f.reviewed) return f.decision === "escalated" ? "escalated" : "open";
  return f.decision === "removed" ? "removed" : "approved";
}

/**
 * The flags as the queue shows them, in the order given: the message and, for an answer, the
 * customer message before it; the conversation's customer, channel and chatbot; who flagged and who
 * decided. Four queries for the page, whatever its length.
 */
export async function loadFlagDtos(ctx: Pick<Ctx, "db" | "workspaceId">, rows: FlagRow[]): Promise<FlagDto[]> {
  if (rows.length === 0) return [];
  const messageIds = [...new Set(rows.map((r) => r.messageId))];
  const found = await ctx.db
    .select({
      message: { id: messages.id, role: messages.role, text: messages.text, createdAt: messages.createdAt },
      conversationId: conversations.id,
      contactName: contacts.name,
      channel: { id: channels.id, type: channels.type, name: channels.name },
      chatbot: { id: chatbots.id, name: chatbots.name },
    })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .leftJoin(contacts, eq(contacts.id, conversations.contactId))
    .leftJoin(channels, eq(channels.id, conversations.channelId))
    .leftJoin(chatbots, eq(chatbots.id, conversations.chatbotId))
    .where(and(inArray(messages.id, messageIds), eq(messages.workspaceId, ctx.workspaceId)));
  const byMessage = new Map(found.map((m) => [m.message.id, m]));

  // The customer message just before each answer: its question, in context.
  const answers = found.filter((m) => m.message.role !== "USER").map((m) => m.message.id);
  const before = alias(messages, "before");
  const questions = answers.length
    ? await ctx.db
        .selectDistinctOn([messages.id], {
          forId: messages.id,
          id: before.id,
          role: before.role,
          text: before.text,
          createdAt: before.createdAt,
        })
        .from(messages)
        .innerJoin(
          before,
          and(
            eq(before.conversationId, messages.conversationId),
            eq(before.role, "USER"),
            or(
              lt(before.createdAt, messages.createdAt),
              and(eq(before.createdAt, messages.createdAt), lt(before.id, messages.id)),
            ),
          ),
        )
        .where(inArray(messages.id, answers))
        .orderBy(messages.id, desc(before.createdAt), desc(before.id))
    : [];
  const questionOf = new Map(questions.map((q) => [q.forId, q]));

  const memberIds = [...new Set(rows.flatMap((r) => (r.flaggedByMemberId ? [r.flaggedByMemberId] : [])))];
  const flaggers = memberIds.length
    ? await ctx.db
        .select({ id: members.id, name: users.name })
        .from(members)
        .innerJoin(users, eq(users.id, members.userId))
        .where(inArray(members.id, memberIds))
    : [];
  const flaggerNames = new Map(flaggers.map((m) => [m.id, m.name]));
  const reviewerIds = [...new Set(rows.flatMap((r) => (r.reviewedById ? [r.reviewedById] : [])))];
  const reviewers = reviewerIds.length
    ? await ctx.db.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, reviewerIds))
    : [];
  const reviewerNames = new Map(reviewers.map((u) => [u.id, u.name]));

  return rows.map((row) => {
    const m = byMessage.get(row.messageId);
    const question = questionOf.get(row.messageId);
    return {
      id: row.id,
      type: row.flagType as FlagDto["type"],
      source: row.source,
      reason: row.reason,
      confidence: row.confidence,
      status: flagStatus(row),
      message: m
        ? flagMessage(m.message)
        : { id: row.messageId, role: "USER" as const, text: null, createdAt: row.createdAt.toISOString() },
      context: question ? flagMessage(question) : null,
      conversation: { id: row.conversationId, contactName: m?.contactName ?? null },
      channel: m?.channel?.id ? m.channel : null,
      chatbot: m?.chatbot?.id ? m.chatbot : null,
      flaggedBy: row.flaggedByMemberId
        ? { memberId: row.flaggedByMemberId, name: flaggerNames.get(row.flaggedByMemberId) ?? null }
        : null,
      review:
        row.decision && row.reviewedAt
          ? {
              decision: row.decision,
              by: row.reviewedById
                ? { userId: row.reviewedById, name: reviewerNames.get(row.reviewedById) ?? null }
                : null,
              at: row.reviewedAt.toISOString(),
              note: row.reviewNote,
            }
          : null,
      createdAt: row.createdAt.toISOString(),
    };
  });
}
