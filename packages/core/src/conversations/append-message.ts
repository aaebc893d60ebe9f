import { conversations, type Db, type MessageAttachment, messages } from "@tandem/db";
import { eq, type SQL, sql } from "drizzle-orm";
import { truncateText } from "../storable-text.ts";

type MessageRow = typeof messages.$inferSelect;
type ConversationRow = typeof conversations.$inferSelect;
/** `id` may be given when the caller needs it before the row exists (the playground's question). */
export type NewMessage = Omit<typeof messages.$inferInsert, "workspaceId" | "conversationId" | "channelId">;
/** Conversation columns set together with the insert: values or SQL (counters, flags). */
export type ConversationChanges = { [K in keyof typeof conversations.$inferInsert]?: unknown | SQL };

/** The inbox shows this many characters of the latest message. */
export const PREVIEW_LENGTH = 140;

/**
 * Every message of a thread is written here: customer messages, echoes, agent replies and notes, bot
 * replies and drafts, system events. One rule for what moves the conversation: a text or attachment
 * that is not a draft becomes its latest message (`last_message_at`, and the preview when it is at
 * least as recent as the current latest); notes, events and drafts do not. The conversation's own
 * changes (`set`: unread count, counters, flags) are written with it, and only when a row was really
 * inserted: with `ignoreDuplicate`, a platform message already stored (unique on channel + platform
 * id) inserts nothing and changes nothing, which makes ingestion idempotent.
 *
 * Runs in the caller's transaction when `db` is one; publishes nothing (the caller does, after commit).
 */
export async function appendMessage(
  db: Db,
  conversation: { id: string; workspaceId: string; channelId: string | null },
  values: NewMessage,
  options: { set?: ConversationChanges; ignoreDuplicate?: boolean } = {},
): Promise<{ message: MessageRow | null; conversation: ConversationRow | null }> {
  const insert = db.insert(messages).values({
    ...values,
    workspaceId: conversation.workspaceId,
    conversationId: conversation.id,
    channelId: conversation.channelId,
  });
  const [message] = await (options.ignoreDuplicate
    ? insert.onConflictDoNothing({ target: [messages.channelId, messages.platformMessageId] })
    : insert
  ).returning();
  if (!message) return { message: null, conversation: null };

  const changes = { ...(movesLatest(message) ? latestFields(message) : {}), ...options.set };
  if (Object.keys(changes).length === 0) return { message, conversation: null };
  const [updated] = await db
    .update(conversations)
    .set(changes as Partial<typeof conversations.$inferInsert>)
    .where(eq(conversations.id, conversation.id))
    .returning();
  return { message, conversation: updated ?? null };
}

/** A text or attachment that is not a draft: what the inbox lists a conversation by. */
function movesLatest(message: MessageRow): boolean {
  return (message.kind === "text" || message.kind === "attachment") && message.status !== "draft";
}

/** Latest-message fields, moved only by a message at least as recent as the current latest. */
function latestFields(message: MessageRow) {
  const iso = message.createdAt.toISOString();
  const newer = sql`${iso}::timestamptz >= ${conversations.lastMessageAt}`;
  return {
    lastMessageAt: sql`greatest(${conversations.lastMessageAt}, ${iso}::timestamptz)`,
    lastMessagePreview: sql`case when ${newer} then ${previewOf(message.text, message.attachments)}::text else ${conversations.lastMessagePreview} end`,
  };
}

/** The inbox preview: the text's first `PREVIEW_LENGTH` characters, else the first attachment's kind. */
export function previewOf(text: string | null, attachments: MessageAttachment[]): string | null {
  if (text) return text.length > PREVIEW_LENGTH ? `${truncateText(text, PREVIEW_LENGTH - 1)}…` : text;
  const first = attachments[0];
  return first ? `[${first.type}]` : null;
}
