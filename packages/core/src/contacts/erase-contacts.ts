import { contacts, conversations, type Db, messages } from "@tandem/db";
import { and, eq, inArray, type SQL, sql } from "drizzle-orm";

export interface ErasedContacts {
  contacts: { id: string; workspaceId: string }[];
  threads: { id: string; workspaceId: string }[];
  /** USER messages whose content was erased. */
  messages: number;
}

/**
 * Erases the contacts `where` selects, in the caller's transaction, when a person asks for their
 * data to be deleted (Meta's data-deletion callback, Shopify's `customers/redact`): the profile
 * fields (name, picture, locale, e-mail, phone, metadata) are cleared and `erased_at` set; the text,
 * attachments and payloads of the messages they sent are erased — the thread keeps its shape and our
 * replies, so agents still see that a conversation happened — and so are the conversations' previews
 * and rolling summaries (written from what they said). Platform-specific leftovers (Messenger's
 * reactions and raw webhook entries) are the caller's.
 */
export async function eraseContacts(tx: Db, where: SQL): Promise<ErasedContacts> {
  const erased = await tx
    .update(contacts)
    .set({
      name: null,
      firstName: null,
      lastName: null,
      pictureUrl: null,
      locale: null,
      lastSeenAt: null,
      timezone: null,
      email: null,
      phone: null,
      metadata: {},
      erasedAt: sql`now()`,
    })
    .where(where)
    .returning({ id: contacts.id, workspaceId: contacts.workspaceId });
  if (erased.length === 0) return { contacts: [], threads: [], messages: 0 };
  const threads = await tx
    .select({ id: conversations.id, workspaceId: conversations.workspaceId })
    .from(conversations)
    .where(
      inArray(
        conversations.contactId,
        erased.map((c) => c.id),
      ),
    );
  if (threads.length === 0) return { contacts: erased, threads, messages: 0 };
  const threadIds = threads.map((t) => t.id);
  const erasedMessages = await tx
    .update(messages)
    .set({ text: null, attachments: [], payload: null })
    .where(and(inArray(messages.conversationId, threadIds), eq(messages.role, "USER")))
    .returning({ id: messages.id });
  await tx
    .update(conversations)
    .set({ lastMessagePreview: null, summary: null, summaryMessageCount: 0 })
    .where(inArray(conversations.id, threadIds));
  return { contacts: erased, threads, messages: erasedMessages.length };
}
