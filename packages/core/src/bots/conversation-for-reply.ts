import { channels, chatbots, contacts, conversations, type Db, providerCredentials } from "@tandem/db";
import { and, asc, eq, isNull, or, sql } from "drizzle-orm";
import { inInbox } from "../conversations/in-inbox.ts";
import type { ChatbotRow } from "./chatbot-for.ts";

/**
 * What a bot reply needs to know about its conversation, in one read: the conversation, the chatbot
 * that answers it (its own, else the workspace's default; deleted ones do not count — as
 * `chatbotFor`) with its credential (the one it names, else the workspace's oldest of its kind), its
 * channel, and the customer's platform id and locale. With `workspaceId`, a conversation of
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
        config: channels.config,
      },
      recipientId: contacts.platformUserId,
      locale: contacts.locale,
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
        // A credential of another kind than the chatbot's never answers for it.
        eq(providerCredentials.kind, chatbots.providerKind),
        or(eq(providerCredentials.id, chatbots.credentialId), isNull(chatbots.credentialId)),
      ),
    )
    .leftJoin(channels, eq(channels.id, conversations.channelId))
    .leftJoin(contacts, eq(contacts.id, conversations.contactId))
    .where(
      // A caller's request (workspaceId given) reaches inbox conversations only; the reply job any.
      workspaceId ? inInbox(workspaceId, conversationId) : eq(conversations.id, conversationId),
    )
    // Its own chatbot first, when it still exists; of several credentials of its kind, the oldest.
    .orderBy(
      sql`(${chatbots.id} = ${conversations.chatbotId}) is true desc`,
      asc(providerCredentials.createdAt),
      asc(providerCredentials.id),
    )
    .limit(1);
  if (!row) return null;
  return {
    conversation: row.conversation,
    chatbot: (row.chatbot ?? undefined) as ChatbotRow | undefined,
    /** The chatbot's named credential, else the workspace's credential of its kind (null: none stored). */
    credential: row.credential,
    channel: row.channel,
    recipientId: row.recipientId,
    /** The customer's locale (picks the chatbot's translation). */
    contactLocale: row.locale,
  };
}
