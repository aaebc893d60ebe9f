import type { MessageListQuery, MessageListResponse } from "@tandem/contracts";
import { contacts, messages } from "@tandem/db";
import { and, desc, eq, inArray, ne, sql } from "drizzle-orm";
import type { Ctx } from "../context.ts";
import { assertActorCan } from "../members/guard.ts";
import { moderationSummaryQuery, toMessageModeration } from "../moderation/message-moderation.ts";
import { cursorTimestamp, decodeCursor, olderThan, pageOf } from "./cursor.ts";
import { getConversationInWorkspace } from "./get-conversation-in-workspace.ts";
import { feedbackSummaryQuery, toFeedbackSummary } from "./message-feedback.ts";
import { messageColumns, messageToDto } from "./to-dto.ts";

/**
 * A thread, read from its end: the first call returns the newest `limit` messages, each page in
 * chronological order (oldest → newest) so it renders as is; `nextCursor` fetches the page just
 * before it (scrolling up) and is null once the first message is reached. Ordered by
 * `(created_at, id)` on `message_conversation_created_idx`. Each message comes with its customers'
 * ratings (`feedback`), counted in the same query through `feedback_message_identifier_key`, and its
 * moderation state when it was flagged (`moderation`, through `moderation_flag_message_idx`).
 */
export async function listMessages(
  ctx: Ctx,
  conversationId: string,
  query: Partial<MessageListQuery> = {},
): Promise<MessageListResponse> {
  assertActorCan(ctx, "conversations.work");
  await getConversationInWorkspace(ctx, conversationId);
  const limit = query.limit ?? 50;
  const rated = feedbackSummaryQuery(ctx.db, ctx.workspaceId, sql`${messages.id}`).as("rated");
  const flagged = moderationSummaryQuery(ctx.db, ctx.workspaceId, sql`${messages.id}`).as("flagged");
  const rows = await ctx.db
    .select({
      ...messageColumns,
      cursorAt: cursorTimestamp(messages.createdAt),
      rated: {
        total: rated.total,
        helpful: rated.helpful,
        notHelpful: rated.notHelpful,
        inappropriate: rated.inappropriate,
        latestComment: rated.latestComment,
      },
      flags: {
        total: flagged.total,
        open: flagged.open,
        removed: flagged.removed,
        escalated: flagged.escalated,
        types: flagged.types,
      },
    })
    .from(messages)
    .leftJoinLateral(rated, sql`true`)
    .leftJoinLateral(flagged, sql`true`)
    .where(
      and(
        eq(messages.conversationId, conversationId),
        eq(messages.workspaceId, ctx.workspaceId),
        // AI drafts are kept for the record (what the model wrote), not shown in the thread.
        ne(messages.status, "draft"),
        query.cursor ? olderThan(messages.createdAt, messages.id, decodeCursor(query.cursor)) : undefined,
      ),
    )
    .orderBy(desc(messages.createdAt), desc(messages.id))
    .limit(limit + 1);
  const page = pageOf(rows, limit);
  // Group speakers' names, one query for the page.
  const speakerIds = [...new Set(page.rows.flatMap((m) => (m.senderContactId ? [m.senderContactId] : [])))];
  const speakers =
    speakerIds.length === 0
      ? []
      : await ctx.db
          .select({ id: contacts.id, name: contacts.name })
          .from(contacts)
          .where(and(inArray(contacts.id, speakerIds), eq(contacts.workspaceId, ctx.workspaceId)));
  const names = new Map(speakers.map((c) => [c.id, c.name]));
  return {
    data: page.rows
      .map(({ rated: r, flags, ...m }) => messageToDto(m, names, toFeedbackSummary(r), toMessageModeration(flags)))
      .reverse(),
    nextCursor: page.nextCursor,
  };
}
