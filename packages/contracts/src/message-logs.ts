import { z } from "zod";
import { ChannelType, MessageKind, MessageRole, MessageStatus } from "./conversations.ts";

/** The list shows this much of each message's text; the CSV export has it whole. */
export const MESSAGE_LOG_TEXT_LENGTH = 500;
/** The CSV export stops after this many rows (newest first) and says so in its last line. */
export const MESSAGE_LOG_EXPORT_MAX_ROWS = 100_000;

const isoTime = z.string().datetime({ offset: true });

/** Filters of `GET /api/v1/logs/messages` and of its CSV export (`…/messages.csv`). */
export const MessageLogFilters = z.object({
  /** A channel: one Facebook Page, LINE account, widget or API channel. */
  channelId: z.string().max(64).optional(),
  channelType: ChannelType.optional(),
  /** The chatbot of the message's conversation. */
  chatbotId: z.string().max(64).optional(),
  /** The member who wrote the message (AGENT messages and notes). */
  agentId: z.string().max(64).optional(),
  role: MessageRole.optional(),
  kind: MessageKind.optional(),
  status: MessageStatus.optional(),
  conversationId: z.string().max(64).optional(),
  /** Messages created at or after this time (ISO-8601). */
  from: isoTime.optional(),
  /** Messages created before this time (ISO-8601). */
  to: isoTime.optional(),
  /** Words of the message text: any case, accents ignored; Thai, Japanese and Chinese found inside words. */
  text: z.string().trim().min(1).max(200).optional(),
});
export type MessageLogFilters = z.infer<typeof MessageLogFilters>;

export const MessageLogQuery = MessageLogFilters.extend({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type MessageLogQuery = z.infer<typeof MessageLogQuery>;

export const MessageLogEntry = z.object({
  id: z.string(),
  createdAt: z.string(),
  conversationId: z.string(),
  channel: z.object({ id: z.string(), type: ChannelType, name: z.string() }).nullable(),
  contact: z.object({ id: z.string(), name: z.string().nullable() }).nullable(),
  role: MessageRole,
  kind: MessageKind,
  status: MessageStatus,
  /** Who wrote it: the customer's name, the agent's, the bot's chatbot, or "System". */
  author: z.object({
    type: z.enum(["customer", "agent", "bot", "system"]),
    name: z.string().nullable(),
    /** The member for agents, the chatbot for bots. */
    id: z.string().nullable(),
  }),
  /** Up to MESSAGE_LOG_TEXT_LENGTH characters; `textTruncated` says when there is more. */
  text: z.string().nullable(),
  textTruncated: z.boolean(),
  attachments: z.number().int(),
  errorCode: z.string().nullable(),
  errorMessage: z.string().nullable(),
  /** Bot answers: which model wrote it, how long it took and what it used. */
  provider: z.string().nullable(),
  model: z.string().nullable(),
  latencyMs: z.number().nullable(),
  inputTokens: z.number().nullable(),
  outputTokens: z.number().nullable(),
});
export type MessageLogEntry = z.infer<typeof MessageLogEntry>;

export const MessageLogResponse = z.object({ data: z.array(MessageLogEntry), nextCursor: z.string().nullable() });
export type MessageLogResponse = z.infer<typeof MessageLogResponse>;
