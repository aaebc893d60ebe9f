import { relations, sql } from "drizzle-orm";
import { boolean, index, integer, jsonb, pgEnum, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { chatbots } from "./chatbots.ts";
import { createdAt, idColumn, tstz, updatedAt } from "./columns.ts";
import { workspaces } from "./identity.ts";

/**
 * Channels (a Facebook Page, a LINE official account, a website widget, a public API endpoint) and
 * the raw webhook events they receive. Every webhook body is stored before it is answered, including
 * events for pages nobody connected, so nothing is lost if processing fails or the process dies.
 *
 * Secrets live in one envelope string from core/secrets (the JSON of `{ pageAccessToken }` or
 * `{ channelSecret, channelAccessToken }`); `secretHints` keeps the masked hints the dashboard shows.
 * A platform account can be connected once at a time: (type, external_id) is unique among channels
 * that are not disconnected, so a page can move to another workspace after a disconnect.
 */

export const channelType = pgEnum("channel_type", ["messenger", "line", "web", "api"]);
export const channelStatus = pgEnum("channel_status", ["active", "reconnect_needed", "disconnected", "error"]);
export const inboundEventStatus = pgEnum("inbound_event_status", [
  "pending",
  "processing",
  "processed",
  "failed",
  "ignored",
]);
export const dataDeletionStatus = pgEnum("data_deletion_status", ["pending", "completed", "failed"]);

export const channels = pgTable(
  "channel",
  {
    id: idColumn("channel"),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    chatbotId: text("chatbot_id").references(() => chatbots.id, { onDelete: "set null" }),
    type: channelType("type").notNull(),
    name: text("name").notNull(),
    /** Facebook Page id or LINE channel id; null for web and api channels. */
    externalId: text("external_id"),
    secretsEncrypted: text("secrets_encrypted"),
    secretHints: jsonb("secret_hints").$type<Record<string, string>>().notNull().default({}),
    config: jsonb("config").$type<Record<string, unknown>>().notNull().default({}),
    status: channelStatus("status").notNull().default("active"),
    statusReason: text("status_reason"),
    subscribed: boolean("subscribed").notNull().default(false),
    subscribedFields: text("subscribed_fields").array().notNull().default(sql`'{}'::text[]`),
    lastEventAt: tstz("last_event_at"),
    eventsReceived: integer("events_received").notNull().default(0),
    eventsFailed: integer("events_failed").notNull().default(0),
    signatureRejections: integer("signature_rejections").notNull().default(0),
    lastSignatureRejectionAt: tstz("last_signature_rejection_at"),
    retries: integer("retries").notNull().default(0),
    disconnectedAt: tstz("disconnected_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("channel_workspace_idx").on(t.workspaceId),
    index("channel_chatbot_idx").on(t.chatbotId),
    uniqueIndex("channel_type_external_id_key")
      .on(t.type, t.externalId)
      .where(sql`${t.externalId} is not null and ${t.disconnectedAt} is null`),
  ],
);

export const inboundEvents = pgTable(
  "inbound_event",
  {
    id: idColumn("inboundEvent"),
    channelId: text("channel_id").references(() => channels.id, { onDelete: "set null" }),
    workspaceId: text("workspace_id").references(() => workspaces.id, { onDelete: "cascade" }),
    source: channelType("source").notNull(),
    /** Page id / LINE destination the platform addressed, kept even when no channel matches. */
    externalId: text("external_id"),
    payload: jsonb("payload").notNull(),
    /** The platform's id of this delivery (LINE's `webhookEventId`): a redelivery is stored once. */
    dedupeKey: text("dedupe_key"),
    signatureOk: boolean("signature_ok").notNull(),
    status: inboundEventStatus("status").notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    error: text("error"),
    receivedAt: tstz("received_at").notNull().defaultNow(),
    processedAt: tstz("processed_at"),
  },
  (t) => [
    index("inbound_event_status_received_idx").on(t.status, t.receivedAt),
    index("inbound_event_channel_received_idx").on(t.channelId, t.receivedAt),
    index("inbound_event_workspace_received_idx").on(t.workspaceId, t.receivedAt),
    uniqueIndex("inbound_event_source_dedupe_key").on(t.source, t.dedupeKey).where(sql`${t.dedupeKey} is not null`),
  ],
);

/** Meta's data-deletion callback: app-level, so not tied to a workspace until it is processed. */
export const dataDeletionRequests = pgTable(
  "data_deletion_request",
  {
    id: idColumn("dataDeletion"),
    platform: channelType("platform").notNull(),
    platformUserId: text("platform_user_id").notNull(),
    confirmationCode: text("confirmation_code").notNull(),
    status: dataDeletionStatus("status").notNull().default("pending"),
    details: jsonb("details").$type<Record<string, unknown>>().notNull().default({}),
    requestedAt: tstz("requested_at").notNull().defaultNow(),
    completedAt: tstz("completed_at"),
  },
  (t) => [
    uniqueIndex("data_deletion_request_confirmation_code_key").on(t.confirmationCode),
    index("data_deletion_request_user_idx").on(t.platform, t.platformUserId),
  ],
);

/**
 * The app-level webhook's verification handshake (Meta's `hub.challenge` GET), one row per platform:
 * when it last passed and when it last failed and why, so the channels page can say whether Meta (or
 * the "Test verification" button) reached this server with the right verify token.
 */
export const webhookVerifications = pgTable("webhook_verification", {
  platform: channelType("platform").primaryKey(),
  lastVerifiedAt: tstz("last_verified_at"),
  lastFailureAt: tstz("last_failure_at"),
  lastFailureReason: text("last_failure_reason"),
  updatedAt: updatedAt(),
});

export const channelsRelations = relations(channels, ({ one, many }) => ({
  workspace: one(workspaces, { fields: [channels.workspaceId], references: [workspaces.id] }),
  chatbot: one(chatbots, { fields: [channels.chatbotId], references: [chatbots.id] }),
  inboundEvents: many(inboundEvents),
}));

export const inboundEventsRelations = relations(inboundEvents, ({ one }) => ({
  channel: one(channels, { fields: [inboundEvents.channelId], references: [channels.id] }),
  workspace: one(workspaces, { fields: [inboundEvents.workspaceId], references: [workspaces.id] }),
}));
