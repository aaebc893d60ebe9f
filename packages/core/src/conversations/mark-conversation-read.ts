import type { ConversationDto } from "@tandem/contracts";
import { conversations } from "@tandem/db";
import { and, gt } from "drizzle-orm";
import type { Ctx } from "../context.ts";
import { DomainError } from "../errors.ts";
import { assertActorCan } from "../members/guard.ts";
import { getConversationInWorkspace } from "./get-conversation-in-workspace.ts";
import { inInbox } from "./in-inbox.ts";
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
    .where(and(inInbox(ctx.workspaceId, conversationId), gt(conversations.unreadCount, 0)))
    .returning({ id: conversations.id });
  // Nothing changed: already read, or not an inbox conversation of this workspace (then 404).
  if (changed.length === 0) await getConversationInWorkspace(ctx, conversationId);
  const [dto] = await loadConversationDtos(ctx.db, ctx.workspaceId, [conversationId]);
  if (!dto) throw new DomainError("conversation_not_found", "Conversation not found");
  if (changed.length > 0) emitConversation(ctx, dto);
  return dto;
}
