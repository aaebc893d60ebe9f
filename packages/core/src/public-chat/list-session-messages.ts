import type { PublicSessionMessages } from "@tandem/contracts";
import { type Db, messages } from "@tandem/db";
import { and, desc, eq, sql } from "drizzle-orm";
import { DomainError } from "../errors.ts";
import { customerVisible, loadPublicMessages } from "./public-message.ts";
import { findSessionConversation, type PublicSession, sessionIdentifier } from "./public-session.ts";

/**
 * `GET …/sessions/{sessionId}/messages?after=`: the session's conversation as its customer sees it
 * (bot, agents, themself; never notes, SYSTEM events or removed messages), oldest first, after the
 * message `after` (exclusive) — how an API caller collects agents' replies once a person has taken
 * over, and how the event stream catches up. A session that has not written yet has no messages.
 */
export async function listSessionMessages(
  db: Db,
  session: PublicSession,
  query: { after?: string | undefined; limit: number },
): Promise<PublicSessionMessages> {
  const found = await findSessionConversation(db, session);
  if (!found) return { conversationId: null, humanActive: false, messages: [], hasMore: false };
  const { conversation } = found;
  let where = eq(messages.conversationId, conversation.id);
  if (query.after) {
    const [cursor] = await db
      .select({ createdAt: messages.createdAt, id: messages.id })
      .from(messages)
      .where(and(eq(messages.id, query.after), eq(messages.conversationId, conversation.id)));
    if (!cursor) {
      throw new DomainError("invalid_cursor", "`after` is not a message of this session.", {
        details: [{ path: "after", message: "Unknown message" }],
      });
    }
    where = and(
      where,
      sql`(${messages.createdAt}, ${messages.id}) > (${cursor.createdAt.toISOString()}::timestamptz, ${cursor.id})`,
    )!;
  }
  const rows = await loadPublicMessages(db, where, { identifier: sessionIdentifier(session), limit: query.limit + 1 });
  return {
    conversationId: conversation.id,
    humanActive: !conversation.autoBot,
    messages: rows.slice(0, query.limit),
    hasMore: rows.length > query.limit,
  };
}

/** The id of the session's newest visible message (where a live stream starts), or null. */
export async function latestSessionMessageId(db: Db, session: PublicSession): Promise<string | null> {
  const found = await findSessionConversation(db, session);
  if (!found) return null;
  const [row] = await db
    .select({ id: messages.id })
    .from(messages)
    .where(and(eq(messages.conversationId, found.conversation.id), customerVisible))
    .orderBy(desc(messages.createdAt), desc(messages.id))
    .limit(1);
  return row?.id ?? null;
}
