import type { VisitorMetadata } from "@tandem/contracts";
import { channels, contacts, conversations, type Db } from "@tandem/db";
import { and, asc, desc, eq, isNull, sql } from "drizzle-orm";
import type { ChatbotRow } from "../bots/chatbot-for.ts";
import { upsertContact } from "../contacts/upsert-contact.ts";

type ChannelRow = typeof channels.$inferSelect;
type ContactRow = typeof contacts.$inferSelect;

/**
 * A widget visitor's contact: on the chatbot's `web` channel (the oldest connected one; created on
 * first need, under a lock so two first visitors make one channel), keyed by the widget session id
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
  const find = async (q: Db) => {
    const [channel] = await q
      .select()
      .from(channels)
      .where(and(eq(channels.chatbotId, chatbot.id), eq(channels.type, "web"), isNull(channels.disconnectedAt)))
      .orderBy(asc(channels.createdAt), asc(channels.id))
      .limit(1);
    return channel;
  };
  const found = await find(db);
  if (found || !options.create) return found;
  return db.transaction(async (tx) => {
    // One web channel per chatbot, however many first visitors arrive at once.
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`web-channel:${chatbot.id}`}))`);
    const again = await find(tx as unknown as Db);
    if (again) return again;
    const [created] = await tx
      .insert(channels)
      .values({
        workspaceId: chatbot.workspaceId,
        chatbotId: chatbot.id,
        type: "web",
        name: `${chatbot.name} (website)`,
      })
      .returning();
    return created!;
  });
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
