import type {
  ContactDto,
  ConversationDto,
  MessageDto,
  MessageFeedbackSummary,
  MessageModeration,
  MessageSourceDto,
  ProductCard,
  ReplyWindow,
  VisitorMetadata,
  VisitorPresenceDto,
} from "@tandem/contracts";
import { channels, chatbots, contacts, conversations, type Db, messages } from "@tandem/db";
import { and, desc, eq, getTableColumns, inArray, ne, sql } from "drizzle-orm";
import { CLIENT_CARDS, cardsForChannel } from "../channels/product-cards.ts";
import { channelCapabilities } from "../channels/registry.ts";
import { channelAttachments } from "../media/attachment-rules.ts";

/** The generated `search` tsvector is never shown, so readers need not select it. */
type MessageRow = Omit<typeof messages.$inferSelect, "search">;

/** Every message column but the generated `search` tsvector: what readers select. */
export const { search: _search, ...messageColumns } = getTableColumns(messages);
type ConversationRow = typeof conversations.$inferSelect;
type ContactRow = typeof contacts.$inferSelect;
type ChannelRow = typeof channels.$inferSelect;

/** The members an internal note @mentions (`metadata.mentions`, written by `sendAgentMessage`). */
function mentionsOf(m: MessageRow): { mentions?: string[] } {
  const mentions = m.metadata.mentions;
  return Array.isArray(mentions) && mentions.length > 0 ? { mentions: mentions.map(String) } : {};
}

const EXCERPT_LENGTH = 1000;

/**
 * A bot message's product cards as a customer's own client shows them (widget, public API): at most
 * `MAX_PRODUCT_CARDS`, links http(s) only; none on other messages.
 */
export function productsOf(m: MessageRow): ProductCard[] {
  return m.role === "BOT" ? cardsForChannel(CLIENT_CARDS, m.productCards) : [];
}

/** A bot message's stored sources (`retrieved_sources`), as the inbox shows them under the answer. */
export function sourcesOf(m: MessageRow): MessageSourceDto[] | null {
  if (!m.retrievedSources) return null;
  return m.retrievedSources.map((s) => ({
    chunkId: s.chunkId,
    documentId: s.documentId ?? null,
    sourceId: s.sourceId ?? null,
    kind: s.kind ?? (s.chunkId.startsWith("faq:") ? "faq" : "passage"),
    title: s.title ?? null,
    excerpt: (s.content ?? "").slice(0, EXCERPT_LENGTH),
    score: s.score,
    fullTextRank: s.fullTextRank ?? null,
    vectorSimilarity: s.vectorSimilarity ?? null,
    fusedScore: s.fusedScore ?? null,
  }));
}

/**
 * `senderNames`: the names of the group speakers among the messages (`sender.name`), when loaded;
 * `feedback`: the message's ratings, when the reader loaded them (`list-messages.ts`);
 * `moderation`: its flags folded into a state (`moderation/message-moderation.ts`), when it has any.
 */
export const messageToDto = (
  m: MessageRow,
  senderNames?: ReadonlyMap<string, string | null>,
  feedback: MessageFeedbackSummary | null = null,
  moderation?: MessageModeration,
): MessageDto => ({
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
  ...mentionsOf(m),
  sentFromOutside: m.sentFromOutside,
  reactions: m.reactions,
  sender: m.senderContactId
    ? { contactId: m.senderContactId, name: senderNames?.get(m.senderContactId) ?? null }
    : null,
  unsentAt: m.unsentAt?.toISOString() ?? null,
  error: m.errorCode || m.errorMessage ? { code: m.errorCode, message: m.errorMessage } : null,
  provider: m.provider,
  model: m.model,
  latencyMs: m.latencyMs,
  promptVersionId: m.promptVersionId,
  sources: sourcesOf(m),
  productCards: m.productCards?.length ? m.productCards : null,
  feedback,
  ...(moderation ? { moderation } : {}),
  createdAt: m.createdAt.toISOString(),
  sentAt: m.sentAt?.toISOString() ?? null,
  deliveredAt: m.deliveredAt?.toISOString() ?? null,
  readAt: m.readAt?.toISOString() ?? null,
  updatedAt: m.updatedAt.toISOString(),
});

const text = (v: unknown) => (typeof v === "string" && v !== "" ? v : null);

/** A widget visitor's presence from `contact.metadata.visitor` (written by the widget gateway); null for other contacts. */
export function visitorOf(c: ContactRow): VisitorPresenceDto | null {
  const v = c.metadata.visitor as VisitorMetadata | undefined;
  if (!v || typeof v !== "object" || Array.isArray(v)) return null;
  return {
    online: v.online === true,
    pageUrl: text(v.pageUrl),
    pageTitle: text(v.pageTitle),
    browser: text(v.browser),
    os: text(v.os),
    lastSeenAt: c.lastSeenAt?.toISOString() ?? null,
    verified: v.verified === true,
  };
}

export const contactToDto = (c: ContactRow): ContactDto => ({
  id: c.id,
  name: c.name,
  platformUserId: c.platformUserId,
  pictureUrl: c.pictureUrl,
  locale: c.locale,
  lastSeenAt: c.lastSeenAt?.toISOString() ?? null,
  kind: c.metadata.kind === "group" || c.metadata.kind === "room" ? c.metadata.kind : "user",
  unfollowedAt: c.unfollowedAt?.toISOString() ?? null,
  visitor: visitorOf(c),
});

/** The latest message, as much of it as a conversation row shows. */
export type MessagePreviewRow = Pick<MessageRow, "id" | "role" | "kind" | "text" | "createdAt">;

/** A SNOOZED conversation wakes up by itself once `snoozedUntil` has passed: no job has to reopen it. */
export const effectiveStatus = (c: Pick<ConversationRow, "status" | "snoozedUntil">, now = new Date()) =>
  c.status === "SNOOZED" && c.snoozedUntil && c.snoozedUntil <= now ? "OPEN" : c.status;

/** The send job's window (the adapter's `replyWindowTimes`) as times, so the composer can tell before sending. */
export function replyWindowOf(channelType: ChannelRow["type"] | null, lastInboundAt: Date | null): ReplyWindow | null {
  const times = channelType ? channelCapabilities(channelType)?.replyWindowTimes(lastInboundAt) : null;
  if (!times) return null;
  return { agentUntil: times.agentUntil?.toISOString() ?? null, botUntil: times.botUntil?.toISOString() ?? null };
}

export function conversationToDto(
  c: ConversationRow,
  related: {
    contact: ContactRow | null;
    channel: ChannelRow | null;
    chatbot: { id: string; name: string } | null;
    lastMessage: MessagePreviewRow | null;
  },
): ConversationDto {
  const last = related.lastMessage;
  const status = effectiveStatus(c);
  return {
    id: c.id,
    channel: related.channel
      ? {
          id: related.channel.id,
          type: related.channel.type,
          name: related.channel.name,
          maxTextLength: channelCapabilities(related.channel.type)?.maxTextLength ?? null,
          attachments: channelAttachments(related.channel.type),
        }
      : null,
    chatbotId: c.chatbotId,
    chatbot: related.chatbot,
    contact: related.contact ? contactToDto(related.contact) : null,
    status,
    snoozedUntil: status === "SNOOZED" ? (c.snoozedUntil?.toISOString() ?? null) : null,
    autoBot: c.autoBot,
    needsHuman: c.needsHuman,
    handoffReason: c.handoffReason,
    handoffAt: c.handoffAt?.toISOString() ?? null,
    assigneeId: c.assigneeId,
    tags: c.tags,
    notes: c.notes,
    unreadCount: c.unreadCount,
    lastMessage: last
      ? { id: last.id, role: last.role, kind: last.kind, text: last.text, createdAt: last.createdAt.toISOString() }
      : null,
    lastMessageAt: c.lastMessageAt.toISOString(),
    lastInboundAt: c.lastInboundAt?.toISOString() ?? null,
    replyWindow: replyWindowOf(related.channel?.type ?? null, c.lastInboundAt),
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

/**
 * Loads conversations with their contact, channel, chatbot and latest message, in the order of `ids`, in one
 * query: the latest message comes from a lateral subquery that reads the newest entry of
 * `message_conversation_created_idx` per conversation. SYSTEM events ("auto-bot turned off by …")
 * are not a preview: the row shows the latest thing someone wrote.
 */
export async function loadConversationDtos(db: Db, workspaceId: string, ids: string[]): Promise<ConversationDto[]> {
  if (ids.length === 0) return [];
  const last = db
    .select({
      id: messages.id,
      role: messages.role,
      kind: messages.kind,
      text: messages.text,
      createdAt: messages.createdAt,
    })
    .from(messages)
    .where(and(eq(messages.conversationId, conversations.id), ne(messages.kind, "event"), ne(messages.status, "draft")))
    .orderBy(desc(messages.createdAt), desc(messages.id))
    .limit(1)
    .as("last_message");
  const rows = await db
    .select({
      conversation: conversations,
      contact: contacts,
      channel: channels,
      chatbot: { id: chatbots.id, name: chatbots.name },
      lastMessage: { id: last.id, role: last.role, kind: last.kind, text: last.text, createdAt: last.createdAt },
    })
    .from(conversations)
    .leftJoin(contacts, eq(contacts.id, conversations.contactId))
    .leftJoin(channels, eq(channels.id, conversations.channelId))
    .leftJoin(chatbots, eq(chatbots.id, conversations.chatbotId))
    .leftJoinLateral(last, sql`true`)
    .where(and(eq(conversations.workspaceId, workspaceId), inArray(conversations.id, ids)));
  const byId = new Map(rows.map((r) => [r.conversation.id, r]));
  return ids.flatMap((id) => {
    const r = byId.get(id);
    return r ? [conversationToDto(r.conversation, r)] : [];
  });
}
