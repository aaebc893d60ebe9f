/**
 * The customer's side of Messenger: builds webhook payloads the way Meta delivers them and posts
 * them signed. Meta escapes non-ASCII characters (`\u00e4`) and slashes (`\/`) in the body and signs
 * those exact bytes, so a receiver that re-serialises the parsed JSON computes a different HMAC —
 * `serializeLikeMeta` reproduces that on purpose.
 */
import { createHmac, randomBytes } from "node:crypto";

export interface MessengerThread {
  pageId: string;
  psid: string;
  /** Milliseconds since the epoch; defaults to now. */
  timestamp?: number;
}

export interface MessengerAttachment {
  type: "image" | "audio" | "video" | "file" | "reel" | "ig_reel" | "post" | "ig_post" | "sticker" | "fallback";
  payload: { url?: string; sticker_id?: number; title?: string; [key: string]: unknown };
}

export type MessengerReaction = "smile" | "angry" | "sad" | "wow" | "love" | "like" | "dislike" | "other";

export interface MessagingEvent {
  sender: { id: string };
  recipient: { id: string };
  timestamp: number;
  message?: {
    mid: string;
    text?: string;
    quick_reply?: { payload: string };
    reply_to?: { mid: string; is_self_reply?: boolean };
    attachments?: MessengerAttachment[];
    is_echo?: true;
    app_id?: number;
    metadata?: string;
  };
  postback?: { mid: string; title: string; payload: string; referral?: Record<string, unknown> };
  delivery?: { mids?: string[]; watermark: number };
  read?: { watermark: number };
  reaction?: { mid: string; action: "react" | "unreact"; reaction?: MessengerReaction; emoji?: string };
}

export interface MessengerEntry {
  id: string;
  time: number;
  messaging?: MessagingEvent[];
  standby?: MessagingEvent[];
}

export interface MessengerWebhookPayload {
  object: "page";
  entry: MessengerEntry[];
}

const REACTION_EMOJI: Record<MessengerReaction, string> = {
  smile: "😆",
  angry: "😡",
  sad: "😢",
  wow: "😮",
  love: "❤️",
  like: "👍",
  dislike: "👎",
  other: "🙂",
};

let midCounter = 0;

/** A fresh, globally unique message id in Meta's `m_…` shape. */
export function newMid(): string {
  midCounter += 1;
  return `m_cust${midCounter}_${randomBytes(12).toString("base64url")}`;
}

function fromCustomer(thread: MessengerThread): Pick<MessagingEvent, "sender" | "recipient" | "timestamp"> {
  return { sender: { id: thread.psid }, recipient: { id: thread.pageId }, timestamp: thread.timestamp ?? Date.now() };
}

export function textEvent(
  thread: MessengerThread & { text: string; mid?: string; replyToMid?: string },
): MessagingEvent {
  return {
    ...fromCustomer(thread),
    message: {
      mid: thread.mid ?? newMid(),
      text: thread.text,
      ...(thread.replyToMid ? { reply_to: { mid: thread.replyToMid } } : {}),
    },
  };
}

export function attachmentEvent(
  thread: MessengerThread & { attachments: MessengerAttachment[]; text?: string; mid?: string },
): MessagingEvent {
  return {
    ...fromCustomer(thread),
    message: {
      mid: thread.mid ?? newMid(),
      ...(thread.text === undefined ? {} : { text: thread.text }),
      attachments: thread.attachments,
    },
  };
}

/** A tap on a quick reply: the button's title arrives as text, its payload beside it. */
export function quickReplyEvent(
  thread: MessengerThread & { text: string; payload: string; mid?: string },
): MessagingEvent {
  return {
    ...fromCustomer(thread),
    message: { mid: thread.mid ?? newMid(), text: thread.text, quick_reply: { payload: thread.payload } },
  };
}

export function postbackEvent(
  thread: MessengerThread & { title: string; payload: string; mid?: string; referral?: Record<string, unknown> },
): MessagingEvent {
  return {
    ...fromCustomer(thread),
    postback: {
      mid: thread.mid ?? newMid(),
      title: thread.title,
      payload: thread.payload,
      ...(thread.referral ? { referral: thread.referral } : {}),
    },
  };
}

/** `mids` may be missing on real deliveries; `watermark` is always there. */
export function deliveryEvent(thread: MessengerThread & { watermark: number; mids?: string[] }): MessagingEvent {
  return {
    ...fromCustomer(thread),
    delivery: { ...(thread.mids ? { mids: thread.mids } : {}), watermark: thread.watermark },
  };
}

export function readEvent(thread: MessengerThread & { watermark: number }): MessagingEvent {
  return { ...fromCustomer(thread), read: { watermark: thread.watermark } };
}

/** A message the Page itself sent (from Tandem or another tool such as the Page inbox). */
export function echoEvent(
  thread: MessengerThread & {
    text?: string;
    attachments?: MessengerAttachment[];
    mid?: string;
    appId?: number;
    metadata?: string;
  },
): MessagingEvent {
  return {
    sender: { id: thread.pageId },
    recipient: { id: thread.psid },
    timestamp: thread.timestamp ?? Date.now(),
    message: {
      mid: thread.mid ?? newMid(),
      is_echo: true,
      // Page inbox app id when no other app is named.
      app_id: thread.appId ?? 263902037430900,
      ...(thread.metadata === undefined ? {} : { metadata: thread.metadata }),
      ...(thread.text === undefined ? {} : { text: thread.text }),
      ...(thread.attachments ? { attachments: thread.attachments } : {}),
    },
  };
}

export function reactionEvent(
  thread: MessengerThread & { mid: string; reaction?: MessengerReaction; action?: "react" | "unreact" },
): MessagingEvent {
  const action = thread.action ?? "react";
  const reaction = thread.reaction ?? "love";
  return {
    ...fromCustomer(thread),
    reaction:
      action === "react"
        ? { mid: thread.mid, action, reaction, emoji: REACTION_EMOJI[reaction] }
        : { mid: thread.mid, action },
  };
}

/**
 * Wraps events in `{object: "page", entry: [...]}`, one entry per Page (the Page is the recipient,
 * or the sender for echoes). `standby: true` delivers them in `entry[].standby[]`, as Meta does when
 * another app owns the thread.
 */
export function messengerWebhook(
  events: MessagingEvent[],
  options: { standby?: boolean; time?: number } = {},
): MessengerWebhookPayload {
  const entries = new Map<string, MessengerEntry>();
  const time = options.time ?? Date.now();
  for (const event of events) {
    const pageId = event.message?.is_echo ? event.sender.id : event.recipient.id;
    let entry = entries.get(pageId);
    if (!entry) {
      entry = { id: pageId, time };
      entries.set(pageId, entry);
    }
    const key = options.standby ? "standby" : "messaging";
    entry[key] = [...(entry[key] ?? []), event];
  }
  return { object: "page", entry: [...entries.values()] };
}

/** JSON as Meta serialises it: non-ASCII as lower-case `\uXXXX` (UTF-16 units) and `/` as `\/`. */
export function serializeLikeMeta(payload: unknown): string {
  return JSON.stringify(payload)
    .replace(/[\u0080-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`)
    .replace(/\//g, "\\/");
}

/** `sha256=<lower-case hex HMAC-SHA256(appSecret, body bytes)>`, the `X-Hub-Signature-256` value. */
export function signMessengerBody(appSecret: string, body: string | Uint8Array): string {
  return `sha256=${createHmac("sha256", appSecret).update(body).digest("hex")}`;
}

/** The legacy `X-Hub-Signature` value (`sha1=…`), which Meta still sends alongside. */
export function signMessengerBodySha1(appSecret: string, body: string | Uint8Array): string {
  return `sha1=${createHmac("sha1", appSecret).update(body).digest("hex")}`;
}

export interface PostWebhookOptions {
  /** Defaults to global `fetch`; pass `app.request`-style functions to stay in-process. */
  fetch?: (input: Request) => Response | Promise<Response>;
  headers?: Record<string, string>;
}

/**
 * POSTs a webhook as Meta does: the payload (or an already serialised body, sent verbatim) with
 * `X-Hub-Signature-256` and `X-Hub-Signature` computed over the exact bytes sent.
 */
export async function postSignedWebhook(
  url: string,
  appSecret: string,
  payload: MessengerWebhookPayload | string,
  options: PostWebhookOptions = {},
): Promise<Response> {
  const body = Buffer.from(typeof payload === "string" ? payload : serializeLikeMeta(payload), "utf8");
  const request = new Request(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "user-agent": "facebookexternalua",
      "x-hub-signature": signMessengerBodySha1(appSecret, body),
      "x-hub-signature-256": signMessengerBody(appSecret, body),
      ...options.headers,
    },
    body,
  });
  return (options.fetch ?? fetch)(request);
}
