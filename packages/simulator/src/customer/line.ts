/**
 * The customer's side of LINE: builds webhook bodies the way the LINE Platform delivers them and
 * posts them signed (`x-line-signature` = base64 HMAC-SHA256 of the exact bytes with the channel
 * secret). Events that carry a reply token get one issued by the fake API, so the bot can answer it
 * once within its lifetime; media messages register their bytes with the fake data host, so
 * `GET /v2/bot/message/{id}/content` serves them. As on LINE, events in `standby` mode carry no
 * reply token, and join/leave events name the group without a user.
 */
import { randomBytes } from "node:crypto";
import type { LineWebhookBody } from "../line/app.ts";
import { SAMPLE_CONTENT } from "../line/media.ts";
import { signLineBody } from "../line/signature.ts";
import type { LineChatType, LineState } from "../line/state.ts";

export type LineSource =
  | { type: "user"; userId: string }
  | { type: "group"; groupId: string; userId?: string }
  | { type: "room"; roomId: string; userId?: string };

export interface LineEventBase {
  type: string;
  mode: "active" | "standby";
  timestamp: number;
  webhookEventId: string;
  deliveryContext: { isRedelivery: boolean };
  source: LineSource;
  replyToken?: string;
  [key: string]: unknown;
}

/** A message event: its `message.id` is what content, unsend and quotes refer to. */
export interface LineCustomerMessageEvent extends LineEventBase {
  type: "message";
  message: { id: string; type: string; [key: string]: unknown };
}

export interface LineEventOptions {
  mode?: "active" | "standby";
  timestamp?: number;
  webhookEventId?: string;
}

export interface LineEmoji {
  index: number;
  length: number;
  productId: string;
  emojiId: string;
}

export type LineMentionee =
  | { type: "user"; index: number; length: number; userId?: string; isSelf?: boolean }
  | { type: "all"; index: number; length: number };

export interface LineMediaOptions extends LineEventOptions {
  /** The bytes the data host serves for this message; default a small sample of the type. */
  bytes?: Uint8Array;
  contentType?: string;
}

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** A ULID (26 Crockford base32 characters: 48-bit time, 80 random bits), as `webhookEventId`s are. */
export function newWebhookEventId(time = Date.now()): string {
  let timePart = "";
  let rest = time;
  for (let i = 0; i < 10; i++) {
    timePart = CROCKFORD[rest % 32] + timePart;
    rest = Math.floor(rest / 32);
  }
  const random = randomBytes(16);
  let randomPart = "";
  for (let i = 0; i < 16; i++) randomPart += CROCKFORD[(random[i] ?? 0) % 32];
  return timePart + randomPart;
}

/** A LINE id: `U` (user), `C` (group) or `R` (room) and 32 hex characters. */
export function newLineId(prefix: "U" | "C" | "R"): string {
  return `${prefix}${randomBytes(16).toString("hex")}`;
}

export const lineUser = (userId: string): LineSource => ({ type: "user", userId });
export const lineGroup = (groupId: string, userId?: string): LineSource => ({
  type: "group",
  groupId,
  ...(userId ? { userId } : {}),
});
export const lineRoom = (roomId: string, userId?: string): LineSource => ({
  type: "room",
  roomId,
  ...(userId ? { userId } : {}),
});

function chatOf(source: LineSource): { chatType: LineChatType; chatId: string } {
  if (source.type === "group") return { chatType: "group", chatId: source.groupId };
  if (source.type === "room") return { chatType: "room", chatId: source.roomId };
  return { chatType: "user", chatId: source.userId };
}

/**
 * Event builders bound to one channel of the fake platform (its reply tokens, its content). The
 * channel must exist in `line.state`.
 */
export function createLineCustomer(line: { state: LineState }, channelId: string) {
  const { state } = line;
  const channel = () => {
    const found = state.channels.get(channelId);
    if (!found) throw new Error(`Unknown LINE channel ${channelId}`);
    return found;
  };

  const event = (
    type: string,
    source: LineSource,
    options: LineEventOptions,
    fields: Record<string, unknown>,
    replyable: boolean,
  ): LineEventBase => {
    const mode = options.mode ?? "active";
    const timestamp = options.timestamp ?? state.now();
    const { chatType, chatId } = chatOf(source);
    return {
      type,
      mode,
      timestamp,
      webhookEventId: options.webhookEventId ?? newWebhookEventId(timestamp),
      deliveryContext: { isRedelivery: false },
      source,
      ...(replyable && mode === "active"
        ? { replyToken: state.issueReplyToken(channelId, chatType, chatId, source.userId) }
        : {}),
      ...fields,
    };
  };

  const message = (
    source: LineSource,
    options: LineEventOptions,
    content: { type: string; [key: string]: unknown },
  ): LineCustomerMessageEvent =>
    event(
      "message",
      source,
      options,
      { message: { id: state.nextMessageId(), ...content } },
      true,
    ) as LineCustomerMessageEvent;

  const media = (
    type: "image" | "video" | "audio" | "file",
    source: LineSource,
    options: LineMediaOptions,
    fields: Record<string, unknown>,
  ) => {
    const built = message(source, options, { type, ...fields });
    const id = built.message.id;
    const sample = SAMPLE_CONTENT[type];
    state.storeContent(id, {
      channelId,
      type,
      contentType: options.contentType ?? sample.contentType,
      bytes: options.bytes ?? sample.bytes,
      ...(typeof fields.fileName === "string" ? { fileName: fields.fileName } : {}),
    });
    return built;
  };

  const quoteToken = () => state.newQuoteToken();

  return {
    channelId,
    text: (
      source: LineSource,
      text: string,
      options: LineEventOptions & { emojis?: LineEmoji[]; mentionees?: LineMentionee[]; quotedMessageId?: string } = {},
    ) =>
      message(source, options, {
        type: "text",
        text,
        quoteToken: quoteToken(),
        ...(options.emojis ? { emojis: options.emojis } : {}),
        ...(options.mentionees ? { mention: { mentionees: options.mentionees } } : {}),
        ...(options.quotedMessageId ? { quotedMessageId: options.quotedMessageId } : {}),
      }),
    sticker: (
      source: LineSource,
      sticker: {
        packageId: string;
        stickerId: string;
        stickerResourceType?: string;
        keywords?: string[];
        text?: string;
      },
      options: LineEventOptions & { quotedMessageId?: string } = {},
    ) =>
      message(source, options, {
        type: "sticker",
        packageId: sticker.packageId,
        stickerId: sticker.stickerId,
        stickerResourceType: sticker.stickerResourceType ?? "STATIC",
        ...(sticker.keywords ? { keywords: sticker.keywords } : {}),
        ...(sticker.text ? { text: sticker.text } : {}),
        quoteToken: quoteToken(),
        ...(options.quotedMessageId ? { quotedMessageId: options.quotedMessageId } : {}),
      }),
    image: (
      source: LineSource,
      options: LineMediaOptions & { imageSet?: { id: string; index: number; total: number } } = {},
    ) =>
      media("image", source, options, {
        contentProvider: { type: "line" },
        quoteToken: quoteToken(),
        ...(options.imageSet ? { imageSet: options.imageSet } : {}),
      }),
    video: (source: LineSource, options: LineMediaOptions & { duration?: number } = {}) =>
      media("video", source, options, {
        duration: options.duration ?? 3_000,
        contentProvider: { type: "line" },
        quoteToken: quoteToken(),
      }),
    audio: (source: LineSource, options: LineMediaOptions & { duration?: number } = {}) =>
      media("audio", source, options, { duration: options.duration ?? 2_000, contentProvider: { type: "line" } }),
    file: (source: LineSource, options: LineMediaOptions & { fileName?: string } = {}) => {
      const bytes = options.bytes ?? SAMPLE_CONTENT.file.bytes;
      return media("file", source, options, {
        fileName: options.fileName ?? "document.pdf",
        fileSize: bytes.byteLength,
      });
    },
    location: (
      source: LineSource,
      place: { latitude: number; longitude: number; title?: string; address?: string },
      options: LineEventOptions = {},
    ) =>
      message(source, options, {
        type: "location",
        ...(place.title ? { title: place.title } : {}),
        ...(place.address ? { address: place.address } : {}),
        latitude: place.latitude,
        longitude: place.longitude,
      }),
    follow: (source: LineSource, options: LineEventOptions & { isUnblocked?: boolean } = {}) =>
      event("follow", source, options, { follow: { isUnblocked: options.isUnblocked ?? false } }, true),
    unfollow: (source: LineSource, options: LineEventOptions = {}) => event("unfollow", source, options, {}, false),
    postback: (
      source: LineSource,
      postback: { data: string; params?: Record<string, string> },
      options: LineEventOptions = {},
    ) => event("postback", source, options, { postback }, true),
    unsend: (source: LineSource, messageId: string, options: LineEventOptions = {}) =>
      event("unsend", source, options, { unsend: { messageId } }, false),
    /** The bot was added to a group or room. */
    join: (source: LineSource, options: LineEventOptions = {}) => event("join", source, options, {}, true),
    leave: (source: LineSource, options: LineEventOptions = {}) => event("leave", source, options, {}, false),
    memberJoined: (source: LineSource, userIds: string[], options: LineEventOptions = {}) =>
      event("memberJoined", source, options, { joined: { members: userIds.map(lineUser) } }, true),
    memberLeft: (source: LineSource, userIds: string[], options: LineEventOptions = {}) =>
      event("memberLeft", source, options, { left: { members: userIds.map(lineUser) } }, false),
    /** `{destination, events}` as LINE posts it, addressed to this channel's bot. */
    webhook: (events: LineEventBase[]): LineWebhookBody => ({ destination: channel().userId, events }),
  };
}

export type LineCustomer = ReturnType<typeof createLineCustomer>;

/** The same events delivered again (`deliveryContext.isRedelivery: true`, same `webhookEventId`s). */
export function asLineRedelivery(body: LineWebhookBody): LineWebhookBody {
  return {
    destination: body.destination,
    events: body.events.map((event) => ({ ...event, deliveryContext: { isRedelivery: true } })),
  };
}

export interface PostLineWebhookOptions {
  /** Defaults to global `fetch`; pass `app.request`-style functions to stay in-process. */
  fetch?: (input: Request) => Response | Promise<Response>;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/**
 * POSTs a webhook as the LINE Platform does: the body (or an already serialised body, sent
 * verbatim) with `x-line-signature` over the exact bytes sent.
 */
export async function postSignedLineWebhook(
  url: string,
  body: LineWebhookBody | string,
  channelSecret: string,
  options: PostLineWebhookOptions = {},
): Promise<Response> {
  const bytes = Buffer.from(typeof body === "string" ? body : JSON.stringify(body), "utf8");
  const request = new Request(url, {
    method: "POST",
    headers: {
      "content-type": "application/json; charset=utf-8",
      "user-agent": "LineBotWebhook/2.0",
      "x-line-signature": signLineBody(channelSecret, bytes),
      ...options.headers,
    },
    body: bytes,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return (options.fetch ?? fetch)(request);
}

/** `postSignedLineWebhook` of the same events marked as a redelivery. */
export function postLineRedelivery(
  url: string,
  body: LineWebhookBody,
  channelSecret: string,
  options: PostLineWebhookOptions = {},
): Promise<Response> {
  return postSignedLineWebhook(url, asLineRedelivery(body), channelSecret, options);
}
