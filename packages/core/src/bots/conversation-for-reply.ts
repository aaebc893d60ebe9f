import { channels, chatbots, contacts, conversations, type Db } from "@tandem/db";
import { and, eq, isNull, or, sql } from "drizzle-orm";
import type { ChatbotRow } from "./chatbot-for.ts";

/**
 * What a bot reply needs to know about its conversation, in one read: the conversation, the chatbot
 * that answers it (its own, else the workspace's default; deleted ones do not count — as
 * `chatbotFor`), its channel, and the customer's platform id. With `workspaceId`, a conversation of
 * another workspace is not found.
 */
export async function conversationForReply(db: Db, conversationId: string, workspaceId?: string) {
  const [row] = await db
    .select({ conversation: conversations, chatbot: chatbots, channel: channels, recipientId: contacts.platformUserId })
    .from(conversations)
    .leftJoin(
      chatbots,
      and(
        eq(chatbots.workspaceId, conversations.workspaceId),
        isNull(chatbots.deletedAt),
        or(eq(chatbots.id, conversations.chatbotId), eq(chatbots.isDefault, true)),
      ),
    )
    .leftJoin(channels, eq(channels.id, conversations.channelId))
    .leftJoin(contacts, eq(contacts.id, conversations.contactId))
    .where(
      and(eq(conversations.id, conversationId), workspaceId ? eq(conversations.workspaceId, workspaceId) : undefined),
    )
    // Its own chatbot first, when it still exists.
    .orderBy(sql`(${chatbots.id} = ${conversations.chatbotId}) is true desc`)
    .limit(1);
  if (!row) return null;
  return {
    conversation: row.conversation,
    chatbot: (row.chatbot ?? undefined) as ChatbotRow | undefined,
    channel: row.channel,
    recipientId: row.recipientId,
  };
}
