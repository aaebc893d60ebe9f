import type { NotificationDto } from "@tandem/contracts";
import { contacts, conversations, messages, type notifications, users } from "@tandem/db";
import { eq, inArray } from "drizzle-orm";
import type { Ctx } from "../context.ts";

type NotificationRow = typeof notifications.$inferSelect;

const EXCERPT_LENGTH = 140;

/** The rows as the API shows them (in the same order), with the note's start, its author and the customer. */
export async function loadNotificationDtos(ctx: Pick<Ctx, "db">, rows: NotificationRow[]): Promise<NotificationDto[]> {
  if (rows.length === 0) return [];
  const messageIds = [...new Set(rows.map((r) => r.messageId))];
  const found = await ctx.db
    .select({ id: messages.id, text: messages.text, contactName: contacts.name })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .leftJoin(contacts, eq(contacts.id, conversations.contactId))
    .where(inArray(messages.id, messageIds));
  const byMessage = new Map(found.map((m) => [m.id, m]));
  const actorIds = [...new Set(rows.map((r) => r.actorUserId).filter((id): id is string => id !== null))];
  const actors = actorIds.length
    ? await ctx.db.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, actorIds))
    : [];
  const actorNames = new Map(actors.map((a) => [a.id, a.name]));
  return rows.map((row) => {
    const message = byMessage.get(row.messageId);
    const text = message?.text ?? "";
    return {
      id: row.id,
      kind: row.kind,
      conversationId: row.conversationId,
      messageId: row.messageId,
      actor: row.actorUserId ? { id: row.actorUserId, name: actorNames.get(row.actorUserId) ?? null } : null,
      excerpt: text.length > EXCERPT_LENGTH ? `${text.slice(0, EXCERPT_LENGTH - 1)}…` : text,
      contactName: message?.contactName ?? null,
      readAt: row.readAt?.toISOString() ?? null,
      createdAt: row.createdAt.toISOString(),
    };
  });
}
