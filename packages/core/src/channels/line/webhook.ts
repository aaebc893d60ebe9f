/**
 * LINE webhook bodies parsed with zod into typed events. One odd event never fails the body: an
 * event type we do not handle (beacon, accountLink, membership, …), or one whose fields do not match
 * what LINE documents, comes back as `{type: "unknown", eventType, raw}`, and a message type we do
 * not know as a message of `type: "unknown"` — stored, never thrown.
 */
import { z } from "zod";

const Source = z.discriminatedUnion("type", [
  z.object({ type: z.literal("user"), userId: z.string().min(1) }),
  z.object({ type: z.literal("group"), groupId: z.string().min(1), userId: z.string().min(1).optional() }),
  z.object({ type: z.literal("room"), roomId: z.string().min(1), userId: z.string().min(1).optional() }),
]);
export type LineSource = z.infer<typeof Source>;

const Common = {
  mode: z.enum(["active", "standby"]),
  timestamp: z.number().int(),
  webhookEventId: z.string().min(1),
  deliveryContext: z.object({ isRedelivery: z.boolean() }),
  source: Source,
};

const ContentProvider = z.object({
  type: z.enum(["line", "external"]),
  originalContentUrl: z.string().optional(),
  previewImageUrl: z.string().optional(),
});

const Emoji = z.object({
  index: z.number().int(),
  length: z.number().int(),
  productId: z.string(),
  emojiId: z.string(),
});

const Mentionee = z.object({
  type: z.string(),
  index: z.number().int(),
  length: z.number().int(),
  userId: z.string().optional(),
  isSelf: z.boolean().optional(),
});

const MessageId = { id: z.string().min(1) };
const Quote = { quoteToken: z.string().optional(), quotedMessageId: z.string().optional() };

const TextContent = z.object({
  ...MessageId,
  ...Quote,
  type: z.literal("text"),
  text: z.string(),
  emojis: z.array(Emoji).optional(),
  mention: z.object({ mentionees: z.array(Mentionee) }).optional(),
});
const ImageContent = z.object({
  ...MessageId,
  ...Quote,
  type: z.literal("image"),
  contentProvider: ContentProvider,
  imageSet: z
    .object({ id: z.string(), index: z.number().int().optional(), total: z.number().int().optional() })
    .optional(),
});
const VideoContent = z.object({
  ...MessageId,
  ...Quote,
  type: z.literal("video"),
  duration: z.number().optional(),
  contentProvider: ContentProvider,
});
const AudioContent = z.object({
  ...MessageId,
  type: z.literal("audio"),
  duration: z.number().optional(),
  contentProvider: ContentProvider,
});
const FileContent = z.object({
  ...MessageId,
  type: z.literal("file"),
  fileName: z.string(),
  fileSize: z.number(),
});
const LocationContent = z.object({
  ...MessageId,
  type: z.literal("location"),
  title: z.string().optional(),
  address: z.string().optional(),
  latitude: z.number(),
  longitude: z.number(),
});
const StickerContent = z.object({
  ...MessageId,
  ...Quote,
  type: z.literal("sticker"),
  packageId: z.string(),
  stickerId: z.string(),
  stickerResourceType: z.string().optional(),
  keywords: z.array(z.string()).optional(),
  text: z.string().optional(),
});

const MESSAGE_CONTENTS = {
  text: TextContent,
  image: ImageContent,
  video: VideoContent,
  audio: AudioContent,
  file: FileContent,
  location: LocationContent,
  sticker: StickerContent,
} as const;

export type LineTextContent = z.infer<typeof TextContent>;
export type LineImageContent = z.infer<typeof ImageContent>;
export type LineVideoContent = z.infer<typeof VideoContent>;
export type LineAudioContent = z.infer<typeof AudioContent>;
export type LineFileContent = z.infer<typeof FileContent>;
export type LineLocationContent = z.infer<typeof LocationContent>;
export type LineStickerContent = z.infer<typeof StickerContent>;
/** A message type this code does not know yet: its id and type, and the object as received. */
export interface LineUnknownContent {
  type: "unknown";
  id: string;
  messageType: string;
  raw: unknown;
}
export type LineMessageContent =
  | LineTextContent
  | LineImageContent
  | LineVideoContent
  | LineAudioContent
  | LineFileContent
  | LineLocationContent
  | LineStickerContent
  | LineUnknownContent;

const Members = z.object({ members: z.array(z.object({ type: z.literal("user"), userId: z.string() })) });

const EVENTS = {
  message: z.object({
    ...Common,
    type: z.literal("message"),
    replyToken: z.string().optional(),
    message: z.looseObject({ id: z.string().min(1), type: z.string().min(1) }),
  }),
  follow: z.object({
    ...Common,
    type: z.literal("follow"),
    replyToken: z.string().optional(),
    follow: z.object({ isUnblocked: z.boolean() }).optional(),
  }),
  unfollow: z.object({ ...Common, type: z.literal("unfollow") }),
  postback: z.object({
    ...Common,
    type: z.literal("postback"),
    replyToken: z.string().optional(),
    postback: z.object({ data: z.string(), params: z.record(z.string(), z.unknown()).optional() }),
  }),
  unsend: z.object({ ...Common, type: z.literal("unsend"), unsend: z.object({ messageId: z.string().min(1) }) }),
  join: z.object({ ...Common, type: z.literal("join"), replyToken: z.string().optional() }),
  leave: z.object({ ...Common, type: z.literal("leave") }),
  memberJoined: z.object({
    ...Common,
    type: z.literal("memberJoined"),
    replyToken: z.string().optional(),
    joined: Members,
  }),
  memberLeft: z.object({ ...Common, type: z.literal("memberLeft"), left: Members }),
} as const;

type Events = typeof EVENTS;
type Parsed<K extends keyof Events> = z.infer<Events[K]>;

export type LineMessageEvent = Omit<Parsed<"message">, "message"> & { message: LineMessageContent };
export type LineFollowEvent = Parsed<"follow">;
export type LineUnfollowEvent = Parsed<"unfollow">;
export type LinePostbackEvent = Parsed<"postback">;
export type LineUnsendEvent = Parsed<"unsend">;
export type LineJoinEvent = Parsed<"join">;
export type LineLeaveEvent = Parsed<"leave">;
export type LineMemberJoinedEvent = Parsed<"memberJoined">;
export type LineMemberLeftEvent = Parsed<"memberLeft">;
/** An event we do not handle, or one that does not match LINE's documented shape. */
export interface LineUnknownEvent {
  type: "unknown";
  /** The event's own `type` ("beacon", "accountLink", …; "" when it has none). */
  eventType: string;
  /** Present when the event had one, so duplicates are still recognised. */
  webhookEventId?: string;
  raw: unknown;
  /** Why a known event type was not accepted (zod's first issue). */
  problem?: string;
}

export type LineEvent =
  | LineMessageEvent
  | LineFollowEvent
  | LineUnfollowEvent
  | LinePostbackEvent
  | LineUnsendEvent
  | LineJoinEvent
  | LineLeaveEvent
  | LineMemberJoinedEvent
  | LineMemberLeftEvent
  | LineUnknownEvent;

const Body = z.object({ destination: z.string().min(1), events: z.array(z.unknown()) });

export type LineWebhookParse = { ok: true; destination: string; events: LineEvent[] } | { ok: false; error: string };

/**
 * A webhook body (raw text or already parsed JSON). Only a body that is not `{destination, events[]}`
 * fails; each event is parsed on its own.
 */
export function parseLineWebhook(body: string | unknown): LineWebhookParse {
  let json: unknown = body;
  if (typeof body === "string") {
    try {
      json = JSON.parse(body);
    } catch {
      return { ok: false, error: "The body is not JSON" };
    }
  }
  const parsed = Body.safeParse(json);
  if (!parsed.success) return { ok: false, error: "The body is not a LINE webhook ({destination, events[]})" };
  return { ok: true, destination: parsed.data.destination, events: parsed.data.events.map(parseLineEvent) };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** One event of a webhook body; never throws. */
export function parseLineEvent(raw: unknown): LineEvent {
  const eventType = isRecord(raw) && typeof raw.type === "string" ? raw.type : "";
  const webhookEventId = isRecord(raw) && typeof raw.webhookEventId === "string" ? raw.webhookEventId : undefined;
  const unknownEvent = (problem?: string): LineUnknownEvent => ({
    type: "unknown",
    eventType,
    ...(webhookEventId ? { webhookEventId } : {}),
    raw,
    ...(problem ? { problem } : {}),
  });

  if (!Object.hasOwn(EVENTS, eventType)) return unknownEvent();
  const parsed = EVENTS[eventType as keyof Events].safeParse(raw);
  if (!parsed.success) return unknownEvent(describe(parsed.error));
  if (parsed.data.type !== "message") return parsed.data;

  const { message, ...event } = parsed.data;
  const schema = Object.hasOwn(MESSAGE_CONTENTS, message.type)
    ? MESSAGE_CONTENTS[message.type as keyof typeof MESSAGE_CONTENTS]
    : undefined;
  if (!schema)
    return { ...event, message: { type: "unknown", id: message.id, messageType: message.type, raw: message } };
  const content = schema.safeParse(message);
  if (!content.success) return unknownEvent(describe(content.error, "message"));
  return { ...event, message: content.data };
}

function describe(error: z.ZodError, prefix?: string): string {
  const issue = error.issues[0];
  if (!issue) return "invalid event";
  const path = [prefix, ...issue.path.map(String)].filter(Boolean).join(".");
  return path ? `${path}: ${issue.message}` : issue.message;
}

/** The id of the chat an event belongs to: the user, the group or the room. */
export function lineChatIdOf(source: LineSource): string {
  if (source.type === "group") return source.groupId;
  if (source.type === "room") return source.roomId;
  return source.userId;
}
