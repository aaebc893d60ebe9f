import type { ContactDto, ConversationDto, MessageDto } from "@tandem/contracts";
import { channels, contacts, conversations, type Db, messages } from "@tandem/db";
import { and, desc, eq, inArray } from "drizzle-orm";

type MessageRow = typeof messages.$inferSelect;
type ConversationRow = typeof conversations.$inferSelect;
type ContactRow = typeof contacts.$inferSelect;
type ChannelRow = typeof channels.$inferSelect;

export const messageToDto = (m: MessageRow): MessageDto => ({
  id: m.id,
  conversationId: m.conversationId,
  role: m.role,
  kind: m.kind,
  text: m.text,
  attachments: m.attachments,
  payload: m.payload,
  status: m.status,
  platformMessageId: m.platformMessageId,
  authorMemberId: m.authorMemberId,
  sentFromOutside: m.sentFromOutside,
  reactions: m.reactions,
  error: m.errorCode || m.errorMessage ? { code: m.errorCode, message: m.errorMessage } : null,
  provider: m.provider,
  model: m.model,
  latencyMs: m.latencyMs,
  createdAt: m.createdAt.toISOString(),
  sentAt: m.sentAt?.toISOString() ?? null,
  deliveredAt: m.deliveredAt?.toISOString() ?? null,
  readAt: m.readAt?.toISOString() ?? null,
});

export const contactToDto = (c: ContactRow): ContactDto => ({
  id: c.id,
  name: c.name,
  platformUserId: c.platformUserId,
  pictureUrl: c.pictureUrl,
  locale: c.locale,
});

export function conversationToDto(
  c: ConversationRow,
  related: { contact: ContactRow | null; channel: ChannelRow | null; lastMessage: MessageRow | null },
): ConversationDto {
  const last = related.lastMessage;
  return {
    id: c.id,
    channel: related.channel
      ? { id: related.channel.id, type: related.channel.type, name: related.channel.name }
      : null,
    chatbotId: c.chatbotId,
    contact: related.contact ? contactToDto(related.contact) : null,
    status: c.status,
    autoBot: c.autoBot,
    needsHuman: c.needsHuman,
    handoffReason: c.handoffReason,
    assigneeId: c.assigneeId,
    tags: c.tags,
    notes: c.notes,
    unreadCount: c.unreadCount,
    lastMessage: last
      ? { id: last.id, role: last.role, text: last.text, createdAt: last.createdAt.toISOString() }
      : null,
    lastMessageAt: c.lastMessageAt.toISOString(),
    lastInboundAt: c.lastInboundAt?.toISOString() ?? null,
    createdAt: c.createdAt.toISOString(),
  };
}

/** Loads conversations with their contact, channel and latest message, in the order of `ids`. */
export async function loadConversationDtos(db: Db, workspaceId: string, ids: string[]): Promise<ConversationDto[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .select({ conversation: conversations, contact: contacts, channel: channels })
    .from(conversations)
    .leftJoin(contacts, eq(contacts.id, conversations.contactId))
    .leftJoin(channels, eq(channels.id, conversations.channelId))
    .where(and(eq(conversations.workspaceId, workspaceId), inArray(conversations.id, ids)));
  const lastMessages = await Promise.all(
    ids.map(async (id) => {
      const [m] = await db
        .select()
        .from(messages)
        .where(eq(messages.conversationId, id))
        .orderBy(desc(messages.createdAt), desc(messages.id))
        .limit(1);
      return [id, m ?? null] as const;
    }),
  );
  const lastById = new Map(lastMessages);
  const byId = new Map(rows.map((r) => [r.conversation.id, r]));
  return ids.flatMap((id) => {
    const r = byId.get(id);
    return r
      ? [
          conversationToDto(r.conversation, {
            contact: r.contact,
            channel: r.channel,
            lastMessage: lastById.get(id) ?? null,
          }),
        ]
      : [];
  });
}
