import type { ContactDetailDto, ContactListQuery, ContactListResponse, UpdateContactInput } from "@tandem/contracts";
import { channels, contacts, conversations, messages } from "@tandem/db";
import { and, desc, eq, inArray, or, type SQL, sql } from "drizzle-orm";
import { recordAudit } from "../audit/record-audit.ts";
import { type Ctx, withTransaction } from "../context.ts";
import { cursorTimestamp, decodeCursor, olderThan, pageOf } from "../conversations/cursor.ts";
import { escapeLike, foldText } from "../conversations/search-text.ts";
import { contactToDto, effectiveStatus } from "../conversations/to-dto.ts";
import { DomainError } from "../errors.ts";
import { assertActorCan } from "../members/guard.ts";

/** The contact's conversations shown in the side panel. */
const CONVERSATIONS_SHOWN = 20;

type ContactRow = typeof contacts.$inferSelect;

/** Custom attributes live in `metadata.attributes` (text values only). */
function attributesOf(contact: Pick<ContactRow, "metadata">): Record<string, string> {
  const raw = contact.metadata.attributes;
  if (!raw || typeof raw !== "object") return {};
  return Object.fromEntries(Object.entries(raw).filter((e): e is [string, string] => typeof e[1] === "string"));
}

async function contactInWorkspace(ctx: Pick<Ctx, "db" | "workspaceId">, contactId: string, forUpdate = false) {
  const query = ctx.db
    .select()
    .from(contacts)
    .where(and(eq(contacts.id, contactId), eq(contacts.workspaceId, ctx.workspaceId)))
    .limit(1);
  const [row] = forUpdate ? await query.for("update") : await query;
  if (!row) throw new DomainError("contact_not_found", "Contact not found");
  return row;
}

/**
 * A contact with what agents added and their conversations (newest first), for the side panel: on
 * this channel, and on the others where a contact with the same e-mail or phone wrote.
 */
export async function getContact(ctx: Ctx, contactId: string): Promise<ContactDetailDto> {
  assertActorCan(ctx, "conversations.work");
  const contact = await contactInWorkspace(ctx, contactId);
  const [channel] = await ctx.db
    .select({ id: channels.id, type: channels.type, name: channels.name })
    .from(channels)
    .where(eq(channels.id, contact.channelId));
  // The same person elsewhere: a contact is one per channel, so their other conversations are those
  // of the workspace's contacts that share their e-mail or phone (once someone has filled it in).
  const samePerson: SQL[] = [eq(contacts.id, contact.id)];
  if (contact.email) samePerson.push(sql`lower(${contacts.email}) = ${contact.email.toLowerCase()}`);
  if (contact.phone) {
    samePerson.push(sql`regexp_replace(${contacts.phone}, '\\D', '', 'g') = ${contact.phone.replace(/\D/g, "")}`);
  }
  const rows = await ctx.db
    .select({
      conversation: conversations,
      channel: { id: channels.id, type: channels.type, name: channels.name },
    })
    .from(conversations)
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .leftJoin(channels, eq(channels.id, conversations.channelId))
    .where(
      and(
        eq(conversations.workspaceId, ctx.workspaceId),
        eq(contacts.workspaceId, ctx.workspaceId),
        or(...samePerson),
        eq(conversations.isPlayground, false),
      ),
    )
    .orderBy(desc(conversations.lastMessageAt), desc(conversations.id))
    .limit(CONVERSATIONS_SHOWN);
  // The newest message of each (internal events aside), in one query.
  const ids = rows.map((r) => r.conversation.id);
  const lastMessages =
    ids.length === 0
      ? []
      : await ctx.db
          .selectDistinctOn([messages.conversationId], {
            conversationId: messages.conversationId,
            id: messages.id,
            role: messages.role,
            kind: messages.kind,
            text: messages.text,
            createdAt: messages.createdAt,
          })
          .from(messages)
          .where(
            and(
              eq(messages.workspaceId, ctx.workspaceId),
              inArray(messages.conversationId, ids),
              sql`${messages.kind} <> 'event'`,
            ),
          )
          .orderBy(messages.conversationId, desc(messages.createdAt), desc(messages.id));
  const lastOf = new Map(lastMessages.map((m) => [m.conversationId, m]));
  return {
    ...contactToDto(contact),
    email: contact.email,
    phone: contact.phone,
    attributes: attributesOf(contact),
    channel: channel ?? null,
    createdAt: contact.createdAt.toISOString(),
    conversations: rows.map(({ conversation: c, channel: via }) => ({
      id: c.id,
      contactId: c.contactId!,
      status: effectiveStatus(c),
      channel: via?.id ? via : null,
      assigneeId: c.assigneeId,
      lastMessage: lastOf.has(c.id)
        ? (({ conversationId: _, createdAt, ...m }) => ({ ...m, createdAt: createdAt.toISOString() }))(
            lastOf.get(c.id)!,
          )
        : null,
      lastMessageAt: c.lastMessageAt.toISOString(),
    })),
  };
}

/**
 * Agents correct or complete what the platform told about a customer: name, e-mail, phone and
 * custom attributes (a key set to null is removed). Audited as `contact.update`, with the fields
 * before and after. An erased contact (data deletion) cannot be filled in again.
 */
export async function updateContact(ctx: Ctx, contactId: string, input: UpdateContactInput): Promise<ContactDetailDto> {
  assertActorCan(ctx, "conversations.work");
  await withTransaction(ctx, async (tx) => {
    const before = await contactInWorkspace(tx, contactId, true);
    if (before.erasedAt) {
      throw new DomainError("invalid_input", "This contact's data was erased at their request: it cannot be edited");
    }
    const set: Partial<typeof contacts.$inferInsert> = {};
    if (input.name !== undefined) set.name = input.name;
    if (input.email !== undefined) set.email = input.email?.toLowerCase() ?? null;
    if (input.phone !== undefined) set.phone = input.phone;
    let attributes = attributesOf(before);
    if (input.attributes) {
      attributes = { ...attributes };
      for (const [key, value] of Object.entries(input.attributes)) {
        if (value === null) delete attributes[key];
        else attributes[key] = value;
      }
      if (Object.keys(attributes).length > 50) {
        throw new DomainError("invalid_input", "A contact has at most 50 custom attributes", {
          details: [{ path: "attributes", message: "at most 50 attributes" }],
        });
      }
      set.metadata = { ...before.metadata, attributes };
    }
    await tx.db.update(contacts).set(set).where(eq(contacts.id, before.id));
    await recordAudit(tx, {
      action: "contact.update",
      entityType: "contact",
      entityId: before.id,
      before: { name: before.name, email: before.email, phone: before.phone, attributes: attributesOf(before) },
      after: {
        name: set.name !== undefined ? set.name : before.name,
        email: set.email !== undefined ? set.email : before.email,
        phone: set.phone !== undefined ? set.phone : before.phone,
        attributes,
      },
    });
  });
  return getContact(ctx, contactId);
}

/**
 * The contacts page: newest first, keyset-paginated; `search` finds the name (folded: any case, no
 * accents), the e-mail, the phone (digits) or the exact platform id.
 */
export async function listContacts(ctx: Ctx, query: ContactListQuery): Promise<ContactListResponse> {
  assertActorCan(ctx, "conversations.work");
  const where: SQL[] = [eq(contacts.workspaceId, ctx.workspaceId)];
  const search = query.search?.trim();
  if (search) {
    const folded = `%${escapeLike(foldText(search))}%`;
    const digits = search.replace(/\D/g, "");
    const matches: SQL[] = [
      sql`tandem_fold(${contacts.name}) like ${folded}`,
      sql`lower(${contacts.email}) like ${folded}`,
      eq(contacts.platformUserId, search),
    ];
    if (digits.length >= 3) matches.push(sql`regexp_replace(${contacts.phone}, '\\D', '', 'g') like ${`%${digits}%`}`);
    where.push(or(...matches)!);
  }
  if (query.cursor) where.push(olderThan(contacts.createdAt, contacts.id, decodeCursor(query.cursor)));
  const limit = query.limit ?? 50;
  const rows = await ctx.db
    .select({
      contact: contacts,
      cursorAt: cursorTimestamp(contacts.createdAt),
      channel: { id: channels.id, type: channels.type, name: channels.name },
      conversationCount: sql<number>`(select count(*)::int from ${conversations} c where c.contact_id = ${contacts.id} and not c.is_playground)`,
      lastConversationId: sql<
        string | null
      >`(select c.id from ${conversations} c where c.contact_id = ${contacts.id} and not c.is_playground order by c.last_message_at desc, c.id desc limit 1)`,
    })
    .from(contacts)
    .leftJoin(channels, eq(channels.id, contacts.channelId))
    .where(and(...where))
    .orderBy(desc(contacts.createdAt), desc(contacts.id))
    .limit(limit + 1);
  const page = pageOf(
    rows.map((r) => ({ ...r, id: r.contact.id })),
    limit,
  );
  return {
    data: page.rows.map((r) => ({
      ...contactToDto(r.contact),
      email: r.contact.email,
      phone: r.contact.phone,
      channel: r.channel?.id ? r.channel : null,
      conversationCount: r.conversationCount,
      lastConversationId: r.lastConversationId,
      createdAt: r.contact.createdAt.toISOString(),
    })),
    nextCursor: page.nextCursor,
  };
}
