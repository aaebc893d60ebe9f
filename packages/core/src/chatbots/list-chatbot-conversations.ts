import type { ChatbotConversationListQuery, ChatbotConversationListResponse } from "@tandem/contracts";
import { conversations } from "@tandem/db";
import { and, desc, eq } from "drizzle-orm";
import type { Ctx } from "../context.ts";
import { cursorTimestamp, decodeCursor, olderThan, pageOf } from "../conversations/cursor.ts";
import { loadConversationDtos } from "../conversations/to-dto.ts";
import { assertActorCan } from "../members/guard.ts";
import { getChatbotInWorkspace } from "./get-chatbot-in-workspace.ts";

/**
 * The conversations a chatbot handles (S2 §4), most recent activity first, keyset-paginated like the
 * inbox and with the inbox's DTO. Playground sessions are not customers' conversations: left out.
 */
export async function listChatbotConversations(
  ctx: Ctx,
  chatbotId: string,
  query: Partial<ChatbotConversationListQuery> = {},
): Promise<ChatbotConversationListResponse> {
  assertActorCan(ctx, "chatbots.read");
  const chatbot = await getChatbotInWorkspace(ctx, chatbotId);
  const limit = query.limit ?? 30;
  const rows = await ctx.db
    .select({ id: conversations.id, cursorAt: cursorTimestamp(conversations.lastMessageAt) })
    .from(conversations)
    .where(
      and(
        eq(conversations.workspaceId, ctx.workspaceId),
        eq(conversations.chatbotId, chatbot.id),
        eq(conversations.isPlayground, false),
        query.cursor ? olderThan(conversations.lastMessageAt, conversations.id, decodeCursor(query.cursor)) : undefined,
      ),
    )
    .orderBy(desc(conversations.lastMessageAt), desc(conversations.id))
    .limit(limit + 1);
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
