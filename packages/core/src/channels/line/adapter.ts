/**
 * LINE Official Account as a channel adapter: a per-channel webhook signed with the channel secret
 * (one stored row per event, deduplicated on `webhookEventId`), reply tokens while they are fresh and
 * push with `X-Line-Retry-Key` otherwise, the loading animation (1:1 chats), profiles of people,
 * group members and groups, and the content customers send (images, video, audio, files).
 *
 * A group or room is one conversation: its contact is the group (`thread`) and each message records
 * its speaker. The client is built per call from the live config: the simulator re-points
 * `LINE_API_URL` after start-up.
 */
import type { MessageAttachment } from "@tandem/db";
import { type Ctx, channelsOf } from "../../context.ts";
import { DomainError } from "../../errors.ts";
import type { Keyring } from "../../secrets/keyring.ts";
import type {
  AdapterEnv,
  ChannelAdapter,
  ChannelDefinition,
  ChannelInbound,
  CustomerEvent,
  InboundAttachment,
  InboundMessage,
  Party,
  SendInput,
} from "../adapter.ts";
import type { ChannelRegistry } from "../registry.ts";
import { createLineClient, type LineClient, lineRetryKey } from "./client.ts";
import { LineApiError } from "./errors.ts";
import { type LineDeps, readLineSecrets } from "./line-deps.ts";
import {
  batchLineMessages,
  LINE_CARDS,
  LINE_MAX_MESSAGES_PER_CALL,
  LINE_MAX_TEXT_LENGTH,
  type LineMessage,
  lineStickerAttachment,
  toLineMessages,
} from "./messages.ts";
import { verifyLineSignature } from "./signature.ts";
import { type LineEvent, type LineMessageEvent, type LineSource, parseLineEvent, parseLineWebhook } from "./webhook.ts";

/**
 * A reply token is used only this long after its event: LINE keeps it "about a minute", and the reply
 * call itself takes time. Older, or already used, the answer goes by push.
 */
export const LINE_REPLY_TOKEN_FRESH_MS = 50_000;

export interface LineAdapter extends ChannelAdapter {
  type: "line";
  /** A Messaging API client, from the live config. */
  client(): LineClient;
  /** What the LINE verbs (configure, status, webhook endpoint) use besides `ctx`, from the live config. */
  clients(): LineDeps;
}

const capabilities: ChannelDefinition["capabilities"] = {
  // LINE has no reply window: a bot may push to anyone who follows it (a reply token is the free way
  // to answer, chosen by `send`). Push messages count against the monthly quota.
  replyWindow: () => ({ allowed: true, how: { kind: "line" } }),
  replyWindowTimes: () => null,
  maxTextLength: LINE_MAX_TEXT_LENGTH,
  typing: true,
  profile: true,
  receipts: false,
  echoes: false,
  delivery: "push",
  // LINE fetches an image message's `originalContentUrl` / `previewImageUrl` itself (https, JPEG or
  // PNG, up to 10 MB). Bots cannot send files; video and audio need a preview image and a duration.
  attachments: {
    rules: [{ kind: "image", mimes: ["image/jpeg", "image/png"], maxBytes: 10 * 1024 * 1024 }],
    maxFiles: LINE_MAX_MESSAGES_PER_CALL,
    fetchedByUrl: true,
  },
  // A carousel template after the text, in the same call when they fit (`lineCarousel`).
  cards: LINE_CARDS,
};

export const lineChannel: ChannelDefinition = {
  type: "line",
  capabilities,
  create: createLineAdapter,
};

export function createLineAdapter(env: AdapterEnv): LineAdapter {
  const client = () => createLineClient({ apiUrl: env.config.lineApiUrl, dataApiUrl: env.config.lineDataApiUrl });
  const tokenOf = (channel: { secretsEncrypted: string | null }) =>
    readLineSecrets(env.keyring, channel).channelAccessToken;

  return {
    type: "line",
    capabilities,
    client,
    clients() {
      const { appUrl, lineApiUrl, simulator } = env.config;
      return {
        line: client(),
        keyring: env.keyring,
        appUrl,
        // LINE calls go to the simulator, which accepts http webhook URLs; LINE itself requires https.
        simulated: simulator && !/(^|\.)line\.me$/i.test(new URL(lineApiUrl).hostname),
      };
    },
    inbound: lineInbound(env.keyring),

    send: (input) => sendLine(client(), tokenOf(input.channel), input),

    async fetchProfile(channel, platformId, hint) {
      const line = client();
      const token = tokenOf(channel);
      if (platformId.startsWith("C")) {
        const group = await line.getGroupSummary(token, platformId);
        return { name: group.groupName, pictureUrl: group.pictureUrl };
      }
      // A room has no name or picture of its own.
      if (platformId.startsWith("R")) return { name: "LINE room" };
      let profile: Awaited<ReturnType<LineClient["getProfile"]>>;
      try {
        profile = await line.getProfile(token, platformId);
      } catch (error) {
        // Someone who talks in a group without following the account has only a member profile.
        const thread = hint?.thread;
        if (!(error instanceof LineApiError) || error.status !== 404 || !thread) throw error;
        profile =
          thread.kind === "room"
            ? await line.getRoomMemberProfile(token, thread.platformId, platformId)
            : await line.getGroupMemberProfile(token, thread.platformId, platformId);
      }
      return { name: profile.displayName, pictureUrl: profile.pictureUrl, locale: profile.language };
    },

    async showTyping(channel, chatId, on) {
      // The loading animation exists in 1:1 chats only; it stops by itself when the reply arrives.
      if (!on || !chatId.startsWith("U")) return;
      await client().showLoading(tokenOf(channel), chatId, 20);
    },

    async fetchContent(channel, contentRef) {
      const content = await client().downloadContent(tokenOf(channel), contentRef);
      return { bytes: content.bytes, mime: content.contentType };
    },

    classifyError(error) {
      if (!(error instanceof LineApiError)) return null;
      const code = error.quotaExceeded ? "line_quota_exceeded" : error.code;
      return { retryable: error.retryable, tokenExpired: error.tokenExpired, code, reason: error.reason };
    },
  };
}

/** The LINE adapter of a registry, with its LINE-only helpers (client, the verbs' clients). */
export function lineAdapter(channels: ChannelRegistry): LineAdapter {
  return channels.get("line") as LineAdapter;
}

/** The LINE verbs' clients, from the verb context's registry (no per-route dependency bags). */
export function lineClients(ctx: Pick<Ctx, "channels">): LineDeps {
  return lineAdapter(channelsOf(ctx)).clients();
}

// ---- inbound -----------------------------------------------------------------------------------

/**
 * The webhook half: the channel secret's signature over LINE's exact bytes, one row per event
 * (deduplicated on `webhookEventId`) for the channel the URL names, each event normalised.
 */
export function lineInbound(keyring: Keyring): ChannelInbound {
  return {
    signatureHeader: "x-line-signature",
    secretOf: (channel) => readLineSecrets(keyring, channel).channelSecret,
    verify: (request, secret) => verifyLineSignature(request.rawBody, request.header("x-line-signature"), secret),
    split: (body, scope) => {
      const parsed = parseLineWebhook(body);
      if (!parsed.ok) throw new DomainError("invalid_input", parsed.error);
      if (!scope?.channelId) throw new Error("A LINE webhook is per channel: the URL names it");
      const channelId = scope.channelId;
      const raw = (body as { events: unknown[] }).events;
      return parsed.events.map((event, i) => ({
        channel: { id: channelId },
        // Stored as LINE sent it (parsing drops unknown fields).
        payload: raw[i],
        items: 1,
        dedupeKey: "webhookEventId" in event ? event.webhookEventId : undefined,
      }));
    },
    normalize: (payload) => normalizeLineEvent(parseLineEvent(payload)),
  };
}

/** Who acted and where: the person, and the group or room when the chat is one. */
function partiesOf(source: LineSource): { from: Party; thread?: Party } {
  if (source.type === "user") return { from: { platformId: source.userId, kind: "user" } };
  const thread: Party =
    source.type === "group"
      ? { platformId: source.groupId, kind: "group" }
      : { platformId: source.roomId, kind: "room" };
  // Without a user id (someone LINE does not name), the group itself speaks.
  return source.userId ? { from: { platformId: source.userId, kind: "user" }, thread } : { from: thread };
}

/** One LINE event as customer events (none for the events the inbox has no use for). */
export function normalizeLineEvent(event: LineEvent): CustomerEvent[] {
  if (event.type === "unknown") return [{ type: "unknown", keys: [event.eventType || "(none)"] }];
  const { from, thread } = partiesOf(event.source);
  const at = new Date(event.timestamp);
  const standby = event.mode === "standby";
  const sendMetadata = (replyToken: string | undefined) =>
    replyToken ? { sendMetadata: { replyToken, receivedAt: at.toISOString() } } : {};
  switch (event.type) {
    case "message":
      return [
        {
          type: "message",
          from,
          thread,
          standby,
          message: { ...messageContent(event), at, ...sendMetadata(event.replyToken) },
        },
      ];
    case "postback":
      return [
        {
          type: "message",
          from,
          thread,
          standby,
          message: {
            platformMessageId: `postback:${event.webhookEventId}`,
            text: event.postback.data,
            attachments: [],
            payload: event.postback.data,
            postback: true,
            replyToPlatformId: null,
            at,
            ...sendMetadata(event.replyToken),
          },
        },
      ];
    case "follow":
    case "unfollow":
      return [{ type: event.type, from, at }];
    case "unsend":
      return [{ type: "unsend", from, platformMessageId: event.unsend.messageId, at }];
    default:
      // join / leave / memberJoined / memberLeft: nothing for the inbox yet.
      return [{ type: "unknown", keys: [event.type] }];
  }
}

type Content = Omit<InboundMessage, "at" | "sendMetadata">;

function messageContent(event: LineMessageEvent): Content {
  const message = event.message;
  const base = {
    platformMessageId: message.id,
    payload: null,
    postback: false,
    replyToPlatformId: "quotedMessageId" in message ? (message.quotedMessageId ?? null) : null,
  };
  const media = (attachment: InboundAttachment): Content => ({ ...base, text: null, attachments: [attachment] });
  switch (message.type) {
    case "text":
      return { ...base, text: message.text, attachments: [] };
    case "sticker":
      // Shown as LINE's sticker image; the ids ride along for answering with the same sticker.
      return {
        ...base,
        text: message.text ?? null,
        attachments: [{ ...lineStickerAttachment(message.packageId, message.stickerId), name: "Sticker" }],
      };
    case "image":
    case "video":
    case "audio": {
      const provider = message.contentProvider;
      // Content on the customer's own server is linked; LINE's is fetched (`contentRef`) and kept.
      if (provider.type === "external" && provider.originalContentUrl) {
        return media({ type: message.type, url: provider.originalContentUrl });
      }
      return media({ type: message.type, url: "", contentRef: message.id });
    }
    case "file":
      return media({ type: "file", url: "", name: message.fileName, contentRef: message.id });
    case "location": {
      const point = `${message.latitude},${message.longitude}`;
      const label = [message.title, message.address].filter(Boolean).join("\n");
      return {
        ...base,
        text: label || point,
        attachments: [
          {
            type: "location",
            url: `https://www.google.com/maps/search/?api=1&query=${point}`,
            ...(message.title ? { name: message.title } : {}),
          },
        ],
      };
    }
    case "unknown":
      return { ...base, text: null, attachments: [{ type: "fallback", url: "", name: message.messageType }] };
  }
}

// ---- outbound ----------------------------------------------------------------------------------

/** The answered message's reply token, if this send may use it: a bot's first part, fresh and unused. */
function freshReplyToken(input: SendInput, now: number): string | null {
  if (input.message.role !== "BOT" || input.alreadySent > 0 || !input.answering || input.answering.answered) {
    return null;
  }
  const { replyToken, receivedAt } = input.answering.metadata;
  if (typeof replyToken !== "string" || !replyToken) return null;
  const at = typeof receivedAt === "string" ? Date.parse(receivedAt) : input.answering.createdAt.getTime();
  return Number.isFinite(at) && now - at < LINE_REPLY_TOKEN_FRESH_MS ? replyToken : null;
}

/**
 * Sends one of our messages in calls of at most five LINE messages. The first call answers with the
 * reply token while it is fresh (free); it and every later call otherwise go by push to the user,
 * group or room, each with a retry key derived from our message id, the call's index and where in it
 * the call starts, so a retry after a lost answer gets LINE's 409 ("already accepted") instead of a
 * second delivery. Each message of a call is reported through `onPartSent`; what an earlier attempt
 * sent is skipped.
 *
 * A call that carries the product carousel and that LINE refuses as invalid goes again without it,
 * so the customer still gets the text (which names the products); the refusal is then thrown, and the
 * job records it on the message — a retry sends the carousel alone.
 */
export async function sendLine(line: LineClient, token: string, input: SendInput, now = Date.now()): Promise<void> {
  // Files we keep go by their public URL (LINE fetches them), with the small JPEG kept beside an image.
  const previews = new Map<MessageAttachment, string | null>();
  const attachments = input.message.attachments.map((attachment) => {
    const url = input.media.publicUrl(attachment);
    if (!url) return attachment;
    const kept = { ...attachment, url };
    previews.set(kept, input.media.publicUrl(attachment, "preview"));
    return kept;
  });
  const batches = batchLineMessages(
    toLineMessages({ ...input.message, attachments }, { previewUrlOf: (a) => previews.get(a) }),
  );
  let replyToken = freshReplyToken(input, now);
  const call = async (messages: LineMessage[], seed: string) => {
    if (replyToken) {
      const used = replyToken;
      try {
        const result = await line.reply(token, { replyToken: used, messages });
        replyToken = null; // once
        return result;
      } catch (error) {
        // Refused as invalid, the token is still unused (LINE checks the body first): kept for the
        // call without the carousel. Used, expired or refused otherwise: the same call goes by push.
        if (!(error instanceof LineApiError && error.code === "invalid_request")) replyToken = null;
        if (!(error instanceof LineApiError) || !error.invalidReplyToken) throw error;
      }
    }
    return line.push(token, { to: input.contact.platformUserId, messages }, { retryKey: lineRetryKey(seed) });
  };
  for (const [index, batch] of batches.entries()) {
    const first = index * LINE_MAX_MESSAGES_PER_CALL;
    const skip = Math.max(0, input.alreadySent - first);
    if (skip >= batch.length) continue;
    const messages = batch.slice(skip);
    const seed = skip ? `${input.message.id}:${index}:${skip}` : `${input.message.id}:${index}`;
    let result: Awaited<ReturnType<LineClient["push"]>>;
    try {
      result = await call(messages, seed);
    } catch (error) {
      const withoutCards = messages.filter((m) => m.type !== "template");
      const refused = error instanceof LineApiError && error.code === "invalid_request";
      if (!refused || withoutCards.length === messages.length || withoutCards.length === 0) throw error;
      const sent = await call(withoutCards, `${seed}:text`);
      for (let i = 0; i < withoutCards.length; i++) await input.onPartSent(sent.sentMessages[i]?.id ?? null);
      throw error;
    }
    for (let i = 0; i < messages.length; i++) await input.onPartSent(result.sentMessages[i]?.id ?? null);
  }
}
