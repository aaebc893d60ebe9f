import { relations, sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { channels } from "./channels.ts";
import { chatbots, promptVersions } from "./chatbots.ts";
import { createdAt, idColumn, tstz, updatedAt } from "./columns.ts";
import { tsvector } from "./custom-types.ts";
import { members, workspaces } from "./identity.ts";
import { providerKind } from "./providers.ts";

/**
 * Contacts, conversations and messages: the inbox.
 *
 * One conversation per (channel, contact): a Messenger or LINE user has one continuous thread with a
 * page, so a new message to a CLOSED or SNOOZED conversation reopens it instead of starting another.
 * This makes ingestion a race-free upsert on that unique index (`targetWhere: not is_playground`).
 * Web and api channels key their contacts by visitor / session id, so the rule holds for them too.
 * Playground conversations have no channel and no contact (a CHECK enforces that only they may).
 *
 * Messages are unique on (channel_id, platform_message_id): the same webhook delivered twice, or
 * concurrently, inserts one row (`onConflictDoNothing`). Our own outbound messages get their platform
 * id after sending, and rows without one (NULL) never collide.
 */

export const conversationStatus = pgEnum("conversation_status", ["OPEN", "SNOOZED", "CLOSED"]);
export const messageRole = pgEnum("message_role", ["USER", "AGENT", "BOT", "SYSTEM"]);
export const messageKind = pgEnum("message_kind", ["text", "attachment", "note", "event"]);
export const messageStatus = pgEnum("message_status", [
  "received",
  "queued",
  "sending",
  "sent",
  "delivered",
  "read",
  "failed",
  "draft",
]);

export const contacts = pgTable(
  "contact",
  {
    id: idColumn("contact"),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    channelId: text("channel_id")
      .notNull()
      .references(() => channels.id, { onDelete: "cascade" }),
    /** PSID on Messenger, userId on LINE, visitor or session id on web and api. */
    platformUserId: text("platform_user_id").notNull(),
    name: text("name"),
    firstName: text("first_name"),
    lastName: text("last_name"),
    locale: text("locale"),
    timezone: text("timezone"),
    pictureUrl: text("picture_url"),
    email: text("email"),
    phone: text("phone"),
    metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
    profileFetchedAt: tstz("profile_fetched_at"),
    /** The customer's latest sign of life (message, delivery or read receipt, widget connection). */
    lastSeenAt: tstz("last_seen_at"),
    /** The person blocked or unfollowed the account (LINE `unfollow`); cleared when they follow again. */
    unfollowedAt: tstz("unfollowed_at"),
    erasedAt: tstz("erased_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("contact_channel_platform_user_key").on(t.channelId, t.platformUserId),
    index("contact_workspace_idx").on(t.workspaceId),
    // Inbox search: "name contains the text, any case" (pg_trgm; created only where the server offers
    // the extension, see migration 0002) or "the exact platform id", so the two can be OR-ed in a bitmap.
    // Both on the folded name (`tandem_fold`: lower case, accents removed, migration 0013), so "zoe" finds "Zoë".
    index("contact_name_trgm_idx").using("gin", sql`tandem_fold(${t.name}) gin_trgm_ops`),
    // The same for text pg_trgm cannot narrow (Thai, Japanese… under the C locale, which PGlite uses):
    // the name's character bigrams (`tandem_bigrams`, a SQL function created by migration 0002).
    index("contact_name_bigram_idx").using("gin", sql`tandem_bigrams(tandem_fold(${t.name}))`),
    index("contact_workspace_platform_user_idx").on(t.workspaceId, t.platformUserId),
  ],
);

export const conversations = pgTable(
  "conversation",
  {
    id: idColumn("conversation"),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    channelId: text("channel_id").references(() => channels.id, { onDelete: "cascade" }),
    chatbotId: text("chatbot_id").references(() => chatbots.id, { onDelete: "set null" }),
    contactId: text("contact_id").references(() => contacts.id, { onDelete: "cascade" }),
    status: conversationStatus("status").notNull().default("OPEN"),
    snoozedUntil: tstz("snoozed_until"),
    autoBot: boolean("auto_bot").notNull().default(true),
    needsHuman: boolean("needs_human").notNull().default(false),
    assigneeId: text("assignee_id").references(() => members.id, { onDelete: "set null" }),
    tags: text("tags").array().notNull().default(sql`'{}'::text[]`),
    notes: text("notes"),
    unreadCount: integer("unread_count").notNull().default(0),
    lastMessageAt: tstz("last_message_at").notNull().defaultNow(),
    lastMessagePreview: text("last_message_preview"),
    /** Last customer message: the start of Messenger's 24-hour window and LINE's reply-token freshness. */
    lastInboundAt: tstz("last_inbound_at"),
    summary: text("summary"),
    summaryMessageCount: integer("summary_message_count").notNull().default(0),
    consecutiveBotReplies: integer("consecutive_bot_replies").notNull().default(0),
    handoffAt: tstz("handoff_at"),
    handoffReason: text("handoff_reason"),
    /** Set when an agent replies; the bot stays silent until auto-bot is switched on again. */
    humanRepliedAt: tstz("human_replied_at"),
    isPlayground: boolean("is_playground").notNull().default(false),
    /** Web visitor session or public-API sessionId, for display and lookup. */
    externalSessionId: text("external_session_id"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    check(
      "conversation_channel_contact_check",
      sql`${t.isPlayground} or (${t.channelId} is not null and ${t.contactId} is not null)`,
    ),
    uniqueIndex("conversation_channel_contact_key").on(t.channelId, t.contactId).where(sql`not ${t.isPlayground}`),
    index("conversation_inbox_idx").on(t.workspaceId, t.lastMessageAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index("conversation_status_idx").on(t.workspaceId, t.status, t.lastMessageAt.desc().nullsFirst()),
    index("conversation_assignee_idx").on(t.workspaceId, t.assigneeId),
    index("conversation_tags_idx").using("gin", t.tags),
    index("conversation_contact_idx").on(t.contactId),
    index("conversation_chatbot_idx").on(t.chatbotId),
    // Analytics: the conversations started in a period (the deflection cohort).
    index("conversation_workspace_created_idx").on(t.workspaceId, t.createdAt),
  ],
);

export interface MessageAttachment {
  type: "image" | "video" | "audio" | "file" | "sticker" | "location" | "fallback";
  url: string;
  name?: string;
  mime?: string;
  /** Pixel size of an image, when known: the inbox reserves its box before it loads. */
  width?: number;
  height?: number;
  /** Bytes, when known. */
  size?: number;
  /** A file we keep (`med_…`, core `media/media-store.ts`): an agent's upload, or a customer's content fetched from the platform. */
  mediaId?: string;
}

export interface MessageUsage {
  inputTokens: number;
  outputTokens: number;
}

/** One FAQ entry or passage a bot answer was written from, with the scores that ranked it. */
/** A product card on a bot message: the same fields as contracts' `ProductCard`. */
export interface MessageProductCard {
  productId: string;
  title: string;
  priceText: string;
  price: string | null;
  currency: string | null;
  available: boolean;
  imageUrl: string | null;
  url: string | null;
  variantTitle: string | null;
}

export interface RetrievedSource {
  /** `faq:{n}` for an FAQ entry of the chatbot's settings, else the chunk id. */
  chunkId: string;
  kind?: "faq" | "passage";
  documentId?: string;
  sourceId?: string;
  title?: string;
  /** The 0–1 relevance the bot used. */
  score: number;
  /** The passage as it was when the answer was written. */
  content?: string;
  fullTextRank?: number | null;
  vectorSimilarity?: number | null;
  fusedScore?: number | null;
}

export const messages = pgTable(
  "message",
  {
    id: idColumn("message"),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    conversationId: text("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    /** Copied from the conversation so (channel_id, platform_message_id) can be unique. */
    channelId: text("channel_id").references(() => channels.id, { onDelete: "cascade" }),
    role: messageRole("role").notNull(),
    kind: messageKind("kind").notNull().default("text"),
    text: text("text"),
    attachments: jsonb("attachments").$type<MessageAttachment[]>().notNull().default([]),
    /** Quick-reply or postback payload. */
    payload: text("payload"),
    status: messageStatus("status").notNull(),
    platformMessageId: text("platform_message_id"),
    authorMemberId: text("author_member_id").references(() => members.id, { onDelete: "set null" }),
    /** An echo of a message sent from another tool (Meta Business Suite, LINE OA Manager). */
    sentFromOutside: boolean("sent_from_outside").notNull().default(false),
    replyToId: text("reply_to_id").references((): AnyPgColumn => messages.id, { onDelete: "set null" }),
    /**
     * Who spoke, when the conversation's contact is a group or room (LINE): each speaker is a contact of
     * their own. Null when the conversation's contact is the speaker.
     */
    senderContactId: text("sender_contact_id").references(() => contacts.id, { onDelete: "set null" }),
    /** The customer took the message back (LINE `unsend`): its content is removed, the row stays. */
    unsentAt: tstz("unsent_at"),
    provider: providerKind("provider"),
    model: text("model"),
    usage: jsonb("usage").$type<MessageUsage>(),
    latencyMs: integer("latency_ms"),
    promptVersionId: text("prompt_version_id").references(() => promptVersions.id, { onDelete: "set null" }),
    retrievedSources: jsonb("retrieved_sources").$type<RetrievedSource[]>(),
    /** Products a bot message recommends (`ProductCard`, contracts/shopify.ts): cards on channels that show them. */
    productCards: jsonb("product_cards").$type<MessageProductCard[]>(),
    errorCode: text("error_code"),
    errorMessage: text("error_message"),
    attempts: integer("attempts").notNull().default(0),
    reactions: jsonb("reactions").$type<Record<string, string>>().notNull().default({}),
    flagged: boolean("flagged").notNull().default(false),
    metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
    /**
     * The words of the text folded (lower case, no accents: "Zoë" is found by "zoe"), plus the character
     * bigrams of its Thai, Japanese and Chinese runs, which have no spaces to split words at
     * (`tandem_search_vector`, migration 0013; the query side is `core/conversations/search-text.ts`).
     */
    search: tsvector("search").generatedAlwaysAs(sql`tandem_search_vector(coalesce("text", ''))`),
    sentAt: tstz("sent_at"),
    deliveredAt: tstz("delivered_at"),
    readAt: tstz("read_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("message_channel_platform_id_key").on(t.channelId, t.platformMessageId),
    index("message_conversation_created_idx").on(t.conversationId, t.createdAt, t.id),
    index("message_workspace_created_idx").on(t.workspaceId, t.createdAt),
    // The message log's "failed" filter: failed sends are rare, so walking every message for them is slow.
    index("message_workspace_failed_idx").on(t.workspaceId, t.createdAt, t.id).where(sql`${t.status} = 'failed'`),
    index("message_search_idx").using("gin", t.search),
    // Analytics: whether a conversation was ever handed off or answered by a person (deflection), and
    // its handoffs (first-response waits). Few rows: people's replies and handoff events only.
    index("message_escalation_idx")
      .on(t.conversationId, t.createdAt)
      .where(
        sql`(${t.role} = 'AGENT' and ${t.kind} in ('text', 'attachment') and ${t.status} <> 'draft') or (${t.role} = 'SYSTEM' and ${t.kind} = 'event' and ${t.metadata} ->> 'event' = 'handoff')`,
      ),
  ],
);

export const contactsRelations = relations(contacts, ({ one, many }) => ({
  workspace: one(workspaces, { fields: [contacts.workspaceId], references: [workspaces.id] }),
  channel: one(channels, { fields: [contacts.channelId], references: [channels.id] }),
  conversations: many(conversations),
}));

export const conversationsRelations = relations(conversations, ({ one, many }) => ({
  workspace: one(workspaces, { fields: [conversations.workspaceId], references: [workspaces.id] }),
  channel: one(channels, { fields: [conversations.channelId], references: [channels.id] }),
  chatbot: one(chatbots, { fields: [conversations.chatbotId], references: [chatbots.id] }),
  contact: one(contacts, { fields: [conversations.contactId], references: [contacts.id] }),
  assignee: one(members, { fields: [conversations.assigneeId], references: [members.id] }),
  messages: many(messages),
}));

export const messagesRelations = relations(messages, ({ one }) => ({
  workspace: one(workspaces, { fields: [messages.workspaceId], references: [workspaces.id] }),
  conversation: one(conversations, { fields: [messages.conversationId], references: [conversations.id] }),
  channel: one(channels, { fields: [messages.channelId], references: [channels.id] }),
  author: one(members, { fields: [messages.authorMemberId], references: [members.id] }),
  replyTo: one(messages, { fields: [messages.replyToId], references: [messages.id] }),
  promptVersion: one(promptVersions, { fields: [messages.promptVersionId], references: [promptVersions.id] }),
}));
