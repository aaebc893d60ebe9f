import type { ConversationDto } from "@tandem/contracts";
import type { Ctx } from "../context.ts";
import { DomainError } from "../errors.ts";
import { assertActorCan } from "../members/guard.ts";
import { getConversationInWorkspace } from "./get-conversation-in-workspace.ts";
import { loadConversationDtos } from "./to-dto.ts";

/** One conversation of the caller's workspace; another workspace's is "not found". */
export async function getConversation(ctx: Ctx, conversationId: string): Promise<ConversationDto> {
  assertActorCan(ctx, "conversations.work");
  await getConversationInWorkspace(ctx, conversationId);
  const [dto] = await loadConversationDtos(ctx.db, ctx.workspaceId, [conversationId]);
  if (!dto) throw new DomainError("conversation_not_found", "Conversation not found");
  return dto;
}
