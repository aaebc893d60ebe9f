import { relations, sql } from "drizzle-orm";
import { index, pgEnum, pgTable, text } from "drizzle-orm/pg-core";
import { createdAt, idColumn, tstz } from "./columns.ts";
import { conversations, messages } from "./conversations.ts";
import { members, users, workspaces } from "./identity.ts";

export const notificationKind = pgEnum("notification_kind", ["mention", "moderation_escalated"]);

/**
 * What a member should see even if they were offline when it happened: being @mentioned in an
 * internal note, or (OWNERs) a flagged message escalated for review. Pushed live to the member's room and listed until read.
 */
export const notifications = pgTable(
  "notification",
  {
    id: idColumn("notification"),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    /** The member notified; their notifications go when they leave the workspace. */
    memberId: text("member_id")
      .notNull()
      .references(() => members.id, { onDelete: "cascade" }),
    kind: notificationKind("kind").notNull(),
    conversationId: text("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    messageId: text("message_id")
      .notNull()
      .references(() => messages.id, { onDelete: "cascade" }),
    /** Who mentioned them (null once that account is gone). */
    actorUserId: text("actor_user_id").references(() => users.id, { onDelete: "set null" }),
    readAt: tstz("read_at"),
    createdAt: createdAt(),
  },
  (t) => [index("notification_member_unread_idx").on(t.memberId, t.createdAt).where(sql`${t.readAt} is null`)],
);

export const notificationsRelations = relations(notifications, ({ one }) => ({
  member: one(members, { fields: [notifications.memberId], references: [members.id] }),
  message: one(messages, { fields: [notifications.messageId], references: [messages.id] }),
}));
