/**
 * The channel adapter contract: what the pipeline needs from a messaging platform, and nothing about
 * how the platform does it. Shared code (the inbound store, `receiveCustomerMessage`, the send job,
 * typing, profiles) asks an adapter — found in the registry (`registry.ts`) by the channel's type —
 * instead of switching on `channel.type`. Adding a channel is one folder that exports a
 * `ChannelDefinition` and one line in the registry; see docs/channels.md.
 *
 * Adapters never read the database: what they need (the channel row with its encrypted secrets, the
 * contact, the message being answered and its metadata) is passed in, and what they learn (a part's
 * platform id, a dead token) is handed back through callbacks and `classifyError`.
 */
import type { AttachmentRule, ProductCard } from "@tandem/contracts";
import type { channels, MessageAttachment } from "@tandem/db";
import type { Config } from "../config.ts";
import type { Keyring } from "../secrets/keyring.ts";

export type ChannelType = (typeof channels.$inferSelect)["type"];
/** Who wrote an outbound message: the window rules differ (Messenger lets only people use `HUMAN_AGENT`). */
export type OutboundRole = "AGENT" | "BOT";

/** The channel row, as much of it as an adapter uses. Secrets stay encrypted until the adapter reads them. */
export type AdapterChannel = Pick<typeof channels.$inferSelect, "id" | "type" | "externalId" | "secretsEncrypted">;

// ---- capabilities ------------------------------------------------------------------------------

/**
 * Whether a message may go out now, and how. `how` is the adapter's own note for its `send` (Messenger:
 * `messaging_type` and tag; LINE: reply token or push); the pipeline passes it through untouched.
 */
export type ReplyWindowDecision =
  | { allowed: true; how: { kind: string } & Record<string, unknown> }
  | { allowed: false; reason: string };

/** Until when people and the bot may answer, for the composer (null: no limit, or not open yet). */
export interface ReplyWindowTimes {
  agentUntil: Date | null;
  botUntil: Date | null;
}

export interface ChannelCapabilities {
  /** The platform's rule for answering `lastInboundAt` (the customer's last message) at `now`. */
  replyWindow(role: OutboundRole, lastInboundAt: Date | null, now: Date): ReplyWindowDecision;
  /** The same rule as times the inbox can show; null when the channel has no window. */
  replyWindowTimes(lastInboundAt: Date | null): ReplyWindowTimes | null;
  /** Longer texts are split by the adapter's `send`. */
  maxTextLength: number;
  /** Can show "the bot is writing" (`showTyping`). */
  typing: boolean;
  /** Can fetch a contact's name and picture (`fetchProfile`). */
  profile: boolean;
  /** Reports delivery / read receipts. */
  receipts: boolean;
  /** Reports messages sent from other tools (echoes). */
  echoes: boolean;
  /**
   * How an outbound message reaches the customer: `push` — the adapter calls the platform (`send`);
   * `realtime` — published to the customer's live connection (widget); `response` — the caller's
   * HTTP response carries it (public API): nothing to send, the message is marked sent.
   */
  delivery: "push" | "realtime" | "response";
  /**
   * What an agent may attach (the composer's paperclip): per kind, the content types and size the
   * platform takes; empty: no attachments. The upload and the send check them; the send hands the
   * adapter each file through `SendInput.media`.
   */
  attachments: {
    rules: AttachmentRule[];
    maxFiles: number;
    /** The platform fetches the file by URL (`SendInput.media.publicUrl`): it needs an https `APP_URL`. */
    fetchedByUrl: boolean;
  };
  /**
   * Whether the channel shows a bot message's product cards (`SendInput.message.productCards`) and
   * within which limits — its `send` (or its client, for `realtime` / `response`) shows them after the
   * text; null: text only (the text names the products).
   */
  cards: CardCapability | null;
}

/** A channel's limits for product cards; longer fields are cut by the adapter, never refused. */
export interface CardCapability {
  /** Cards per message; more are left out (the text names them all). */
  maxCards: number;
  /** Characters of a card's title. */
  maxTitle: number;
  /** Characters of the line under the title (price and stock). */
  maxSubtitle: number;
  /** The platform fetches card images itself and takes https only: a card without one has no image. */
  imageMustBeHttps: boolean;
}

// ---- inbound -----------------------------------------------------------------------------------

/** A webhook request as the inbound store hands it to `verify`. */
export interface InboundRequest {
  /** The body exactly as received: signatures cover these bytes. */
  rawBody: Uint8Array;
  /** Header lookup, lowercase names. */
  header(name: string): string | undefined;
}

/**
 * One row of `inbound_event`, as `split` cuts a body: the channel it belongs to — a known channel id
 * (LINE's per-channel webhook URL) or a (type, externalId) to resolve (Messenger's Page id) —, the
 * stored payload, how many platform items it holds (the channel's event counter), and an optional
 * key that makes a redelivery of the same row a no-op (LINE's `webhookEventId`).
 */
export interface InboundRow {
  channel: { id: string } | { externalId: string };
  payload: unknown;
  items: number;
  dedupeKey?: string | undefined;
}

export interface ChannelInbound {
  /** The header that carries the signature, as the platform spells it (for error messages). */
  signatureHeader: string;
  /** Checks the signature of the raw bytes with the secret that applies (app secret, channel secret). */
  verify(request: InboundRequest, secret: string): boolean;
  /**
   * Validates a verified, parsed body and cuts it into rows to store; throws `invalid_input`. `scope`
   * names the channel when the webhook URL does (per-channel webhooks such as LINE's).
   */
  split(body: unknown, scope?: { channelId?: string | undefined }): InboundRow[];
  /**
   * Per-channel webhooks: the secret this channel's webhooks are signed with, read from its row
   * (LINE: the channel secret). Absent when one app-level secret signs every webhook (Messenger).
   */
  secretOf?(channel: AdapterChannel): string;
  /**
   * External ids an unverified body names (at most a few, id-shaped), so signature rejections can be
   * counted on those channels. Never trusted for anything else.
   */
  claimedExternalIds?(rawBody: Uint8Array): string[];
  /** Turns one stored row's payload into customer events (pure: no I/O). */
  normalize(payload: unknown, channel: AdapterChannel): CustomerEvent[];
}

/** A platform party: a person, or a group / room that several people talk in. */
export interface Party {
  platformId: string;
  kind: "user" | "group" | "room";
}

/** Media the platform keeps: the attachment's `url` is empty until a job fetches `contentRef`. */
export type InboundAttachment = MessageAttachment & { contentRef?: string };

/** A message from the customer, normalised. */
export interface InboundMessage {
  /** Unique per channel: duplicates of it are no-ops. */
  platformMessageId: string;
  text: string | null;
  attachments: InboundAttachment[];
  /** A quick-reply or postback payload. */
  payload: string | null;
  /** A button press (postback) rather than typed text. */
  postback: boolean;
  /** The platform id of the message it replies to. */
  replyToPlatformId: string | null;
  /** When the platform stamped it. */
  at: Date;
  /**
   * What the adapter's `send` needs later when answering this message (LINE: `replyToken` and when it
   * was received); stored on the message and given back as `SendInput.answering.metadata`.
   */
  sendMetadata?: Record<string, unknown>;
}

/**
 * What the platform reports, normalised. `from` is always the person; `thread` is set when the
 * conversation is keyed by a group or room (LINE): the conversation's contact is the thread, and each
 * message records its speaker (`message.sender_contact_id`).
 */
export type CustomerEvent =
  | {
      type: "message";
      from: Party;
      thread?: Party | undefined;
      message: InboundMessage;
      /** Another app owns the conversation (Messenger handover, LINE standby): store, never answer. */
      standby: boolean;
    }
  | {
      /** A message the business sent, from Tandem or any other tool (Messenger echoes). */
      type: "echo";
      to: Party;
      platformMessageId: string;
      text: string | null;
      attachments: InboundAttachment[];
      at: Date;
      /** The Tandem message this echoes, when the platform carried our marker back. */
      ourMessageId: string | null;
      /** Sent by this very app (the platform says so): its send job records it. */
      fromThisApp: boolean;
      /** Kept on the message for the record (app id, platform metadata). */
      metadata: Record<string, unknown>;
    }
  | {
      type: "receipt";
      status: "delivered" | "read";
      from: Party;
      /** Our messages sent up to this time (null: only those listed). */
      watermark: Date | null;
      platformMessageIds: string[];
      at: Date;
    }
  | {
      type: "reaction";
      from: Party;
      platformMessageId: string;
      action: "react" | "unreact";
      value: string;
      at: Date;
    }
  | { type: "follow" | "unfollow"; from: Party; at: Date }
  | { type: "unsend"; from: Party; platformMessageId: string; at: Date }
  /** The account's own profile changed (Messenger: the Page's `changes` webhook): its metadata is read again. */
  | { type: "account_changed"; fields: string[] }
  | { type: "unknown"; keys: string[] };

// ---- outbound ----------------------------------------------------------------------------------

export interface SendInput {
  channel: AdapterChannel;
  /** The conversation's contact: a person, or the group / room (LINE). */
  contact: { platformUserId: string };
  conversation: { id: string; lastInboundAt: Date | null };
  message: {
    id: string;
    role: OutboundRole;
    text: string | null;
    attachments: MessageAttachment[];
    /**
     * Products a bot message recommends: sent after the text as cards by an adapter whose capability
     * `cards` is set (always at most `maxCards`, already cut by the job); empty otherwise.
     */
    productCards: ProductCard[];
  };
  /**
   * The customer message this one answers (a bot reply's trigger), with what its adapter stored
   * (`InboundMessage.sendMetadata`) and whether another reply to it already went out (a reply token
   * is then spent).
   */
  answering: {
    platformMessageId: string | null;
    metadata: Record<string, unknown>;
    createdAt: Date;
    answered: boolean;
  } | null;
  /** The window decision's `how`. */
  how: Extract<ReplyWindowDecision, { allowed: true }>["how"];
  /** Parts already sent by an earlier attempt: skipped, so a retry never repeats them. */
  alreadySent: number;
  /** Called after each part with its platform id (`null` if none), before the next part goes out. */
  onPartSent(platformMessageId: string | null): Promise<void>;
  /** The files we keep that `message.attachments` name (`mediaId`): their bytes, or a URL the platform can fetch. */
  media: OutboundMedia;
}

/** Access to an outbound message's kept files, for the adapter's `send`. */
export interface OutboundMedia {
  /** The bytes of a kept attachment (`mediaId` set); throws when the file is gone. */
  read(attachment: MessageAttachment): Promise<{ bytes: Uint8Array; mime: string; name: string }>;
  /**
   * An absolute URL anyone can fetch the file from (no session; an unguessable path under `APP_URL`),
   * or null when the attachment is not a kept file. `preview`: a JPEG of at most 240×240 of an image.
   */
  publicUrl(attachment: MessageAttachment, variant?: "preview"): string | null;
}

export interface ContactProfile {
  name?: string | undefined;
  firstName?: string | undefined;
  lastName?: string | undefined;
  pictureUrl?: string | undefined;
  locale?: string | undefined;
}

/** A failure as the pipeline acts on it. `code` and `reason` are what the inbox shows. */
export interface ClassifiedError {
  retryable: boolean;
  /** The channel's credentials are dead: mark it "reconnect needed". */
  tokenExpired: boolean;
  code: string;
  reason: string;
}

export interface ChannelAdapter {
  type: ChannelType;
  capabilities: ChannelCapabilities;
  inbound?: ChannelInbound;
  send?(input: SendInput): Promise<void>;
  /**
   * `hint.thread`: a group or room the person was seen in, for platforms that only give a member's
   * profile there (LINE, someone who does not follow the account).
   */
  fetchProfile?(
    channel: AdapterChannel,
    platformUserId: string,
    hint?: { thread?: Party | undefined },
  ): Promise<ContactProfile>;
  showTyping?(channel: AdapterChannel, platformUserId: string, on: boolean): Promise<void>;
  /**
   * Media the platform keeps (an attachment's `contentRef`): its bytes. Run by the
   * `fetch-message-content` job after the message is stored, which keeps them (`media/media-store.ts`)
   * and sets the attachment's `url`, empty until then.
   */
  fetchContent?(channel: AdapterChannel, contentRef: string): Promise<{ bytes: Uint8Array; mime?: string | undefined }>;
  /**
   * `delivery: "realtime"`: the realtime room of the customer's live connection (the widget session's
   * sockets), where the send job publishes the message as the customer sees it (`PublicMessageDto`).
   */
  realtimeRoom?(channel: AdapterChannel, platformUserId: string): string;
  /** Disconnecting: stop the platform sending to us (Messenger: unsubscribe the app from the Page). */
  release?(channel: AdapterChannel): Promise<void>;
  /** The platform's errors classified; null for an error that is not the platform's (ours, a bug). */
  classifyError(error: unknown): ClassifiedError | null;
}

/** What adapters are built from, once per process. Config is read at call time (the simulator re-points URLs). */
export interface AdapterEnv {
  config: Config;
  keyring: Keyring;
}

/** One channel folder's export: static capabilities (pure, for DTOs) and the adapter factory. */
export interface ChannelDefinition {
  type: ChannelType;
  capabilities: ChannelCapabilities;
  create(env: AdapterEnv): ChannelAdapter;
}
