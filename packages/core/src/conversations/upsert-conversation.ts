import { type channels, chatbots, type contacts, conversations, type Db } from "@tandem/db";
import { sql } from "drizzle-orm";

type ConversationRow = typeof conversations.$inferSelect;
type Channel = Pick<typeof channels.$inferSelect, "id" | "workspaceId" | "chatbotId">;

/**
 * One conversation per (channel, contact). A new one is answered by the channel's chatbot, or else by
 * the workspace's default chatbot; with neither, it starts with auto-bot off and waits for a person.
 */
export async function upsertConversation(
  tx: Db,
  channel: Channel,
  contact: Pick<typeof contacts.$inferSelect, "id">,
  at: Date,
): Promise<ConversationRow> {
  const [conversation] = await upsertConversations(tx, [{ channel, contact, at }]);
  return conversation!;
}

/** Several at once (a batch of inbound messages): one statement, one row per distinct contact. */
export async function upsertConversations(
  tx: Db,
  threads: { channel: Channel; contact: Pick<typeof contacts.$inferSelect, "id">; at: Date }[],
): Promise<ConversationRow[]> {
  if (threads.length === 0) return [];
  const defaultChatbot = (workspaceId: string) => sql`select ${chatbots.id} from ${chatbots}
    where ${chatbots.workspaceId} = ${workspaceId} and ${chatbots.isDefault} and ${chatbots.deletedAt} is null limit 1`;
  return tx
    .insert(conversations)
    .values(
      threads.map(({ channel, contact, at }) => ({
        workspaceId: channel.workspaceId,
        channelId: channel.id,
        contactId: contact.id,
        chatbotId: channel.chatbotId ?? sql`(${defaultChatbot(channel.workspaceId)})`,
        // With no chatbot to answer, the conversation is for people from the start (auto-bot off), the
        // way an inbox without a bot works in Chatwoot or Intercom — never "bot on" with nobody to reply.
        autoBot: channel.chatbotId ? true : sql`exists (${defaultChatbot(channel.workspaceId)})`,
        lastMessageAt: at,
      })),
    )
    .onConflictDoUpdate({
      target: [conversations.channelId, conversations.contactId],
      targetWhere: sql`not ${conversations.isPlayground}`,
      set: { updatedAt: sql`now()` },
    })
    .returning();
}
