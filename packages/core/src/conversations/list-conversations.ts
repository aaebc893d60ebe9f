import type { ConversationListQuery, ConversationListResponse, ConversationStatus } from "@tandem/contracts";
import { channels, contacts, conversations, messages } from "@tandem/db";
import { and, arrayContains, desc, eq, exists, gt, inArray, or, type SQL, sql } from "drizzle-orm";
import { union } from "drizzle-orm/pg-core";
import type { Ctx } from "../context.ts";
import { DomainError } from "../errors.ts";
import { assertActorCan } from "../members/guard.ts";
import { cursorTimestamp, decodeCursor, olderThan, pageOf } from "./cursor.ts";
import { normalizeTag } from "./tags.ts";
import { loadConversationDtos } from "./to-dto.ts";

/**
 * The inbox list: most recent activity first (`last_message_at desc, id desc`), keyset-paginated.
 * One query picks the page's ids by walking `conversation_inbox_idx` (workspace, last_message_at
 * desc, id desc) with the filters applied on the way; a second loads the DTOs of those ids.
 *
 * Search is the union of two pages, each with a plain EXISTS the planner can turn into a semi-join:
 * conversations whose contact matches and conversations with a matching message. An OR of the two
 * would hide both from the planner; apart, a common word is found by walking the inbox index and
 * stopping at the page's end, and a rare one through the GIN index on `message.search`.
 */
export async function listConversations(ctx: Ctx, query: ConversationListQuery): Promise<ConversationListResponse> {
  assertActorCan(ctx, "conversations.work");
  const limit = query.limit ?? 30;
  const where: SQL[] = [eq(conversations.workspaceId, ctx.workspaceId), eq(conversations.isPlayground, false)];

  if (query.status?.length) where.push(or(...query.status.map(statusCondition))!);
  if (query.channelId) where.push(eq(conversations.channelId, query.channelId));
  if (query.channelType) {
    where.push(
      inArray(
        conversations.channelId,
        ctx.db
          .select({ id: channels.id })
          .from(channels)
          .where(and(eq(channels.workspaceId, ctx.workspaceId), eq(channels.type, query.channelType))),
      ),
    );
  }
  if (query.tag) where.push(arrayContains(conversations.tags, [normalizeTag(query.tag)]));
  if (query.assignee) where.push(assigneeCondition(ctx, query.assignee));
  if (query.unread !== undefined) {
    where.push(query.unread ? gt(conversations.unreadCount, 0) : eq(conversations.unreadCount, 0));
  }
  if (query.needsHuman !== undefined) where.push(eq(conversations.needsHuman, query.needsHuman));
  if (query.cursor) where.push(olderThan(conversations.lastMessageAt, conversations.id, decodeCursor(query.cursor)));

  const pageQuery = (extra?: SQL) =>
    ctx.db
      .select({
        id: conversations.id,
        lastMessageAt: conversations.lastMessageAt,
        cursorAt: cursorTimestamp(conversations.lastMessageAt).as("cursor_at"),
      })
      .from(conversations)
      .where(and(...where, extra))
      .orderBy(desc(conversations.lastMessageAt), desc(conversations.id))
      .limit(limit + 1);
  const rows = query.search
    ? await union(
        pageQuery(contactMatches(ctx, query.search)),
        pageQuery(messageMatches(ctx, query.search)),
      )
        .orderBy(sql`"last_message_at" desc`, sql`"id" desc`)
        .limit(limit + 1)
    : await pageQuery();
  const page = pageOf(rows, limit);
  return {
    data: await loadConversationDtos(
      ctx.db,
      ctx.workspaceId,
      page.rows.map((r) => r.id),
    ),
    nextCursor: page.nextCursor,
  };
}

/** Status as the inbox sees it: a snooze that has run out is OPEN again (see `effectiveStatus`). */
function statusCondition(status: ConversationStatus): SQL {
  const c = conversations;
  switch (status) {
    case "OPEN":
      return sql`(${c.status} = 'OPEN' or (${c.status} = 'SNOOZED' and ${c.snoozedUntil} <= now()))`;
    case "SNOOZED":
      return sql`(${c.status} = 'SNOOZED' and (${c.snoozedUntil} is null or ${c.snoozedUntil} > now()))`;
    case "CLOSED":
      return eq(c.status, "CLOSED");
  }
}

function assigneeCondition(ctx: Ctx, assignee: string): SQL {
  if (assignee === "none") return sql`${conversations.assigneeId} is null`;
  if (assignee === "me") {
    if (ctx.actor.type === "system") throw new DomainError("invalid_input", "`assignee=me` needs a signed-in member");
    return eq(conversations.assigneeId, ctx.actor.memberId);
  }
  return eq(conversations.assigneeId, assignee);
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (ch) => `\\${ch}`);

/** The contact's name contains the text (any case), or the text is the contact's platform id. */
function contactMatches(ctx: Ctx, search: string): SQL {
  return exists(
    ctx.db
      .select({ one: sql`1` })
      .from(contacts)
      .where(
        and(
          eq(contacts.id, conversations.contactId),
          eq(contacts.workspaceId, ctx.workspaceId),
          or(sql`${contacts.name} ilike ${`%${escapeLike(search)}%`}`, eq(contacts.platformUserId, search)),
        ),
      ),
  );
}

/** A message of the conversation contains every word (`message.search`, GIN-indexed tsvector). */
function messageMatches(ctx: Ctx, search: string): SQL {
  return exists(
    ctx.db
      .select({ one: sql`1` })
      .from(messages)
      .where(
        and(
          eq(messages.conversationId, conversations.id),
          eq(messages.workspaceId, ctx.workspaceId),
          sql`${messages.search} @@ plainto_tsquery('simple', ${search})`,
        ),
      ),
  );
}
