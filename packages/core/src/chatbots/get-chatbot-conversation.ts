import type { ChatbotConversationDetail } from "@tandem/contracts";
import { conversations } from "@tandem/db";
import { and, eq } from "drizzle-orm";
import type { Ctx } from "../context.ts";
import { listMessages } from "../conversations/list-messages.ts";
import { loadConversationDtos } from "../conversations/to-dto.ts";
import { DomainError } from "../errors.ts";
import { assertActorCan } from "../members/guard.ts";
import { getChatbotInWorkspace } from "./get-chatbot-in-workspace.ts";

/** Messages returned with the conversation; older ones page through `/conversations/{id}/messages`. */
const MESSAGES = 100;

/**
 * One conversation of a chatbot with its newest messages (oldest first). A conversation of another
 * chatbot — or of another workspace, or a playground session — is "not found" here.
 */
export async function getChatbotConversation(
  ctx: Ctx,
  chatbotId: string,
  conversationId: string,
): Promise<ChatbotConversationDetail> {
  assertActorCan(ctx, "chatbots.read");
  const chatbot = await getChatbotInWorkspace(ctx, chatbotId);
  const [own] = await ctx.db
    .select({ id: conversations.id })
    .from(conversations)
    .where(
      and(
        eq(conversations.id, conversationId),
        eq(conversations.workspaceId, ctx.workspaceId),
        eq(conversations.chatbotId, chatbot.id),
        eq(conversations.isPlayground, false),
      ),
    )
    .limit(1);
  if (!own) throw new DomainError("conversation_not_found", "Conversation not found");
  const [[conversation], thread] = await Promise.all([
    loadConversationDtos(ctx.db, ctx.workspaceId, [own.id]),
    listMessages(ctx, own.id, { limit: MESSAGES }),
  ]);
  return { conversation: conversation!, messages: thread.data, olderMessagesCursor: thread.nextCursor };
}
