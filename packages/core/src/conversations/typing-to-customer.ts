import { WIDGET_SOCKET } from "@tandem/contracts";
import { channels, contacts, conversations, type Db } from "@tandem/db";
import { and, eq } from "drizzle-orm";
import type { ChannelRegistry } from "../channels/registry.ts";
import type { RealtimePublisher } from "../realtime.ts";

/**
 * An agent started or stopped writing a reply (never a note) in a conversation: the customer sees
 * "… is typing" where their channel has a live connection of ours (`realtimeRoom`: the widget). Other
 * channels' typing indicators are the bot's (`showTyping`), so this does nothing for them.
 */
export async function publishTypingToCustomer(
  deps: { db: Db; realtime: RealtimePublisher; channels: ChannelRegistry },
  workspaceId: string,
  conversationId: string,
  signal: { typing: boolean; name: string | null },
): Promise<void> {
  const [row] = await deps.db
    .select({ channel: channels, platformUserId: contacts.platformUserId })
    .from(conversations)
    .innerJoin(channels, eq(channels.id, conversations.channelId))
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .where(and(eq(conversations.id, conversationId), eq(conversations.workspaceId, workspaceId)))
    .limit(1);
  if (!row) return;
  const room = deps.channels.find(row.channel.type)?.realtimeRoom?.(row.channel, row.platformUserId);
  if (!room) return;
  deps.realtime.emit(room, WIDGET_SOCKET.events.typing, {
    typing: signal.typing,
    role: "AGENT",
    name: signal.name,
  });
}
