import { relations, sql } from "drizzle-orm";
import { boolean, index, pgEnum, pgTable, real, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, idColumn, tstz, updatedAt } from "./columns.ts";
import { conversations, messages } from "./conversations.ts";
import { members, users, workspaces } from "./identity.ts";

/**
 * Answer quality: feedback from visitors and agents on bot messages, and moderation flags raised by
 * the guardrails or by a member, reviewed in a queue. One feedback per message and identifier, so a
 * visitor changing their mind is an upsert, not a second vote.
 */

export const feedbackRating = pgEnum("feedback_rating", ["helpful", "not_helpful", "inappropriate"]);
export const moderationSource = pgEnum("moderation_source", ["automated", "member"]);
export const moderationDecision = pgEnum("moderation_decision", ["approved", "removed", "escalated"]);

export const feedback = pgTable(
  "feedback",
  {
    id: idColumn("feedback"),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    messageId: text("message_id")
      .notNull()
      .references(() => messages.id, { onDelete: "cascade" }),
    conversationId: text("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    rating: feedbackRating("rating").notNull(),
    comment: text("comment"),
    /** Who rated: `visitor:{id}`, `contact:{id}` or `user:{id}`. */
    identifier: text("identifier").notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("feedback_message_identifier_key").on(t.messageId, t.identifier),
    index("feedback_workspace_created_idx").on(t.workspaceId, t.createdAt),
  ],
);

export const moderationFlags = pgTable(
  "moderation_flag",
  {
    id: idColumn("moderationFlag"),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    messageId: text("message_id")
      .notNull()
      .references(() => messages.id, { onDelete: "cascade" }),
    conversationId: text("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    /** `profanity`, `spam`, `security_risk`, `inappropriate`, … */
    flagType: text("flag_type").notNull(),
    source: moderationSource("source").notNull(),
    flaggedByMemberId: text("flagged_by_member_id").references(() => members.id, { onDelete: "set null" }),
    reason: text("reason"),
    confidence: real("confidence"),
    reviewed: boolean("reviewed").notNull().default(false),
    reviewedById: text("reviewed_by_id").references(() => users.id, { onDelete: "set null" }),
    decision: moderationDecision("decision"),
    /** The reviewer's note with the decision. */
    reviewNote: text("review_note"),
    reviewedAt: tstz("reviewed_at"),
    createdAt: createdAt(),
  },
  (t) => [
    index("moderation_flag_queue_idx").on(t.workspaceId, t.reviewed, t.createdAt),
    index("moderation_flag_message_idx").on(t.messageId),
    // The detectors raise one flag per message and type, however often a message is checked.
    uniqueIndex("moderation_flag_automated_key").on(t.messageId, t.flagType).where(sql`${t.source} = 'automated'`),
  ],
);

export const feedbackRelations = relations(feedback, ({ one }) => ({
  message: one(messages, { fields: [feedback.messageId], references: [messages.id] }),
  conversation: one(conversations, { fields: [feedback.conversationId], references: [conversations.id] }),
}));

export const moderationFlagsRelations = relations(moderationFlags, ({ one }) => ({
  message: one(messages, { fields: [moderationFlags.messageId], references: [messages.id] }),
  conversation: one(conversations, { fields: [moderationFlags.conversationId], references: [conversations.id] }),
  flaggedBy: one(members, { fields: [moderationFlags.flaggedByMemberId], references: [members.id] }),
  reviewedBy: one(users, { fields: [moderationFlags.reviewedById], references: [users.id] }),
}));
