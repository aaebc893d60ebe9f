import { z } from "zod";
import { page } from "./common.ts";
import { ChannelType, ContactDto, ConversationStatus, MessagePreview } from "./conversations.ts";

/** Bounds of the fields an agent edits on a contact. */
export const CONTACT_LIMITS = {
  name: 200,
  email: 254,
  phone: 32,
  attributeKey: 50,
  attributeValue: 500,
  attributes: 50,
};
const L = CONTACT_LIMITS;

/** Custom attributes: a key of letters, digits, `_` and `-`, a text value. */
const attributeKey = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]{0,49}$/, "a key starts with a letter and has letters, digits, _ or - (at most 50)");

const channelRef = z.object({ id: z.string(), type: ChannelType, name: z.string() }).nullable();

/** One of the person's conversations, for the side panel's "Conversations". */
export const ContactConversationDto = z.object({
  id: z.string(),
  /** The contact on that channel: this one, or one with the same e-mail or phone. */
  contactId: z.string(),
  status: ConversationStatus,
  channel: channelRef,
  assigneeId: z.string().nullable(),
  lastMessage: MessagePreview.nullable(),
  lastMessageAt: z.string(),
});
export type ContactConversationDto = z.infer<typeof ContactConversationDto>;

/**
 * `GET /api/v1/contacts/{id}`: the profile, what agents added, and the person's conversations (newest
 * first, 20): on this channel, and on others where a contact with the same e-mail or phone wrote.
 */
export const ContactDetailDto = ContactDto.extend({
  email: z.string().nullable(),
  phone: z.string().nullable(),
  attributes: z.record(z.string(), z.string()),
  channel: channelRef,
  createdAt: z.string(),
  conversations: z.array(ContactConversationDto),
});
export type ContactDetailDto = z.infer<typeof ContactDetailDto>;

/** A row of the contacts list. */
export const ContactListItem = ContactDto.extend({
  email: z.string().nullable(),
  phone: z.string().nullable(),
  channel: channelRef,
  conversationCount: z.number().int(),
  /** The newest conversation, to open from the list. */
  lastConversationId: z.string().nullable(),
  createdAt: z.string(),
});
export type ContactListItem = z.infer<typeof ContactListItem>;

/** `GET /api/v1/contacts`: newest first; `search` finds name (any case, accents aside), e-mail, phone or platform id. */
export const ContactListQuery = z.object({
  search: z.string().trim().max(200).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
export type ContactListQuery = z.infer<typeof ContactListQuery>;
export const ContactListResponse = page(ContactListItem);
export type ContactListResponse = z.infer<typeof ContactListResponse>;

/**
 * `PATCH /api/v1/contacts/{id}`: only the fields given change; `null` clears one. In `attributes`,
 * a key set to `null` is removed and the others are kept.
 */
export const UpdateContactInput = z
  .strictObject({
    name: z.string().trim().min(1, "enter a name").max(L.name).nullable(),
    email: z.string().trim().max(L.email).email("enter an e-mail address such as name@example.com").nullable(),
    phone: z
      .string()
      .trim()
      .regex(/^\+?[0-9 ().-]{4,32}$/, "enter a phone number: digits, spaces, + ( ) . -")
      .nullable(),
    attributes: z
      .record(
        attributeKey,
        z.string().trim().max(L.attributeValue, `at most ${L.attributeValue} characters`).nullable(),
      )
      .refine((a) => Object.keys(a).length <= L.attributes, `at most ${L.attributes} attributes`),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, "Nothing to update");
export type UpdateContactInput = z.infer<typeof UpdateContactInput>;
