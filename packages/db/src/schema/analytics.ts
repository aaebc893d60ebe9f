import { relations } from "drizzle-orm";
import { bigint, date, integer, pgTable, primaryKey, real, text, timestamp, unique } from "drizzle-orm/pg-core";
import { channelType } from "./channels.ts";
import { chatbots } from "./chatbots.ts";
import { createdAt, idColumn, updatedAt } from "./columns.ts";
import { workspaces } from "./identity.ts";

/**
 * Daily rollups per workspace, local day, chatbot and channel type, recomputed from the messages by
 * `core/analytics/rollups.ts` (playground conversations excluded; docs/analytics.md): the numbers that
 * add up across days (`analytics_daily`), and what merges across days without adding up — latency and
 * wait histograms, per-model usage, handoff reasons, the customers who wrote, normalised queries.
 * Conversations without a chatbot roll up under a NULL chatbot; the unique keys are NULLS NOT DISTINCT
 * (PostgreSQL 15+, PGlite included) so those rows are unique too. `date` is the workspace's local day
 * (`settings.analytics.timeZone`, UTC by default); a time-zone change rebuilds them all.
 */
export const analyticsDaily = pgTable(
  "analytics_daily",
  {
    id: idColumn("analyticsDaily"),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    chatbotId: text("chatbot_id").references(() => chatbots.id, { onDelete: "cascade" }),
    channelType: channelType("channel_type").notNull(),
    date: date("date", { mode: "string" }).notNull(),
    conversations: integer("conversations").notNull().default(0),
    messagesIn: integer("messages_in").notNull().default(0),
    messagesOutBot: integer("messages_out_bot").notNull().default(0),
    messagesOutAgent: integer("messages_out_agent").notNull().default(0),
    uniqueContacts: integer("unique_contacts").notNull().default(0),
    handoffs: integer("handoffs").notNull().default(0),
    failedGenerations: integer("failed_generations").notNull().default(0),
    /** Sum and count of the bot replies' latencies (an average over any days is sum / count). */
    latencySumMs: bigint("latency_sum_ms", { mode: "number" }).notNull().default(0),
    latencyCount: integer("latency_count").notNull().default(0),
    /** Ratings given that day (widget and API feedback), by their conversation's chatbot and channel. */
    ratingsHelpful: integer("ratings_helpful").notNull().default(0),
    ratingsNotHelpful: integer("ratings_not_helpful").notNull().default(0),
    ratingsInappropriate: integer("ratings_inappropriate").notNull().default(0),
    /** Of the conversations with a chatbot created that day, those ever handed off or answered by a person. */
    escalated: integer("escalated").notNull().default(0),
    updatedAt: updatedAt(),
  },
  (t) => [unique("analytics_daily_key").on(t.workspaceId, t.chatbotId, t.channelType, t.date).nullsNotDistinct()],
);

/** The rows the rollups below share: one workspace's local day, chatbot (NULL: none) and channel type. */
const rollupKey = () => ({
  workspaceId: text("workspace_id")
    .notNull()
    .references(() => workspaces.id, { onDelete: "cascade" }),
  date: date("date", { mode: "string" }).notNull(),
  chatbotId: text("chatbot_id").references(() => chatbots.id, { onDelete: "cascade" }),
  channelType: channelType("channel_type").notNull(),
});

/**
 * Distributions that cannot be summed but can be merged: `values` (ascending) with how often each
 * occurred, rounded to 3 significant digits (exact below 1,000 ms). `metric`: `bot_latency` (the bot
 * responses of the day, by their `latency_ms`), `human_first_response` (the waits that started that day:
 * a handoff, or a conversation without a chatbot created that day, until the first human reply).
 */
export const analyticsDailyHistogram = pgTable(
  "analytics_daily_histogram",
  {
    ...rollupKey(),
    metric: text("metric").$type<"bot_latency" | "human_first_response">().notNull(),
    values: bigint("values", { mode: "number" }).array().notNull(),
    counts: integer("counts").array().notNull(),
  },
  (t) => [
    unique("analytics_daily_histogram_key")
      .on(t.workspaceId, t.date, t.chatbotId, t.channelType, t.metric)
      .nullsNotDistinct(),
  ],
);

/**
 * The same histograms for the whole workspace (every chatbot and channel merged), so the unfiltered
 * answer merges one row per day and metric instead of one per chatbot and channel.
 */
export const analyticsDailyWorkspaceHistogram = pgTable(
  "analytics_daily_workspace_histogram",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    date: date("date", { mode: "string" }).notNull(),
    metric: text("metric").$type<"bot_latency" | "human_first_response">().notNull(),
    values: bigint("values", { mode: "number" }).array().notNull(),
    counts: integer("counts").array().notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.date, t.metric] })],
);

/** Bot responses of the day per provider and model (`provider` '' when unknown), with their tokens. */
export const analyticsDailyModel = pgTable(
  "analytics_daily_model",
  {
    ...rollupKey(),
    provider: text("provider").notNull(),
    model: text("model").notNull(),
    responses: integer("responses").notNull(),
    inputTokens: bigint("input_tokens", { mode: "number" }).notNull(),
    outputTokens: bigint("output_tokens", { mode: "number" }).notNull(),
  },
  (t) => [
    unique("analytics_daily_model_key")
      .on(t.workspaceId, t.date, t.chatbotId, t.channelType, t.provider, t.model)
      .nullsNotDistinct(),
  ],
);

/** Handoffs of the day per reason (`metadata.reason`, 'unknown' without one). */
export const analyticsDailyHandoff = pgTable(
  "analytics_daily_handoff",
  {
    ...rollupKey(),
    reason: text("reason").notNull(),
    handoffs: integer("handoffs").notNull(),
  },
  (t) => [
    unique("analytics_daily_handoff_key")
      .on(t.workspaceId, t.date, t.chatbotId, t.channelType, t.reason)
      .nullsNotDistinct(),
  ],
);

/** The customers who wrote that day (a count distinct over a range's rows is its unique users). */
export const analyticsDailyContact = pgTable(
  "analytics_daily_contact",
  {
    ...rollupKey(),
    contactId: text("contact_id").notNull(),
  },
  (t) => [
    unique("analytics_daily_contact_key")
      .on(t.workspaceId, t.date, t.chatbotId, t.channelType, t.contactId)
      .nullsNotDistinct(),
  ],
);

/**
 * Customer texts of the day by normalised text (`normalizedQuery`): `questions` asked that day, and
 * the ratings of the bot answers of that day that directly follow one of them.
 */
export const analyticsDailyQuery = pgTable(
  "analytics_daily_query",
  {
    ...rollupKey(),
    query: text("query").notNull(),
    questions: integer("questions").notNull(),
    helpful: integer("helpful").notNull(),
    notHelpful: integer("not_helpful").notNull(),
  },
  (t) => [
    unique("analytics_daily_query_key")
      .on(t.workspaceId, t.date, t.chatbotId, t.channelType, t.query)
      .nullsNotDistinct(),
  ],
);

/**
 * Instants (binned to 15 minutes, which every time zone's day starts on) whose local days must be
 * rebuilt: written by triggers (migration 0023) when a message, conversation or rating changes after
 * the fact, read and cleared by `refreshAnalyticsRollups`. `markedAt` tells a mark made again after
 * a refresh read it from the one it cleared.
 */
export const analyticsDirty = pgTable(
  "analytics_dirty",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    at: timestamp("at", { withTimezone: true, mode: "date" }).notNull(),
    markedAt: timestamp("marked_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.at] })],
);

export const analyticsDailyRelations = relations(analyticsDaily, ({ one }) => ({
  workspace: one(workspaces, { fields: [analyticsDaily.workspaceId], references: [workspaces.id] }),
  chatbot: one(chatbots, { fields: [analyticsDaily.chatbotId], references: [chatbots.id] }),
}));

/**
 * The vectors of the customers' normalised questions, for grouping the top queries by meaning
 * (`core/analytics/cluster-queries.ts`), so a read embeds only the texts it has not seen before. Keyed
 * by workspace (two workspaces' credentials of one kind may reach different servers), embedding key
 * (`embeddingKey`: provider, model, size) and the SHA-256 of the normalised text — the text itself is
 * not kept twice. A plain `real[]`: the vectors are compared in memory, never searched. Those no read
 * will use (text not asked within a year, model no chatbot has) are deleted daily
 * (`core/analytics/prune-query-embeddings.ts`).
 */
export const analyticsQueryEmbeddings = pgTable(
  "analytics_query_embedding",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    model: text("model").notNull(),
    queryHash: text("query_hash").notNull(),
    embedding: real("embedding").array().notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ name: "analytics_query_embedding_pkey", columns: [t.workspaceId, t.model, t.queryHash] })],
);
