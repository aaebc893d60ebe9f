import type { ConversationDto } from "@tandem/contracts";
import { conversations } from "@tandem/db";
import { and, eq, gt } from "drizzle-orm";
import type { Ctx } from "../context.ts";
import { DomainError } from "../errors.ts";
import { assertActorCan } from "../members/guard.ts";
import { emitConversation } from "./notify.ts";
import { loadConversationDtos } from "./to-dto.ts";

/**
 * An agent opened the thread: its unread count drops to zero for everyone in the workspace. The
 * update is published only when there was something unread, so opening a thread is not an event.
 */
export async function markConversationRead(ctx: Ctx, conversationId: string): Promise<ConversationDto> {
  assertActorCan(ctx, "conversations.work");
  const changed = await ctx.db
    .update(conversations)
    .set({ unreadCount: 0 })
    .where(
      and(
        eq(conversations.id, conversationId),
        eq(conversations.workspaceId, ctx.workspaceId),
        gt(conversations.unreadCount, 0),
      ),
    )
    .returning({ id: conversations.id });
  const [dto] = await loadConversationDtos(ctx.db, ctx.workspaceId, [conversationId]);
  if (!dto) throw new DomainError("conversation_not_found", "Conversation not found");
  if (changed.length > 0) emitConversation(ctx, dto);
  return dto;
}
