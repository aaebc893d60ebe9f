/**
 * In-memory world of the fake LINE platform: channels (Messaging API channels with their secret,
 * access token, bot user, webhook endpoint and monthly quota), LINE users, groups and rooms, the
 * reply tokens issued with webhook events, retry keys of accepted pushes, content the customers sent,
 * what the bots sent (the outbox) and injected faults.
 */
import { randomBytes, randomUUID } from "node:crypto";

export interface LineChannelInput {
  channelId: string;
  channelSecret: string;
  channelAccessToken: string;
  /** The bot's user id (`U` + 32 hex), the `destination` of its webhooks. */
  userId: string;
  /** `@` + the account's basic id. */
  basicId: string;
  displayName: string;
  pictureUrl?: string;
  chatMode?: "chat" | "bot";
  markAsReadMode?: "auto" | "manual";
  webhookEndpoint?: string;
  webhookActive?: boolean;
  /** Messages per month pushes may use; `null`: no limit (`{type: "none"}`). Default 200, the free plan's. */
  monthlyQuota?: number | null;
}

export interface SimLineChannel extends Required<Omit<LineChannelInput, "pictureUrl" | "monthlyQuota">> {
  pictureUrl?: string;
  monthlyQuota: number | null;
  /** Messages counted against the quota this month. */
  usage: number;
  /** Tokens that were valid once: a call with one answers 401 like an unknown token. */
  revokedTokens: string[];
}

export interface LineUserInput {
  userId: string;
  displayName: string;
  pictureUrl?: string;
  statusMessage?: string;
  language?: string;
}

export interface LineGroupInput {
  groupId: string;
  groupName: string;
  pictureUrl?: string;
  memberIds: string[];
}

export interface LineRoomInput {
  roomId: string;
  memberIds: string[];
}

export type LineChatType = "user" | "group" | "room";

export interface ReplyTokenRecord {
  token: string;
  channelId: string;
  chatType: LineChatType;
  chatId: string;
  /** The user whose event carried the token (absent for join events). */
  userId?: string;
  issuedAt: number;
  used: boolean;
}

export interface LineSentMessage {
  id: string;
  quoteToken?: string;
}

export interface LineOutboundRecord {
  kind: "reply" | "push";
  channelId: string;
  chatType: LineChatType;
  /** The user, group or room id the messages went to. */
  chatId: string;
  messages: Record<string, unknown>[];
  sentMessages: LineSentMessage[];
  replyToken?: string;
  retryKey?: string;
  notificationDisabled: boolean;
  requestId: string;
  time: number;
}

export interface LineContent {
  channelId: string;
  type: "image" | "video" | "audio" | "file";
  contentType: string;
  bytes: Uint8Array;
  fileName?: string;
}

export const LINE_FAULT_KINDS = [
  "server_error",
  "unavailable",
  "rate_limit",
  "token_revoked",
  /** The connection is destroyed before any answer. */
  "network_reset",
  /** No answer for `delayMs` (default 30 s), then the normal one: a client timeout fires first. */
  "timeout",
  /** A 400 naming the first message's property, as LINE refuses a body it will not take. */
  "invalid_request",
] as const;
export type LineFaultKind = (typeof LINE_FAULT_KINDS)[number];

export const LINE_FAULT_TARGETS = [
  "reply",
  "push",
  /** Only a reply or push that carries a template message (a product carousel). */
  "templates",
  "loading",
  "profile",
  "content",
  "info",
  "webhook",
  "quota",
  "all",
] as const;
export type LineFaultTarget = (typeof LINE_FAULT_TARGETS)[number];

export interface LineFault {
  kind: LineFaultKind;
  /** Default `all`. */
  on?: LineFaultTarget;
  /** Calls it applies to; default 1, `Infinity` until cleared. */
  times?: number;
  /** Only calls made with this channel's token; default any channel. */
  channelId?: string;
  delayMs?: number;
}

export interface LineStateSeed {
  channels?: LineChannelInput[];
  users?: LineUserInput[];
  groups?: LineGroupInput[];
  rooms?: LineRoomInput[];
}

const RETRY_KEY_TTL_MS = 24 * 60 * 60 * 1000;
const MAX_OUTBOX = 5_000;
const MAX_CONTENTS = 1_000;

export class LineState {
  readonly channels = new Map<string, SimLineChannel>();
  readonly users = new Map<string, LineUserInput>();
  readonly groups = new Map<string, LineGroupInput>();
  readonly rooms = new Map<string, LineRoomInput>();
  readonly replyTokens = new Map<string, ReplyTokenRecord>();
  /** `${channelId}:${retryKey}` → the accepted request. */
  readonly retryKeys = new Map<string, { requestId: string; sentMessages: LineSentMessage[]; time: number }>();
  readonly contents = new Map<string, LineContent>();
  readonly outbox: LineOutboundRecord[] = [];
  faults: LineFault[] = [];
  /** How long a reply token stays usable; LINE's is about one minute. */
  replyTokenTtlMs: number;
  private messageCounter = 0n;

  constructor(
    private readonly seed: LineStateSeed = {},
    private readonly defaults: { replyTokenTtlMs?: number; now?: () => number } = {},
  ) {
    this.replyTokenTtlMs = defaults.replyTokenTtlMs ?? 60_000;
    this.applySeed();
  }

  now(): number {
    return (this.defaults.now ?? Date.now)();
  }

  addChannel(input: LineChannelInput): SimLineChannel {
    const previous = this.channels.get(input.channelId);
    const channel: SimLineChannel = {
      chatMode: "bot",
      markAsReadMode: "auto",
      webhookEndpoint: "",
      webhookActive: false,
      ...input,
      monthlyQuota: input.monthlyQuota === undefined ? 200 : input.monthlyQuota,
      usage: previous?.usage ?? 0,
      revokedTokens: previous?.revokedTokens ?? [],
    };
    this.channels.set(channel.channelId, channel);
    return channel;
  }

  addUser(input: LineUserInput): LineUserInput {
    this.users.set(input.userId, { ...input });
    return input;
  }

  addGroup(input: LineGroupInput): LineGroupInput {
    this.groups.set(input.groupId, { ...input, memberIds: [...input.memberIds] });
    return input;
  }

  addRoom(input: LineRoomInput): LineRoomInput {
    this.rooms.set(input.roomId, { ...input, memberIds: [...input.memberIds] });
    return input;
  }

  channelByToken(token: string): SimLineChannel | undefined {
    for (const channel of this.channels.values()) if (channel.channelAccessToken === token) return channel;
    return undefined;
  }

  /** Revokes the channel's token; the new one (given or generated) is returned. */
  rotateToken(channelId: string, next?: string): string | undefined {
    const channel = this.channels.get(channelId);
    if (!channel) return undefined;
    channel.revokedTokens.push(channel.channelAccessToken);
    channel.channelAccessToken = next ?? randomBytes(128).toString("base64").replace(/[+/=]/g, "").slice(0, 172);
    return channel.channelAccessToken;
  }

  /** A reply token for an event delivered to this channel from this chat. */
  issueReplyToken(channelId: string, chatType: LineChatType, chatId: string, userId?: string): string {
    const token = randomBytes(16).toString("hex");
    if (this.replyTokens.size >= 10_000) {
      const oldest = this.replyTokens.keys().next().value;
      if (oldest !== undefined) this.replyTokens.delete(oldest);
    }
    this.replyTokens.set(token, {
      token,
      channelId,
      chatType,
      chatId,
      ...(userId ? { userId } : {}),
      issuedAt: this.now(),
      used: false,
    });
    return token;
  }

  /** Consumes a reply token; `undefined` when unknown, used, expired or another channel's. */
  takeReplyToken(channelId: string, token: string): ReplyTokenRecord | undefined {
    const record = this.replyTokens.get(token);
    if (!record || record.used || record.channelId !== channelId) return undefined;
    if (this.now() - record.issuedAt > this.replyTokenTtlMs) return undefined;
    record.used = true;
    return record;
  }

  /** Registers what a customer sent as an image, video, audio or file message, by message id. */
  storeContent(messageId: string, content: LineContent): void {
    this.contents.set(messageId, content);
    if (this.contents.size > MAX_CONTENTS) {
      const oldest = this.contents.keys().next().value;
      if (oldest !== undefined) this.contents.delete(oldest);
    }
  }

  acceptedRetry(channelId: string, key: string) {
    const accepted = this.retryKeys.get(`${channelId}:${key}`);
    if (accepted && this.now() - accepted.time > RETRY_KEY_TTL_MS) {
      this.retryKeys.delete(`${channelId}:${key}`);
      return undefined;
    }
    return accepted;
  }

  acceptRetry(channelId: string, key: string, requestId: string, sentMessages: LineSentMessage[]): void {
    this.retryKeys.set(`${channelId}:${key}`, { requestId, sentMessages, time: this.now() });
  }

  /** Numeric message ids, as LINE's are. */
  nextMessageId(): string {
    this.messageCounter += 1n;
    return String(600_000_000_000_000_000n + this.messageCounter);
  }

  newQuoteToken(): string {
    return `q${randomBytes(30).toString("base64url")}`;
  }

  newRequestId(): string {
    return randomUUID();
  }

  recordOutbound(record: LineOutboundRecord): void {
    this.outbox.push(record);
    if (this.outbox.length > MAX_OUTBOX) this.outbox.splice(0, this.outbox.length - MAX_OUTBOX);
  }

  /**
   * How many messages a push costs against the monthly quota: one per recipient, so a push to a
   * group or room costs one per member, whatever the number of message objects in it.
   */
  pushCost(chatType: LineChatType, chatId: string): number {
    if (chatType === "group") return Math.max(1, this.groups.get(chatId)?.memberIds.length ?? 1);
    if (chatType === "room") return Math.max(1, this.rooms.get(chatId)?.memberIds.length ?? 1);
    return 1;
  }

  addFault(fault: LineFault): void {
    this.faults.push(fault);
  }

  /** The first pending fault for this channel and call; consumes one use of it. */
  takeFault(channelId: string | undefined, target: Exclude<LineFaultTarget, "all">): LineFault | undefined {
    const index = this.faults.findIndex(
      (fault) =>
        (fault.on === undefined || fault.on === "all" || fault.on === target) &&
        (fault.channelId === undefined || fault.channelId === channelId),
    );
    const fault = this.faults[index];
    if (!fault) return undefined;
    const remaining = (fault.times ?? 1) - 1;
    if (remaining <= 0) this.faults.splice(index, 1);
    else this.faults[index] = { ...fault, times: remaining };
    return fault;
  }

  /** Back to the seeded channels, users, groups and rooms; forgets everything else. */
  reset(): void {
    this.channels.clear();
    this.users.clear();
    this.groups.clear();
    this.rooms.clear();
    this.replyTokens.clear();
    this.retryKeys.clear();
    this.contents.clear();
    this.outbox.length = 0;
    this.faults = [];
    this.messageCounter = 0n;
    this.replyTokenTtlMs = this.defaults.replyTokenTtlMs ?? 60_000;
    this.applySeed();
  }

  private applySeed(): void {
    for (const channel of this.seed.channels ?? []) this.addChannel(channel);
    for (const user of this.seed.users ?? []) this.addUser(user);
    for (const group of this.seed.groups ?? []) this.addGroup(group);
    for (const room of this.seed.rooms ?? []) this.addRoom(room);
  }
}

/** Which kind of chat an id names: LINE ids start with U (user), C (group) or R (room). */
export function chatTypeOf(id: string): LineChatType | undefined {
  if (/^U[0-9a-f]{32}$/.test(id)) return "user";
  if (/^C[0-9a-f]{32}$/.test(id)) return "group";
  if (/^R[0-9a-f]{32}$/.test(id)) return "room";
  return undefined;
}
