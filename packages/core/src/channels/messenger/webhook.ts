/**
 * The Messenger webhook's wire format: the signature over the exact bytes Meta sent, and a tolerant
 * schema that turns every `messaging[]` / `standby[]` item into one normalised event.
 *
 * Meta adds event kinds and fields over time (edits, opt-ins, referrals, handovers…). Unknown fields
 * are ignored and an item that matches no known kind becomes `{ type: "unknown" }` — stored with its
 * entry and skipped — instead of failing the POST: a 4xx makes Meta redeliver the whole batch for
 * hours and eventually unsubscribe the app. Only a body that is not a Page webhook at all is refused.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { DomainError } from "../../errors.ts";

const SIGNATURE_256 = /^sha256=([0-9a-f]{64})$/i;

/**
 * `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>`, compared in constant time.
 * Nothing else is accepted: not the legacy `sha1=` header, not a signature of re-serialised JSON.
 */
export function verifyMessengerSignature(
  rawBody: Uint8Array | string,
  header: string | null | undefined,
  appSecret: string,
): boolean {
  if (!header || !appSecret) return false;
  const hex = SIGNATURE_256.exec(header.trim())?.[1];
  if (!hex) return false;
  const expected = createHmac("sha256", appSecret).update(rawBody).digest();
  return timingSafeEqual(Buffer.from(hex, "hex"), expected);
}

// Graph ids are strings on the wire; accept numbers too rather than drop an event over it.
const GraphId = z.union([z.string().min(1), z.number()]).transform(String);
const Party = z.looseObject({ id: GraphId });
const Base = z.looseObject({ sender: Party, recipient: Party, timestamp: z.number() });

const RawAttachment = z.looseObject({
  type: z.string(),
  title: z.string().nullish(),
  // `fallback` attachments carry their link at the top level, the others in `payload.url`.
  url: z.string().nullish(),
  payload: z.looseObject({ url: z.string().nullish(), title: z.string().nullish() }).nullish(),
});

export interface MessengerAttachmentRef {
  /** Meta's attachment type as sent: image, audio, video, file, sticker, reel, fallback, … */
  type: string;
  url: string | null;
  title: string | null;
}

const RawMessage = z.looseObject({
  mid: z.string().min(1),
  text: z.string().nullish(),
  quick_reply: z.looseObject({ payload: z.string() }).nullish(),
  reply_to: z.looseObject({ mid: z.string().nullish() }).nullish(),
  attachments: z.array(RawAttachment).nullish(),
  is_echo: z.boolean().nullish(),
  app_id: GraphId.nullish(),
  metadata: z.string().nullish(),
});

interface EventBase {
  senderId: string;
  recipientId: string;
  /** Milliseconds since the epoch, as Meta stamped the event. */
  timestamp: number;
}

/** A message from the customer: text, attachments, a quick-reply tap, or a reply to a message. */
export interface MessengerMessageEvent extends EventBase {
  type: "message";
  mid: string;
  text: string | null;
  attachments: MessengerAttachmentRef[];
  quickReplyPayload: string | null;
  replyToMid: string | null;
}

/** A message the Page sent, from Tandem or from any other tool (the Page inbox, another app). */
export interface MessengerEchoEvent extends EventBase {
  type: "echo";
  mid: string;
  text: string | null;
  attachments: MessengerAttachmentRef[];
  appId: string | null;
  metadata: string | null;
}

export interface MessengerPostbackEvent extends EventBase {
  type: "postback";
  /** Missing on some older deliveries. */
  mid: string | null;
  title: string;
  payload: string;
}

export interface MessengerDeliveryEvent extends EventBase {
  type: "delivery";
  /** May be missing; the watermark is always there. */
  mids: string[];
  watermark: number;
}

export interface MessengerReadEvent extends EventBase {
  type: "read";
  watermark: number;
}

export interface MessengerReactionEvent extends EventBase {
  type: "reaction";
  mid: string;
  action: "react" | "unreact";
  reaction: string | null;
  emoji: string | null;
}

export interface MessengerUnknownEvent {
  type: "unknown";
  /** Top-level keys of the item (`optin`, `referral`, `message_edit`, …), for the logs. */
  keys: string[];
}

export type MessengerEvent =
  | MessengerMessageEvent
  | MessengerEchoEvent
  | MessengerPostbackEvent
  | MessengerDeliveryEvent
  | MessengerReadEvent
  | MessengerReactionEvent
  | MessengerUnknownEvent;

const base = (e: z.infer<typeof Base>): EventBase => ({
  senderId: e.sender.id,
  recipientId: e.recipient.id,
  timestamp: e.timestamp,
});

/**
 * The message's attachments. While Meta phases in the `sticker` type (until 30 Aug 2026) a sticker
 * arrives twice, as `sticker` and as `image` with the same URL: it is kept once, as the sticker.
 */
function attachmentsOf(list: z.infer<typeof RawAttachment>[] | null | undefined): MessengerAttachmentRef[] {
  const refs = (list ?? []).map((a) => ({
    type: a.type,
    url: a.payload?.url ?? a.url ?? null,
    title: a.payload?.title ?? a.title ?? null,
  }));
  const stickers = new Set(refs.flatMap((a) => (a.type === "sticker" && a.url ? [a.url] : [])));
  return refs.filter((a) => !(a.type === "image" && a.url && stickers.has(a.url)));
}

const MessageItem = Base.extend({ message: RawMessage }).transform((e): MessengerMessageEvent | MessengerEchoEvent => {
  const m = e.message;
  const common = { ...base(e), mid: m.mid, text: m.text ?? null, attachments: attachmentsOf(m.attachments) };
  if (m.is_echo) return { type: "echo", ...common, appId: m.app_id ?? null, metadata: m.metadata ?? null };
  return {
    type: "message",
    ...common,
    quickReplyPayload: m.quick_reply?.payload ?? null,
    replyToMid: m.reply_to?.mid ?? null,
  };
});

const PostbackItem = Base.extend({
  postback: z.looseObject({ mid: z.string().nullish(), title: z.string().nullish(), payload: z.string().nullish() }),
}).transform(
  (e): MessengerPostbackEvent => ({
    type: "postback",
    ...base(e),
    mid: e.postback.mid ?? null,
    title: e.postback.title ?? "",
    payload: e.postback.payload ?? "",
  }),
);

const DeliveryItem = Base.extend({
  delivery: z.looseObject({ mids: z.array(z.string()).nullish(), watermark: z.number() }),
}).transform(
  (e): MessengerDeliveryEvent => ({
    type: "delivery",
    ...base(e),
    mids: e.delivery.mids ?? [],
    watermark: e.delivery.watermark,
  }),
);

const ReadItem = Base.extend({ read: z.looseObject({ watermark: z.number() }) }).transform(
  (e): MessengerReadEvent => ({ type: "read", ...base(e), watermark: e.read.watermark }),
);

const ReactionItem = Base.extend({
  reaction: z.looseObject({
    mid: z.string().min(1),
    action: z.enum(["react", "unreact"]),
    reaction: z.string().nullish(),
    emoji: z.string().nullish(),
  }),
}).transform(
  (e): MessengerReactionEvent => ({
    type: "reaction",
    ...base(e),
    mid: e.reaction.mid,
    action: e.reaction.action,
    reaction: e.reaction.reaction ?? null,
    emoji: e.reaction.emoji ?? null,
  }),
);

const KnownItem = z.union([MessageItem, PostbackItem, DeliveryItem, ReadItem, ReactionItem]);

const Item = z.unknown().transform((raw): MessengerEvent => {
  const known = KnownItem.safeParse(raw);
  if (known.success) return known.data;
  return { type: "unknown", keys: raw && typeof raw === "object" ? Object.keys(raw) : [] };
});

/** One `entry[]` item: the events of one Page. `standby` holds events of threads another app owns. */
export const MessengerEntry = z.looseObject({
  id: GraphId,
  time: z.number().optional(),
  messaging: z.array(Item).optional(),
  standby: z.array(Item).optional(),
  /** Page changes (the `feed` field and the Page's own fields): the Page's metadata is read again. */
  changes: z.array(z.looseObject({ field: z.string().nullish() })).optional(),
});
export type MessengerEntry = z.output<typeof MessengerEntry>;

export const MessengerWebhook = z.looseObject({
  object: z.literal("page"),
  entry: z.array(MessengerEntry),
});
export type MessengerWebhook = z.output<typeof MessengerWebhook>;

function invalid(error: z.ZodError): DomainError {
  return new DomainError("invalid_input", "The body is not a Messenger Page webhook", {
    details: error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message, code: i.code })),
  });
}

/** Validates a parsed webhook body (`object: "page"`, `entry[]`); throws `invalid_input` otherwise. */
export function parseMessengerWebhook(json: unknown): MessengerWebhook {
  const result = MessengerWebhook.safeParse(json);
  if (!result.success) throw invalid(result.error);
  return result.data;
}

/** Validates one stored `entry[]` item (the processing job reads it back from `inbound_event`). */
export function parseMessengerEntry(json: unknown): MessengerEntry {
  const result = MessengerEntry.safeParse(json);
  if (!result.success) throw invalid(result.error);
  return result.data;
}

/** Every event of an entry, standby ones flagged. */
export function entryEvents(entry: MessengerEntry): { event: MessengerEvent; standby: boolean }[] {
  return [
    ...(entry.messaging ?? []).map((event) => ({ event, standby: false })),
    ...(entry.standby ?? []).map((event) => ({ event, standby: true })),
  ];
}
