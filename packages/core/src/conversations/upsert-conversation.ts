import { type channels, chatbots, type contacts, conversations, type Db } from "@tandem/db";
import { sql } from "drizzle-orm";

type ConversationRow = typeof conversations.$inferSelect;

/**
 * One conversation per (channel, contact). A new one is answered by the channel's chatbot, or else by
 * the workspace's default chatbot; with neither, it starts with auto-bot off and waits for a person.
 */
export async function upsertConversation(
  tx: Db,
  channel: Pick<typeof channels.$inferSelect, "id" | "workspaceId" | "chatbotId">,
  contact: Pick<typeof contacts.$inferSelect, "id">,
  at: Date,
): Promise<ConversationRow> {
  const defaultChatbot = sql`select ${chatbots.id} from ${chatbots} where ${chatbots.workspaceId} = ${channel.workspaceId}
    and ${chatbots.isDefault} and ${chatbots.deletedAt} is null limit 1`;
  const [conversation] = await tx
    .insert(conversations)
    .values({
      workspaceId: channel.workspaceId,
      channelId: channel.id,
      contactId: contact.id,
      chatbotId: channel.chatbotId ?? sql`(${defaultChatbot})`,
      // With no chatbot to answer, the conversation is for people from the start (auto-bot off), the
      // way an inbox without a bot works in Chatwoot or Intercom — never "bot on" with nobody to reply.
      autoBot: channel.chatbotId ? true : sql`exists (${defaultChatbot})`,
      lastMessageAt: at,
    })
    .onConflictDoUpdate({
      target: [conversations.channelId, conversations.contactId],
      targetWhere: sql`not ${conversations.isPlayground}`,
      set: { updatedAt: sql`now()` },
    })
    .returning();
  return conversation!;
}
