import { relations } from "drizzle-orm";
import { bigint, date, integer, pgTable, primaryKey, real, text, unique } from "drizzle-orm/pg-core";
import { channelType } from "./channels.ts";
import { chatbots } from "./chatbots.ts";
import { createdAt, idColumn, updatedAt } from "./columns.ts";
import { workspaces } from "./identity.ts";

/**
 * Daily rollups per workspace, chatbot and channel type of the numbers that add up across days
 * (counts, latency sums), recomputed from the messages by `core/analytics` (playground conversations
 * excluded); what cannot be summed (percentiles, unique people over a range, the deflection cohort,
 * first response times) is computed from the rows. Conversations without a chatbot roll up under a
 * NULL chatbot; the unique key is NULLS NOT DISTINCT (PostgreSQL 15+, PGlite included) so that row is
 * unique too. `date` is the workspace's local day (`settings.analytics.timeZone`, UTC by default);
 * a time-zone change rebuilds them all.
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
    updatedAt: updatedAt(),
  },
  (t) => [unique("analytics_daily_key").on(t.workspaceId, t.chatbotId, t.channelType, t.date).nullsNotDistinct()],
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
 * not kept twice. A plain `real[]`: the vectors are compared in memory, never searched.
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
