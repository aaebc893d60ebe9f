import { channels, contacts, conversations, type Db } from "@tandem/db";
import { and, eq, isNull, not } from "drizzle-orm";
import type { ChatbotRow } from "../bots/chatbot-for.ts";
import { upsertContact } from "../contacts/upsert-contact.ts";
import { upsertConversation } from "../conversations/upsert-conversation.ts";
import { type PublicChannelKind, type PublicChannelRow, publicChannel } from "./public-channel.ts";
import { feedbackIdentifier } from "./public-message.ts";

/**
 * One customer session of the public chat routes: a widget visitor's (`web`, the token's `ws_…` id) or
 * an API caller's (`api`, the developer's own id). A session is a contact of the chatbot's channel of
 * that kind (`platformUserId` = the session id), with one conversation — the inbox's, like any other.
 */
export interface PublicSession {
  chatbot: ChatbotRow;
  kind: PublicChannelKind;
  sessionId: string;
}

type ConversationRow = typeof conversations.$inferSelect;

export interface SessionConversation {
  channel: PublicChannelRow;
  contactId: string;
  conversation: ConversationRow;
}

/** The session's conversation, or null when the session has not written yet. */
export async function findSessionConversation(db: Db, session: PublicSession): Promise<SessionConversation | null> {
  const [row] = await db
    .select({ channel: channels, contactId: contacts.id, conversation: conversations })
    .from(channels)
    .innerJoin(contacts, and(eq(contacts.channelId, channels.id), eq(contacts.platformUserId, session.sessionId)))
    .innerJoin(
      conversations,
      and(
        eq(conversations.channelId, channels.id),
        eq(conversations.contactId, contacts.id),
        not(conversations.isPlayground),
      ),
    )
    .where(
      and(
        eq(channels.type, session.kind),
        eq(channels.externalId, session.chatbot.id),
        isNull(channels.disconnectedAt),
      ),
    )
    .limit(1);
  return row ?? null;
}

/** The session's conversation, created (channel, contact, conversation) when it has none yet. */
export async function openSessionConversation(db: Db, session: PublicSession): Promise<SessionConversation> {
  const found = await findSessionConversation(db, session);
  if (found) return found;
  const channel = await publicChannel(db, session.chatbot, session.kind);
  return db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db;
    const contact = await upsertContact(tx, channel, session.sessionId, { seenAt: new Date() });
    const conversation = await upsertConversation(tx, channel, contact, new Date());
    return { channel, contactId: contact.id, conversation };
  });
}

/** The session's name on its feedback rows. */
export const sessionIdentifier = (session: PublicSession) => feedbackIdentifier(session.kind, session.sessionId);
