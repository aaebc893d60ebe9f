import { z } from "zod";
import { ChannelType } from "./conversations.ts";
import { ProviderKind } from "./providers.ts";

/**
 * `GET /api/v1/chatbots/{id}/health` (seed S2's health check): an overall status from the chatbot's
 * recorded failures in the last hour — `degraded` over 5, `unhealthy` over 10 (S2's
 * `chatbot_health_status` view) — with the parts it depends on. A channel of the chatbot that needs
 * reconnecting makes it at least `degraded`: the chatbot cannot answer there.
 */

export const CHATBOT_HEALTH_THRESHOLDS = {
  /** More errors than this in the last hour: `degraded`. */
  degradedOver: 5,
  /** More errors than this in the last hour: `unhealthy`. */
  unhealthyOver: 10,
} as const;

export const CHATBOT_HEALTH_STATUSES = ["healthy", "degraded", "unhealthy"] as const;
export const ChatbotHealthStatus = z.enum(CHATBOT_HEALTH_STATUSES);
export type ChatbotHealthStatus = z.infer<typeof ChatbotHealthStatus>;

export const CHATBOT_ERROR_KINDS = ["generation", "send", "retrieval", "embedding"] as const;
/**
 * `generation`: the bot could not write a reply (handed off); `send`: a channel refused a message for
 * good; `retrieval`: embedding the question or the vector search failed during a reply (it used full
 * text only); `embedding`: computing the knowledge's vectors failed.
 */
export const ChatbotErrorKind = z.enum(CHATBOT_ERROR_KINDS);
export type ChatbotErrorKind = z.infer<typeof ChatbotErrorKind>;

export const ChatbotErrorDto = z.object({
  id: z.string(),
  kind: ChatbotErrorKind,
  code: z.string(),
  message: z.string().nullable(),
  provider: ProviderKind.nullable(),
  model: z.string().nullable(),
  channelId: z.string().nullable(),
  conversationId: z.string().nullable(),
  messageId: z.string().nullable(),
  occurredAt: z.string(),
});
export type ChatbotErrorDto = z.infer<typeof ChatbotErrorDto>;

const CheckStatus = z.enum(["ok", "degraded", "down"]);

export const ChatbotHealthDto = z.object({
  status: ChatbotHealthStatus,
  checkedAt: z.string(),
  checks: z.object({
    /** A timed `select 1`. */
    database: z.object({ status: z.enum(["ok", "down"]), responseTime: z.number().int().nullable() }),
    /**
     * `ok`: pgvector installed and the chatbot's vectors ready; `degraded`: full text only (no
     * pgvector, no embedding model, or its vectors not ready / failed), or the vector path failed
     * during a reply in the last hour — answers still use full text.
     */
    vectorSearch: z.object({
      status: CheckStatus,
      available: z.boolean(),
      retrieval: z.enum(["hybrid", "full_text_only"]),
      embedding: z.enum(["off", "pending", "processing", "ready", "failed"]),
      error: z.string().nullable(),
      /** Replies of the last hour whose question embedding or vector search failed (`retrieval` errors). */
      failuresLastHour: z.number().int(),
    }),
    /**
     * The chatbot's provider and model; latency of its generated replies (milliseconds, null with
     * none); `errorRate` = failed generations / (replies + failed generations) in the last hour.
     * `down` when every attempt of the last hour failed, `degraded` when some did.
     */
    llmService: z.object({
      status: CheckStatus,
      provider: ProviderKind,
      model: z.string(),
      avgResponseTime: z.number().int().nullable(),
      avgResponseTimeLastDay: z.number().int().nullable(),
      repliesLastHour: z.number().int(),
      failedGenerationsLastHour: z.number().int(),
      errorRate: z.number().nullable(),
    }),
    errorRate: z.object({
      status: ChatbotHealthStatus,
      errorsLastHour: z.number().int(),
      errorsLastDay: z.number().int(),
      degradedThreshold: z.number().int(),
      errorThreshold: z.number().int(),
    }),
    channels: z.array(
      z.object({
        id: z.string(),
        type: ChannelType,
        name: z.string(),
        status: z.enum(["active", "reconnect_needed", "disconnected", "error"]),
        reconnectNeeded: z.boolean(),
        statusReason: z.string().nullable(),
      }),
    ),
  }),
  /** Seconds since this server process started (the health of a chatbot is that of the process serving it). */
  uptime: z.number().int(),
  startedAt: z.string(),
  lastError: ChatbotErrorDto.nullable(),
  /** The latest errors of the last 24 hours, newest first (at most 20). */
  recentErrors: z.array(ChatbotErrorDto),
});
export type ChatbotHealthDto = z.infer<typeof ChatbotHealthDto>;
