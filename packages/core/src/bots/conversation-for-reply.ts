import { channels, chatbots, contacts, conversations, type Db, providerCredentials } from "@tandem/db";
import { and, eq, isNull, or, sql } from "drizzle-orm";
import type { ChatbotRow } from "./chatbot-for.ts";

/**
 * What a bot reply needs to know about its conversation, in one read: the conversation, the chatbot
 * that answers it (its own, else the workspace's default; deleted ones do not count — as
 * `chatbotFor`) with the workspace's credential for its provider, its channel, and the customer's
 * platform id. With `workspaceId`, a conversation of
 * another workspace is not found.
 */
export async function conversationForReply(db: Db, conversationId: string, workspaceId?: string) {
  const [row] = await db
    .select({
      conversation: conversations,
      chatbot: chatbots,
      credential: providerCredentials,
      channel: {
        id: channels.id,
        type: channels.type,
        externalId: channels.externalId,
        secretsEncrypted: channels.secretsEncrypted,
        status: channels.status,
        disconnectedAt: channels.disconnectedAt,
      },
      recipientId: contacts.platformUserId,
    })
    .from(conversations)
    .leftJoin(
      chatbots,
      and(
        eq(chatbots.workspaceId, conversations.workspaceId),
        isNull(chatbots.deletedAt),
        or(eq(chatbots.id, conversations.chatbotId), eq(chatbots.isDefault, true)),
      ),
    )
    .leftJoin(
      providerCredentials,
      and(
        eq(providerCredentials.workspaceId, conversations.workspaceId),
        eq(providerCredentials.kind, chatbots.providerKind),
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
    /** The workspace's credential of the chatbot's provider kind (null: none stored). */
    credential: row.credential,
    channel: row.channel,
    recipientId: row.recipientId,
  };
}
