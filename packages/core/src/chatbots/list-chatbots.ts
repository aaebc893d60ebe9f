import type { ChatbotListQuery, ChatbotListResponse } from "@tandem/contracts";
import { chatbots } from "@tandem/db";
import { and, desc, eq, isNull } from "drizzle-orm";
import type { Ctx } from "../context.ts";
import { cursorTimestamp, decodeCursor, olderThan, pageOf } from "../conversations/cursor.ts";
import { assertActorCan } from "../members/guard.ts";
import { loadChatbotDtos } from "./to-dto.ts";

/**
 * The workspace's chatbots (not deleted), newest first, keyset-paginated like the inbox, each with
 * S2's overview (status, channels, conversations, unique users, last activity) read for the whole
 * page at once. Every member may read them (`chatbots.read`).
 */
export async function listChatbots(ctx: Ctx, query: Partial<ChatbotListQuery> = {}): Promise<ChatbotListResponse> {
  assertActorCan(ctx, "chatbots.read");
  const limit = query.limit ?? 30;
  const rows = await ctx.db
    .select({ chatbot: chatbots, cursorAt: cursorTimestamp(chatbots.createdAt) })
    .from(chatbots)
    .where(
      and(
        eq(chatbots.workspaceId, ctx.workspaceId),
        isNull(chatbots.deletedAt),
        query.status ? eq(chatbots.status, query.status) : undefined,
        query.cursor ? olderThan(chatbots.createdAt, chatbots.id, decodeCursor(query.cursor)) : undefined,
      ),
    )
    .orderBy(desc(chatbots.createdAt), desc(chatbots.id))
    .limit(limit + 1);
  const page = pageOf(
    rows.map((r) => ({ ...r, id: r.chatbot.id })),
    limit,
  );
  return {
    data: await loadChatbotDtos(
      ctx.db,
      ctx.workspaceId,
      page.rows.map((r) => r.chatbot),
    ),
    nextCursor: page.nextCursor,
  };
}
