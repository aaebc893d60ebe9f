import type { VisitorMetadata } from "@tandem/contracts";
import { type channels, contacts, conversations, type Db } from "@tandem/db";
import { and, desc, eq, sql } from "drizzle-orm";
import type { ChatbotRow } from "../bots/chatbot-for.ts";
import { upsertContact } from "../contacts/upsert-contact.ts";
import { findPublicChannel, publicChannel } from "./public-channel.ts";

type ChannelRow = typeof channels.$inferSelect;
type ContactRow = typeof contacts.$inferSelect;

/**
 * A widget visitor's contact: on the chatbot's `web` channel (`publicChannel`, the one the public chat
 * routes store the visitor's messages on; created on first need), keyed by the widget session id
 * (`ws_…`) as its platform id. The widget gateway writes `contact.metadata.visitor`
 * (`VisitorMetadata`: page, browser, presence, identity) through `updateVisitor`.
 */

export async function widgetChannel(db: Db, chatbot: ChatbotRow, options: { create: true }): Promise<ChannelRow>;
export async function widgetChannel(
  db: Db,
  chatbot: ChatbotRow,
  options?: { create?: boolean },
): Promise<ChannelRow | undefined>;
export async function widgetChannel(db: Db, chatbot: ChatbotRow, options: { create?: boolean } = {}) {
  if (options.create) return publicChannel(db, chatbot, "web");
  return (await findPublicChannel(db, chatbot.id, "web")) ?? undefined;
}

/** The session's contact; with `create`, the channel and contact are made if they do not exist yet. */
export async function widgetContact(
  db: Db,
  chatbot: ChatbotRow,
  sessionId: string,
  options: { create: true },
): Promise<ContactRow>;
export async function widgetContact(
  db: Db,
  chatbot: ChatbotRow,
  sessionId: string,
  options?: { create?: boolean },
): Promise<ContactRow | undefined>;
export async function widgetContact(
  db: Db,
  chatbot: ChatbotRow,
  sessionId: string,
  options: { create?: boolean } = {},
): Promise<ContactRow | undefined> {
  if (options.create) return upsertContact(db, await widgetChannel(db, chatbot, { create: true }), sessionId);
  const channel = await widgetChannel(db, chatbot);
  if (!channel) return undefined;
  const [contact] = await db
    .select()
    .from(contacts)
    .where(and(eq(contacts.channelId, channel.id), eq(contacts.platformUserId, sessionId)))
    .limit(1);
  return contact;
}

/** What `contact.metadata.visitor` holds (an absent or malformed value reads as empty). */
export function visitorMetadata(contact: Pick<ContactRow, "metadata"> | undefined): VisitorMetadata {
  const value = contact?.metadata?.visitor;
  return value && typeof value === "object" && !Array.isArray(value) ? (value as VisitorMetadata) : {};
}

/**
 * Merges `patch` into `contact.metadata.visitor` (other metadata keys and other visitor fields are
 * kept), and sets the contact's own columns given in `columns`, in one statement.
 */
export async function updateVisitor(
  db: Db,
  contactId: string,
  patch: VisitorMetadata,
  columns: { name?: string; email?: string; lastSeenAt?: Date } = {},
): Promise<ContactRow> {
  const [row] = await db
    .update(contacts)
    .set({
      metadata: sql`jsonb_set(${contacts.metadata}, '{visitor}', coalesce(${contacts.metadata}->'visitor', '{}'::jsonb) || ${JSON.stringify(patch)}::jsonb)`,
      ...(columns.name !== undefined ? { name: columns.name } : {}),
      ...(columns.email !== undefined ? { email: columns.email } : {}),
      ...(columns.lastSeenAt
        ? { lastSeenAt: sql`greatest(${contacts.lastSeenAt}, ${columns.lastSeenAt.toISOString()}::timestamptz)` }
        : {}),
      updatedAt: sql`now()`,
    })
    .where(eq(contacts.id, contactId))
    .returning();
  return row!;
}

/** The contact's latest conversation, if it has one (what agents see of the visitor). */
export async function latestConversationId(db: Db, contactId: string): Promise<string | undefined> {
  const [row] = await db
    .select({ id: conversations.id })
    .from(conversations)
    .where(eq(conversations.contactId, contactId))
    .orderBy(desc(conversations.lastMessageAt), desc(conversations.id))
    .limit(1);
  return row?.id;
}
