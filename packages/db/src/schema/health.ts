import { relations } from "drizzle-orm";
import { index, pgEnum, pgTable, text } from "drizzle-orm/pg-core";
import { chatbots } from "./chatbots.ts";
import { createdAt, idColumn } from "./columns.ts";
import { workspaces } from "./identity.ts";
import { providerKind } from "./providers.ts";

/**
 * Chatbot health (seed S2 `chatbot_errors`): one row per failure that is final — a reply the bot
 * could not write (handed off instead), a message a channel did not take after its last attempt,
 * knowledge that could not be embedded. The health endpoint counts them per chatbot over the last
 * hour and day; the maintenance job deletes them after `CHATBOT_ERROR_RETENTION_DAYS`. `message`
 * is the failure's reason as the inbox shows it, truncated, never a secret or a stack.
 */

export const chatbotErrorKind = pgEnum("chatbot_error_kind", ["generation", "send", "retrieval", "embedding"]);

export const chatbotErrors = pgTable(
  "chatbot_error",
  {
    id: idColumn("chatbotError"),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    /** Null for a failed send in a conversation no chatbot serves. */
    chatbotId: text("chatbot_id").references(() => chatbots.id, { onDelete: "cascade" }),
    kind: chatbotErrorKind("kind").notNull(),
    /** `provider_rate_limited`, `token_expired`, `outside_messaging_window`, … */
    code: text("code").notNull(),
    message: text("message"),
    provider: providerKind("provider"),
    model: text("model"),
    // Plain ids, no foreign keys: a record of what happened, and deleting a conversation's messages
    // must not check this table once per message.
    channelId: text("channel_id"),
    conversationId: text("conversation_id"),
    messageId: text("message_id"),
    createdAt: createdAt(),
  },
  (t) => [
    // "The last hour / day of this chatbot" and its latest error.
    index("chatbot_error_chatbot_created_idx").on(t.chatbotId, t.createdAt),
    // Pruning by age.
    index("chatbot_error_created_idx").on(t.createdAt),
  ],
);

export const chatbotErrorsRelations = relations(chatbotErrors, ({ one }) => ({
  workspace: one(workspaces, { fields: [chatbotErrors.workspaceId], references: [workspaces.id] }),
  chatbot: one(chatbots, { fields: [chatbotErrors.chatbotId], references: [chatbots.id] }),
}));
