import { z } from "zod";
import { ChannelType } from "./conversations.ts";

/**
 * Analytics (issue #15): `GET /api/v1/analytics` for the workspace (optionally one chatbot and/or one
 * channel type) and `GET /api/v1/chatbots/{id}/analytics` for one chatbot. Days are the workspace's
 * days (`AnalyticsSettingsDto.timeZone`); playground conversations never count.
 */

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "A day as YYYY-MM-DD");

export const AnalyticsPeriod = z.enum(["7d", "30d", "90d"]);
export type AnalyticsPeriod = z.infer<typeof AnalyticsPeriod>;

/**
 * Either `period` (the last 7, 30 or 90 days, today included; default 30d) or `from` and `to` (days in
 * the workspace's time zone, both included, at most 366 days apart). `chatbotId` / `channelType`
 * narrow the workspace endpoint (the chatbot endpoint takes `channelType` only).
 */
export const AnalyticsQuery = z.object({
  period: AnalyticsPeriod.optional(),
  from: isoDay.optional(),
  to: isoDay.optional(),
  chatbotId: z.string().min(1).max(64).optional(),
  channelType: ChannelType.optional(),
});
export type AnalyticsQuery = z.infer<typeof AnalyticsQuery>;

export const AnalyticsDay = z.object({
  date: isoDay,
  /** Conversations started that day. */
  conversations: z.number().int(),
  /** Customer, bot and agent messages (not notes, drafts or events). */
  messages: z.number().int(),
  uniqueUsers: z.number().int(),
  botResponses: z.number().int(),
  handoffs: z.number().int(),
  /** Of the conversations started that day, those the bots resolved without a person. */
  deflected: z.number().int(),
  failedGenerations: z.number().int(),
});
export type AnalyticsDay = z.infer<typeof AnalyticsDay>;

export const ModelUsage = z.object({
  provider: z.string(),
  model: z.string(),
  responses: z.number().int(),
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  /** From the model's list price where known (`null`: unknown model, e.g. a local one). */
  estimatedCostUsd: z.number().nullable(),
});
export type ModelUsage = z.infer<typeof ModelUsage>;

export const AnalyticsResponse = z.object({
  range: z.object({ from: isoDay, to: isoDay, timeZone: z.string() }),
  /** Seed S2's summary. `avgResponseTime`: the bots' average reply latency in ms (null: no reply). */
  summary: z.object({
    totalConversations: z.number().int(),
    totalMessages: z.number().int(),
    uniqueUsers: z.number().int(),
    avgMessagesPerConversation: z.number(),
    avgResponseTime: z.number().nullable(),
    /** helpful / (helpful + not helpful) over the period's ratings; null without any. */
    satisfactionRate: z.number().nullable(),
  }),
  bot: z.object({
    responses: z.number().int(),
    latencyP50Ms: z.number().nullable(),
    latencyP95Ms: z.number().nullable(),
    /**
     * Deflection: of the conversations created in the range that a bot could answer (a chatbot was
     * serving them), the share closed — or quiet for 24 h — with no human reply. A fixed cohort:
     * `deflected / cohort`; null when the cohort is empty.
     */
    deflectionRate: z.number().nullable(),
    deflected: z.number().int(),
    cohort: z.number().int(),
    handoffs: z.object({ total: z.number().int(), byReason: z.record(z.string(), z.number().int()) }),
    failedGenerations: z.number().int(),
    models: z.array(ModelUsage),
    feedback: z.object({
      helpful: z.number().int(),
      notHelpful: z.number().int(),
      inappropriate: z.number().int(),
    }),
  }),
  /** People's replies. Bot replies never count here. */
  humans: z.object({
    replies: z.number().int(),
    /**
     * From the moment a conversation was handed to a person (the handoff; for a conversation without a
     * chatbot that was never handed off, its first customer message) to the first agent reply after it.
     */
    firstResponseP50Ms: z.number().nullable(),
    firstResponseP95Ms: z.number().nullable(),
  }),
  trends: z.object({ daily: z.array(AnalyticsDay) }),
  /** The customers' most frequent questions (normalised text; grouped by meaning when the chatbot has embeddings). */
  topQueries: z.array(
    z.object({
      query: z.string(),
      count: z.number().int(),
      /** The satisfaction of the bot's answers to them; null without ratings. */
      avgSatisfaction: z.number().nullable(),
    }),
  ),
  /** Conversations started in the range, by channel type. */
  integrationBreakdown: z.record(ChannelType, z.number().int()),
  /** Workspace endpoint only: the same numbers per chatbot (`chatbotId` null: conversations without one). */
  byChatbot: z
    .array(
      z.object({
        chatbotId: z.string().nullable(),
        name: z.string(),
        conversations: z.number().int(),
        botResponses: z.number().int(),
        deflectionRate: z.number().nullable(),
        handoffs: z.number().int(),
        satisfactionRate: z.number().nullable(),
      }),
    )
    .optional(),
});
export type AnalyticsResponse = z.infer<typeof AnalyticsResponse>;

/** `GET|PATCH /api/v1/settings/analytics` (PATCH: OWNER/ADMIN): the workspace's time zone for days. */
export const AnalyticsSettingsDto = z.object({
  /** An IANA time zone (`Asia/Bangkok`); default UTC. Changing it rebuilds the daily rollups. */
  timeZone: z.string().min(1).max(64),
});
export type AnalyticsSettingsDto = z.infer<typeof AnalyticsSettingsDto>;
