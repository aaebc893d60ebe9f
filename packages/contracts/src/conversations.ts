import { z } from "zod";
import { page } from "./common.ts";
import { MessageSourceDto } from "./knowledge.ts";
import { VisitorPresenceDto } from "./public-chat.ts";
import { ProductCard } from "./shopify.ts";

export const ConversationStatus = z.enum(["OPEN", "SNOOZED", "CLOSED"]);
export type ConversationStatus = z.infer<typeof ConversationStatus>;
export const MessageRole = z.enum(["USER", "AGENT", "BOT", "SYSTEM"]);
export type MessageRole = z.infer<typeof MessageRole>;
export const MessageKind = z.enum(["text", "attachment", "note", "event"]);
export const MessageStatus = z.enum(["received", "queued", "sending", "sent", "delivered", "read", "failed", "draft"]);
export type MessageStatus = z.infer<typeof MessageStatus>;
export const ChannelType = z.enum(["messenger", "line", "web", "api"]);
export type ChannelType = z.infer<typeof ChannelType>;

export const AttachmentDto = z.object({
  type: z.string(),
  url: z.string(),
  name: z.string().optional(),
  mime: z.string().optional(),
  /** Pixel size of an image, when the channel tells it: the inbox reserves its box before it loads. */
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
  /** Bytes, when known (files agents send). */
  size: z.number().int().nonnegative().optional(),
});
export type AttachmentDto = z.infer<typeof AttachmentDto>;

/** What an agent can attach: `file` is anything else the channel takes (a PDF, a zip…). */
export const AttachmentKind = z.enum(["image", "video", "audio", "file"]);
export type AttachmentKind = z.infer<typeof AttachmentKind>;

/** One kind of attachment a channel takes from an agent, with the content types and size the platform accepts. */
export const AttachmentRule = z.object({
  kind: AttachmentKind,
  /** Accepted content types (`image/png`); null: any type (a `file`). */
  mimes: z.array(z.string()).nullable(),
  maxBytes: z.number().int().positive(),
});
export type AttachmentRule = z.infer<typeof AttachmentRule>;

/**
 * What the composer's paperclip may send on a channel (`ConversationDto.channel.attachments`). A file
 * matches the first rule that names its type, else a rule with `mimes: null`; no match: not sendable.
 */
export const ChannelAttachments = z.object({
  /** Empty: the channel takes no attachments from agents. */
  rules: z.array(AttachmentRule),
  /** At most this many files in one message. */
  maxFiles: z.number().int().nonnegative(),
  /**
   * The platform fetches the file from this installation by URL (LINE): it can only when `APP_URL` is
   * a public https address (`PublicHealth.publicMedia`); otherwise nothing can be attached.
   */
  fetchedByUrl: z.boolean(),
});
export type ChannelAttachments = z.infer<typeof ChannelAttachments>;

/**
 * `POST /conversations/{id}/attachments` (multipart, one file in `file`): the file kept for this
 * conversation, checked against its channel's rules. Send it with `SendMessageInput.attachments: [id]`
 * within a day; a file never sent is then deleted.
 */
export const UploadedAttachmentDto = AttachmentDto.extend({
  /** `med_…`: what `SendMessageInput.attachments` names. */
  id: z.string(),
  type: AttachmentKind,
  name: z.string(),
  mime: z.string(),
  size: z.number().int().nonnegative(),
});
export type UploadedAttachmentDto = z.infer<typeof UploadedAttachmentDto>;

export const ContactDto = z.object({
  id: z.string(),
  name: z.string().nullable(),
  /** PSID on Messenger, LINE user id, visitor id on the widget. */
  platformUserId: z.string(),
  pictureUrl: z.string().nullable(),
  locale: z.string().nullable(),
  /**
   * The customer's latest sign of life: a message, or their app reporting delivery or reading (the
   * website widget: its live connection). The inbox shows "active now" within `CONTACT_ACTIVE_MS`.
   */
  lastSeenAt: z.string().nullable(),
  /** A person, or a LINE group or room (the conversation of everyone in it). */
  kind: z.enum(["user", "group", "room"]),
  /** The person blocked or unfollowed the account (LINE); null while they follow it. */
  unfollowedAt: z.string().nullable(),
  /**
   * A website widget visitor's presence, page and browser (`contact.metadata.visitor`, kept by the
   * widget gateway); null for everyone else.
   */
  visitor: VisitorPresenceDto.nullable(),
});
export type ContactDto = z.infer<typeof ContactDto>;

/** How recently a contact must have been seen to show as active now (5 minutes). */
export const CONTACT_ACTIVE_MS = 5 * 60_000;

export const MessagePreview = z.object({
  id: z.string(),
  role: MessageRole,
  /** `note`: an internal note, which the list marks as such. */
  kind: MessageKind,
  text: z.string().nullable(),
  createdAt: z.string(),
});

/**
 * The channel's messaging window, counted from the customer's last message: until when a person and
 * the bot may reply (Messenger: the bot for 24 hours, a person up to 7 days with the HUMAN_AGENT tag).
 * A null time: the customer has not written yet, so nothing may be sent. `replyWindow: null` on a
 * conversation: its channel has no window.
 */
export const ReplyWindow = z.object({
  agentUntil: z.string().nullable(),
  botUntil: z.string().nullable(),
});
export type ReplyWindow = z.infer<typeof ReplyWindow>;

export const ConversationDto = z.object({
  id: z.string(),
  channel: z
    .object({
      id: z.string(),
      type: ChannelType,
      name: z.string(),
      /** The longest text the platform takes in one message: the channel splits a longer reply (null: no limit known). */
      maxTextLength: z.number().int().nullable().optional(),
      /** What agents can attach on this channel (the paperclip), with the platform's limits. */
      attachments: ChannelAttachments.optional(),
    })
    .nullable(),
  chatbotId: z.string().nullable(),
  /** The chatbot that handles it (also when deleted since: the name stays readable). */
  chatbot: z.object({ id: z.string(), name: z.string() }).nullable(),
  contact: ContactDto.nullable(),
  /** A SNOOZED conversation whose `snoozedUntil` has passed is reported (and filtered) as OPEN. */
  status: ConversationStatus,
  snoozedUntil: z.string().nullable(),
  autoBot: z.boolean(),
  needsHuman: z.boolean(),
  handoffReason: z.string().nullable(),
  /** When the conversation was last handed to a person: while `needsHuman`, the customer has waited since. */
  handoffAt: z.string().nullable(),
  assigneeId: z.string().nullable(),
  tags: z.array(z.string()),
  notes: z.string().nullable(),
  unreadCount: z.number().int(),
  lastMessage: MessagePreview.nullable(),
  lastMessageAt: z.string(),
  lastInboundAt: z.string().nullable(),
  replyWindow: ReplyWindow.nullable(),
  createdAt: z.string(),
  /** Live updates can overtake a request's answer: the newer copy wins. */
  updatedAt: z.string(),
  /**
   * In a search's results only: the newest message containing the search (absent when only the
   * contact matched), with the matching words to highlight. Open the thread at it with `?m={messageId}`.
   */
  match: z
    .object({
      messageId: z.string(),
      role: MessageRole,
      createdAt: z.string(),
      /** The text around the first match, "…" where cut. */
      snippet: z.string(),
      /** [start, end) offsets in `snippet` (UTF-16 code units), sorted. */
      highlights: z.array(z.tuple([z.number().int(), z.number().int()])),
    })
    .optional(),
});
export type ConversationDto = z.infer<typeof ConversationDto>;

/** The ratings of one message, counted, and the newest comment someone left with theirs. */
export const MessageFeedbackSummary = z.object({
  helpful: z.number().int(),
  notHelpful: z.number().int(),
  inappropriate: z.number().int(),
  latestComment: z.string().nullable(),
});
export type MessageFeedbackSummary = z.infer<typeof MessageFeedbackSummary>;

/**
 * A message's moderation state as the inbox shows it, from all its flags: `removed` wins (the customer
 * no longer sees it), then `escalated`, then `flagged` (an open flag), then `approved`.
 */
export const MessageModeration = z.object({
  state: z.enum(["flagged", "escalated", "removed", "approved"]),
  /** The flag types raised on the message (`FlagType`), each once. */
  types: z.array(z.string()),
  /** Flags not yet decided (escalated ones included). */
  openCount: z.number().int(),
});
export type MessageModeration = z.infer<typeof MessageModeration>;

export const MessageDto = z.object({
  id: z.string(),
  conversationId: z.string(),
  role: MessageRole,
  kind: MessageKind,
  text: z.string().nullable(),
  attachments: z.array(AttachmentDto),
  /** Quick-reply or postback payload sent by the customer. */
  payload: z.string().nullable(),
  status: MessageStatus,
  platformMessageId: z.string().nullable(),
  authorMemberId: z.string().nullable(),
  /** An internal note's @mentioned members (member ids); absent when it mentions nobody. */
  mentions: z.array(z.string()).optional(),
  /** An echo of a message the Page sent from another tool (Page inbox, another app). */
  sentFromOutside: z.boolean(),
  reactions: z.record(z.string(), z.string()),
  /**
   * Who spoke, when the conversation is a group or room (LINE): each speaker is a contact of their
   * own. `name` is null until their profile is known (live events carry the id only). Null when the
   * conversation's contact is the speaker.
   */
  sender: z.object({ contactId: z.string(), name: z.string().nullable() }).nullable(),
  /** The customer took the message back (LINE unsend): its content is gone. */
  unsentAt: z.string().nullable(),
  error: z.object({ code: z.string().nullable(), message: z.string().nullable() }).nullable(),
  provider: z.string().nullable(),
  model: z.string().nullable(),
  latencyMs: z.number().nullable(),
  /** The prompt version a bot message was written with (`/chatbots/{id}/prompt/history/{versionId}`); null otherwise. */
  promptVersionId: z.string().nullable(),
  /** A bot message's retrieved knowledge (FAQ entries and passages), best first; null for other messages. */
  sources: z.array(MessageSourceDto).nullable(),
  /**
   * Products a bot message recommends (`ProductCard`): shown as cards under the text on channels that
   * can (`ChannelCapabilities.cards`), and in the inbox so agents see what the customer saw. Null: none.
   */
  productCards: z.array(ProductCard).nullable(),
  /**
   * What customers said of a bot message (the `feedback` table: widget and public API ratings), when
   * anyone rated it; null otherwise and in live events.
   */
  feedback: MessageFeedbackSummary.nullable(),
  /**
   * Moderation flags on the message (docs/moderation.md), when it has any: absent otherwise, and in
   * live events other than the one a flag or a decision sends. `removed` means the customer no longer sees it in the widget or API history.
   */
  moderation: MessageModeration.optional(),
  createdAt: z.string(),
  sentAt: z.string().nullable(),
  deliveredAt: z.string().nullable(),
  readAt: z.string().nullable(),
  /** A status change over the socket can overtake the send request's answer: the newer copy wins. */
  updatedAt: z.string(),
});
export type MessageDto = z.infer<typeof MessageDto>;

const csv = z
  .string()
  .transform((v) =>
    v
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .optional();

export const ConversationListQuery = z.object({
  status: csv.pipe(z.array(ConversationStatus).optional()),
  channelId: z.string().optional(),
  channelType: ChannelType.optional(),
  tag: z.string().optional(),
  /** A member id, or `me`, or `none` for unassigned. */
  assignee: z.string().optional(),
  unread: z
    .enum(["true", "false"])
    .transform((v) => v === "true")
    .optional(),
  needsHuman: z
    .enum(["true", "false"])
    .transform((v) => v === "true")
    .optional(),
  /** Contact name or message text. */
  search: z.string().trim().min(1).max(200).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(30),
});
export type ConversationListQuery = z.infer<typeof ConversationListQuery>;

export const MessageListQuery = z.object({
  /** Messages older than this cursor (scrolling up). */
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type MessageListQuery = z.infer<typeof MessageListQuery>;

export const UpdateConversationInput = z
  .object({
    status: ConversationStatus.optional(),
    /** ISO time until which a SNOOZED conversation stays snoozed. */
    snoozedUntil: z.string().datetime().nullable().optional(),
    assigneeId: z.string().nullable().optional(),
    tags: z.array(z.string().trim().min(1).max(50)).max(30).optional(),
    notes: z.string().max(10_000).nullable().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, "Nothing to update");
export type UpdateConversationInput = z.infer<typeof UpdateConversationInput>;

const BulkIds = {
  /** At most 100 conversations of the workspace; ids that are not are listed in `notFound`. */
  conversationIds: z
    .array(z.string().min(1).max(64))
    .min(1, "select at least one conversation")
    .max(100, "at most 100 conversations at a time"),
};
const BulkTags = z.array(z.string().trim().min(1).max(50)).min(1, "give at least one tag").max(30);

/**
 * `POST /conversations/bulk`: one action on several conversations, in one transaction. Closing
 * clears "needs a person" as it does for one; `markUnread` gives a read conversation an unread count
 * of one (the inbox shows it bold again).
 */
export const BulkUpdateConversationsInput = z.discriminatedUnion("action", [
  z.object({ ...BulkIds, action: z.literal("close") }),
  z.object({ ...BulkIds, action: z.literal("reopen") }),
  z.object({ ...BulkIds, action: z.literal("assign"), assigneeId: z.string().min(1).max(64).nullable() }),
  z.object({ ...BulkIds, action: z.literal("addTags"), tags: BulkTags }),
  z.object({ ...BulkIds, action: z.literal("removeTags"), tags: BulkTags }),
  z.object({ ...BulkIds, action: z.literal("markUnread") }),
  z.object({ ...BulkIds, action: z.literal("markRead") }),
]);
export type BulkUpdateConversationsInput = z.infer<typeof BulkUpdateConversationsInput>;

export const BulkUpdateConversationsResponse = z.object({
  /** The conversations as they are now, in the order asked. */
  data: z.array(ConversationDto),
  /** Ids that are no conversation of this workspace's inbox: left alone. */
  notFound: z.array(z.string()),
});
export type BulkUpdateConversationsResponse = z.infer<typeof BulkUpdateConversationsResponse>;

export const SendMessageInput = z.object({
  /** Optional when the reply carries attachments. */
  text: z.string().trim().min(1).max(10_000).optional(),
  /**
   * Agent replies only: files uploaded to this conversation (`UploadedAttachmentDto.id`), sent after
   * the text, in this order. At most the channel's `attachments.maxFiles`.
   */
  attachments: z
    .array(z.string().regex(/^med_[0-9a-f]{32}$/, "Not an uploaded attachment id"))
    .max(10)
    .optional(),
  sendAs: z.enum(["AGENT", "BOT"]).default("AGENT"),
  /** Internal note: stored and shown to agents, never sent to the customer. */
  internal: z.boolean().default(false),
  /** The "draft with AI" this reply started from (`DraftResponse.draftId`): recorded with the reply. */
  draftId: z.string().min(1).max(64).optional(),
  /**
   * Internal notes only: the members @mentioned (member ids of this workspace, at most 20). Each is
   * notified (`notification:new`, `GET /notifications`), the author excepted; the note keeps them.
   */
  mentions: z.array(z.string().min(1).max(64)).max(20).optional(),
});
export type SendMessageInput = z.infer<typeof SendMessageInput>;

/** `GET /conversations/counts`: the numbers on the Mine / Unassigned / All views of the list. */
export const ConversationViewCounts = z.object({
  /** Assigned to the caller. */
  mine: z.number().int(),
  unassigned: z.number().int(),
  all: z.number().int(),
});
export type ConversationViewCounts = z.infer<typeof ConversationViewCounts>;

/** `GET /conversations`: newest activity first; pass `nextCursor` back as `cursor` for the next page. */
export const ConversationListResponse = page(ConversationDto);
export type ConversationListResponse = z.infer<typeof ConversationListResponse>;

/**
 * `GET /conversations/{id}/messages`: the newest page first, each page in chronological order
 * (oldest → newest); `nextCursor` fetches the page of older messages (scrolling up), null at the start.
 */
export const MessageListResponse = page(MessageDto);
export type MessageListResponse = z.infer<typeof MessageListResponse>;

/**
 * No longer returned: `POST /conversations/{id}/messages` with `sendAs: "BOT"` now writes the reply in
 * the request and answers 201 with the BOT message. Kept while clients still accept it.
 */
export const SendMessageQueued = z.object({ queued: z.literal(true) });
export type SendMessageQueued = z.infer<typeof SendMessageQueued>;

/**
 * Why a reply of this kind cannot go out now, or null when it can: the composer says so before
 * sending instead of failing afterwards. Evaluated against `now`, so an open screen stays right as
 * the window closes.
 */
export function replyBlockedReason(
  conversation: Pick<ConversationDto, "replyWindow">,
  sendAs: "AGENT" | "BOT",
  now: number = Date.now(),
): string | null {
  const window = conversation.replyWindow;
  if (!window) return null;
  if (!window.agentUntil || !window.botUntil) {
    return "The customer has not written yet: the channel allows no message until they do.";
  }
  const agentOpen = Date.parse(window.agentUntil) > now;
  if (sendAs === "BOT" && Date.parse(window.botUntil) <= now) {
    return agentOpen
      ? "The bot may answer only within 24 hours of the customer's last message. You can still reply yourself (Messenger tags it HUMAN_AGENT)."
      : "The customer's last message is more than 7 days old: no reply is allowed until they write again.";
  }
  if (!agentOpen) {
    return "The customer's last message is more than 7 days old: no reply is allowed until they write again.";
  }
  return null;
}

/** `GET /inbox/options`: what the inbox's filters and pickers offer; readable by every role. */
export const InboxOptions = z.object({
  /** Channels, disconnected ones too: their conversations stay (a Messenger Page is one channel). */
  channels: z.array(z.object({ id: z.string(), type: ChannelType, name: z.string() })),
  /** Members a conversation can be assigned to. */
  members: z.array(z.object({ id: z.string(), userId: z.string(), name: z.string().nullable(), email: z.string() })),
  /** Tags in use on the workspace's conversations, most used first. */
  tags: z.array(z.string()),
});
export type InboxOptions = z.infer<typeof InboxOptions>;

export const ToggleAutoBotInput = z.object({ enabled: z.boolean() });
export type ToggleAutoBotInput = z.infer<typeof ToggleAutoBotInput>;

export const ChannelDto = z.object({
  id: z.string(),
  type: ChannelType,
  name: z.string(),
  externalId: z.string().nullable(),
  chatbotId: z.string().nullable(),
  status: z.enum(["active", "reconnect_needed", "disconnected", "error"]),
  statusReason: z.string().nullable(),
  subscribed: z.boolean(),
  subscribedFields: z.array(z.string()),
  /** Masked hints of stored secrets, e.g. `{ pageAccessToken: "••••a1b2" }`. */
  secretHints: z.record(z.string(), z.string()),
  webhook: z.object({
    /** When the latest event for this channel arrived (stored, before processing). */
    lastEventAt: z.string().nullable(),
    /** Arrival time of the latest event processed successfully. */
    lastProcessedAt: z.string().nullable(),
    eventsReceived: z.number(),
    /** Events that failed for good (all retries used). */
    eventsFailed: z.number(),
    /** Bodies refused for a bad signature that named this channel's Page. */
    signatureRejections: z.number(),
    lastSignatureRejectionAt: z.string().nullable(),
    /** Processing attempts repeated after a failure. */
    retries: z.number(),
    /** Events whose processing failed (or is failing and being retried) in the last 24 hours. */
    recentFailures: z.number(),
    lastFailure: z.object({ at: z.string(), message: z.string() }).nullable(),
  }),
  createdAt: z.string(),
});
export type ChannelDto = z.infer<typeof ChannelDto>;

/** Messenger's app-level webhook: what Meta needs, and Pages sending events nobody connected. */
export const MessengerWebhookSetup = z.object({
  /** The Callback URL to enter in the Meta App Dashboard. */
  callbackUrl: z.string(),
  verifyTokenConfigured: z.boolean(),
  appSecretConfigured: z.boolean(),
  appIdConfigured: z.boolean(),
  /** Pages with events in the last 7 days and no connected channel, most recent first. */
  unconnectedPages: z.array(z.object({ pageId: z.string(), events: z.number(), lastEventAt: z.string() })),
  /**
   * Meta's verification handshake (`hub.challenge`). Only a pass proves anything (it needs the verify
   * token), so `lastVerifiedAt` is the state; anyone can call the URL, so a refused handshake is an
   * attempt, remembered with its reason but never a verdict on the webhook.
   */
  verification: z.object({
    lastVerifiedAt: z.string().nullable(),
    lastFailedAttemptAt: z.string().nullable(),
    lastFailedAttemptReason: z.string().nullable(),
  }),
});
export type MessengerWebhookSetup = z.infer<typeof MessengerWebhookSetup>;

/** `POST /api/v1/channels/messenger/webhook/verify`: Meta's handshake played against the callback URL. */
export const WebhookVerificationTest = z.object({
  ok: z.boolean(),
  /** The callback URL's HTTP status; null when it could not be reached. */
  status: z.number().nullable(),
  message: z.string(),
  callbackUrl: z.string(),
  checkedAt: z.string(),
});
export type WebhookVerificationTest = z.infer<typeof WebhookVerificationTest>;

export const ConnectMessengerPageInput = z.object({
  pageId: z
    .string()
    .trim()
    .regex(/^\d{5,30}$/, "must be a numeric Facebook Page id"),
  pageAccessToken: z.string().trim().min(10).max(1000),
  pageName: z.string().trim().min(1).max(200).optional(),
  chatbotId: z.string().optional(),
});
export type ConnectMessengerPageInput = z.infer<typeof ConnectMessengerPageInput>;

export const ChannelListQuery = z.object({
  /** Disconnected channels are history: listed only when asked for. */
  includeDisconnected: z
    .enum(["true", "false"])
    .transform((v) => v === "true")
    .optional(),
});
export type ChannelListQuery = z.infer<typeof ChannelListQuery>;

/** `PATCH /api/v1/channels/{id}`: the chatbot that answers the channel's new conversations (null: none, people reply). */
export const AssignChannelChatbotInput = z.strictObject({
  chatbotId: z.string().trim().min(1, "choose a chatbot").max(64).nullable(),
});
export type AssignChannelChatbotInput = z.infer<typeof AssignChannelChatbotInput>;

export const ChannelListResponse = page(ChannelDto);
export type ChannelListResponse = z.infer<typeof ChannelListResponse>;

/** A Page offered after Facebook Login; its token stays on the server. */
export const MessengerOAuthPageDto = z.object({
  id: z.string(),
  name: z.string(),
  /** Already connected to this workspace. */
  connected: z.boolean(),
});
export type MessengerOAuthPageDto = z.infer<typeof MessengerOAuthPageDto>;

export const MessengerOAuthPagesQuery = z.object({ oauth: z.string().min(1).max(100) });
export const MessengerOAuthPagesResponse = z.object({ data: z.array(MessengerOAuthPageDto) });
export type MessengerOAuthPagesResponse = z.infer<typeof MessengerOAuthPagesResponse>;

export const ConnectMessengerOAuthPagesInput = z.object({
  /** The id of the Facebook Login result, from the `oauth` query parameter of the callback redirect. */
  oauth: z.string().min(1).max(100),
  pageIds: z
    .array(
      z
        .string()
        .trim()
        .regex(/^\d{5,30}$/, "must be a numeric Facebook Page id"),
    )
    .min(1)
    .max(50),
  chatbotId: z.string().optional(),
});
export type ConnectMessengerOAuthPagesInput = z.infer<typeof ConnectMessengerOAuthPagesInput>;

export const ConnectMessengerOAuthPagesResponse = z.object({
  /** Channels connected (or reconnected) by this request. */
  data: z.array(ChannelDto),
  /** Pages that could not be connected, with the reason. */
  errors: z.array(z.object({ pageId: z.string(), code: z.string(), message: z.string() })),
});
export type ConnectMessengerOAuthPagesResponse = z.infer<typeof ConnectMessengerOAuthPagesResponse>;

/**
 * `POST /conversations/{id}/draft`: the reply the bot would give now, for the agent to edit — nothing
 * is stored or sent. The same provider, prompt and knowledge as an automatic reply.
 */
export const DraftResponse = z.object({
  /** The draft as kept on record (a BOT message with status `draft`); pass it as `draftId` when sending the reply. */
  draftId: z.string(),
  text: z.string(),
  provider: z.string(),
  model: z.string(),
  usage: z.object({ inputTokens: z.number().int(), outputTokens: z.number().int() }),
  /** The provider's time for the call. */
  latencyMs: z.number(),
  finishReason: z.string(),
  promptVersionId: z.string().nullable(),
  /** The knowledge the draft used: FAQ entries (`faq:{n}`) and passages (chunk ids). */
  sources: z.array(z.object({ id: z.string(), title: z.string().nullable(), score: z.number() })),
});
export type DraftResponse = z.infer<typeof DraftResponse>;
