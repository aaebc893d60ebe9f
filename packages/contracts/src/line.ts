import { z } from "zod";
import { ChannelDto } from "./conversations.ts";

/**
 * LINE Official Account integration (`/api/v1/integrations/line/{chatbotId}/…`): one LINE channel per
 * chatbot, connected with the three credentials of its Messaging API channel. Secrets go in and never
 * come back out: responses carry masked hints only.
 */

export const LineChatbotParam = z.object({ chatbotId: z.string().min(1).max(64) });
export type LineChatbotParam = z.infer<typeof LineChatbotParam>;

/**
 * `PUT …/config`. Connecting needs all three; on an update, an omitted secret or token keeps the
 * stored one (the dashboard never sees them again).
 */
export const ConfigureLineInput = z.object({
  channelId: z
    .string()
    .trim()
    .regex(/^\d{5,20}$/, "must be the numeric Channel ID from the Basic settings tab"),
  channelSecret: z
    .string()
    .trim()
    .regex(/^[0-9a-fA-F]{32}$/, "must be the 32 hexadecimal characters of the Channel secret (Basic settings tab)")
    .optional(),
  channelAccessToken: z
    .string()
    .trim()
    .min(1, "must not be empty")
    .max(1000, "is longer than a LINE channel access token (at most 1,000 characters)")
    .optional(),
});
export type ConfigureLineInput = z.infer<typeof ConfigureLineInput>;

/** A part of the status LINE had to answer; `error` says why it could not be read this time. */
const Unavailable = z.string().nullable();

export const LineTokenState = z.object({
  /** `valid`: LINE answered the bot-info check; `rejected`: 401; `unavailable`: no verdict this time. */
  state: z.enum(["valid", "rejected", "unavailable"]),
  message: z.string().nullable(),
});
export type LineTokenState = z.infer<typeof LineTokenState>;

export const LineWebhookView = z.object({
  /** The URL LINE must deliver this chatbot's events to. */
  expectedUrl: z.string(),
  /** Why LINE would refuse `expectedUrl` (it requires https); null when it can be set. */
  problem: z.string().nullable(),
  /** LINE's view (`GET /v2/bot/channel/webhook/endpoint`); null when not connected or unavailable. */
  line: z
    .object({
      /** null: no webhook URL set on LINE. */
      endpoint: z.string().nullable(),
      /** "Use webhook" is on. */
      active: z.boolean(),
      matches: z.boolean(),
    })
    .nullable(),
  error: Unavailable,
});
export type LineWebhookView = z.infer<typeof LineWebhookView>;

export const LineQuotaView = z.object({
  /** Push messages allowed this month; null: no limit. */
  limit: z.number().nullable(),
  /** Push messages sent this month (replies are free and not counted). */
  used: z.number(),
});
export type LineQuotaView = z.infer<typeof LineQuotaView>;

/** `GET …/status`: the channel row's health plus live checks, each of which may be unavailable alone. */
export const LineStatus = z.object({
  chatbotId: z.string(),
  connected: z.boolean(),
  /** The channel (name, status and reason, masked hints, webhook counters); null when not connected. */
  channel: ChannelDto.nullable(),
  /** LINE's numeric Channel ID, as entered. */
  lineChannelId: z.string().nullable(),
  /** The bot's user id: the `destination` of its webhooks. */
  botUserId: z.string().nullable(),
  /** The bot's LINE ID (`@…`), from the live bot-info check. */
  basicId: z.string().nullable(),
  token: LineTokenState.nullable(),
  webhook: LineWebhookView,
  quota: LineQuotaView.nullable(),
  quotaError: Unavailable,
  checkedAt: z.string(),
});
export type LineStatus = z.infer<typeof LineStatus>;

/** `POST …/webhook-endpoint`: the URL set on LINE. */
export const LineWebhookEndpointResult = z.object({ endpoint: z.string(), active: z.boolean() });
export type LineWebhookEndpointResult = z.infer<typeof LineWebhookEndpointResult>;

/** `POST …/webhook-test`: LINE's own verdict on our endpoint, as LINE reports it. */
export const LineWebhookTestResult = z.object({
  success: z.boolean(),
  timestamp: z.string(),
  statusCode: z.number(),
  /** `OK`, `ERROR_STATUS_CODE`, `COULD_NOT_CONNECT`, `REQUEST_TIMEOUT`, … */
  reason: z.string(),
  detail: z.string(),
});
export type LineWebhookTestResult = z.infer<typeof LineWebhookTestResult>;

/** `GET /api/v1/integrations/line`: the workspace's chatbots, each with its LINE channel if any. */
export const LineChatbotsResponse = z.object({
  data: z.array(
    z.object({
      chatbotId: z.string(),
      name: z.string(),
      isDefault: z.boolean(),
      channel: ChannelDto.nullable(),
    }),
  ),
});
export type LineChatbotsResponse = z.infer<typeof LineChatbotsResponse>;
