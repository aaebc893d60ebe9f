import { CHATBOT_HEALTH_THRESHOLDS, type ChatbotErrorDto, type ChatbotHealthDto } from "@tandem/contracts";
import { channels, chatbotErrors, conversations, messages } from "@tandem/db";
import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { getChatbotInWorkspace } from "../chatbots/get-chatbot-in-workspace.ts";
import type { Ctx } from "../context.ts";
import { vectorSupport } from "../knowledge/embeddings/vector-support.ts";
import { assertActorCan } from "../members/guard.ts";

export interface GetChatbotHealthInput {
  chatbotId: string;
  /** When this server process started: the health's `uptime`. */
  startedAt: Date;
}

/** The errors a health report lists, newest first. */
const RECENT_ERRORS = 20;

/**
 * A chatbot's health (S2's health check), for members who read chatbots; another workspace's chatbot
 * is "not found". The overall status comes from its recorded failures in the last hour
 * (`chatbot_error`: over 5 `degraded`, over 10 `unhealthy`); a channel of the chatbot that needs
 * reconnecting makes it at least `degraded`. Besides the chatbot, five reads: a timed `select 1`,
 * the error counts, the newest errors, its replies' latency and its channels.
 *
 * The replies counted are the generated BOT messages (with a provider latency; drafts and the
 * playground left out) of the conversations it answers: its own, and — for the default chatbot —
 * those that name none, as `chatbotFor` resolves them.
 */
export async function getChatbotHealth(ctx: Ctx, input: GetChatbotHealthInput): Promise<ChatbotHealthDto> {
  assertActorCan(ctx, "chatbots.read");
  const chatbot = await getChatbotInWorkspace(ctx, input.chatbotId);
  const { db } = ctx;

  const started = performance.now();
  const database: ChatbotHealthDto["checks"]["database"] = await db
    .execute(sql`select 1`)
    .then(() => ({ status: "ok" as const, responseTime: Math.round(performance.now() - started) }))
    .catch(() => ({ status: "down" as const, responseTime: null }));

  const hourAgo = sql`now() - interval '1 hour'`;
  const dayAgo = sql`now() - interval '1 day'`;
  const answered = chatbot.isDefault
    ? sql`(${conversations.chatbotId} = ${chatbot.id} or ${conversations.chatbotId} is null)`
    : eq(conversations.chatbotId, chatbot.id);

  const [[counts], newest, [replies], served, vector] = await Promise.all([
    db
      .select({
        lastHour: sql<number>`count(*) filter (where ${chatbotErrors.createdAt} > ${hourAgo})::int`,
        lastDay: sql<number>`count(*)::int`,
        generationsLastHour: sql<number>`count(*) filter (where ${chatbotErrors.createdAt} > ${hourAgo}
          and ${chatbotErrors.kind} = 'generation')::int`,
        retrievalsLastHour: sql<number>`count(*) filter (where ${chatbotErrors.createdAt} > ${hourAgo}
          and ${chatbotErrors.kind} = 'retrieval')::int`,
      })
      .from(chatbotErrors)
      .where(and(eq(chatbotErrors.chatbotId, chatbot.id), sql`${chatbotErrors.createdAt} > ${dayAgo}`)),
    db
      .select({
        id: chatbotErrors.id,
        kind: chatbotErrors.kind,
        code: chatbotErrors.code,
        message: chatbotErrors.message,
        provider: chatbotErrors.provider,
        model: chatbotErrors.model,
        channelId: chatbotErrors.channelId,
        conversationId: chatbotErrors.conversationId,
        messageId: chatbotErrors.messageId,
        createdAt: chatbotErrors.createdAt,
        recent: sql<boolean>`${chatbotErrors.createdAt} > ${dayAgo}`,
      })
      .from(chatbotErrors)
      .where(eq(chatbotErrors.chatbotId, chatbot.id))
      .orderBy(desc(chatbotErrors.createdAt), desc(chatbotErrors.id))
      .limit(RECENT_ERRORS),
    db
      .select({
        lastHour: sql<number>`count(*) filter (where ${messages.createdAt} > ${hourAgo})::int`,
        avgLastHour: sql<
          number | null
        >`round(avg(${messages.latencyMs}) filter (where ${messages.createdAt} > ${hourAgo}))::int`,
        avgLastDay: sql<number | null>`round(avg(${messages.latencyMs}))::int`,
      })
      .from(messages)
      .innerJoin(conversations, eq(conversations.id, messages.conversationId))
      .where(
        and(
          eq(messages.workspaceId, chatbot.workspaceId),
          sql`${messages.createdAt} > ${dayAgo}`,
          eq(messages.role, "BOT"),
          sql`${messages.latencyMs} is not null`,
          sql`${messages.status} <> 'draft'`,
          eq(conversations.isPlayground, false),
          answered,
        ),
      ),
    db
      .select({
        id: channels.id,
        type: channels.type,
        name: channels.name,
        status: channels.status,
        statusReason: channels.statusReason,
      })
      .from(channels)
      .where(
        and(
          eq(channels.workspaceId, chatbot.workspaceId),
          eq(channels.chatbotId, chatbot.id),
          isNull(channels.disconnectedAt),
        ),
      )
      .orderBy(channels.createdAt, channels.id),
    vectorSupport(db),
  ]);

  const errorsLastHour = counts?.lastHour ?? 0;
  const errorStatus = statusFor(errorsLastHour);
  const failed = counts?.generationsLastHour ?? 0;
  const succeeded = replies?.lastHour ?? 0;
  const attempts = failed + succeeded;
  const reconnect = served.some((c) => c.status === "reconnect_needed");

  const embedding = chatbot.retrievalSettings.embedding;
  const embeddingState = embedding && vector.available ? chatbot.embeddingState.state : "off";
  const hybrid = vector.available && chatbot.embeddingState.active !== null && embedding !== null;
  const retrievalFailures = counts?.retrievalsLastHour ?? 0;
  const vectorDegraded =
    embedding !== null && (!vector.available || embeddingState === "failed" || retrievalFailures > 0);

  const errors = newest.map(toErrorDto);
  return {
    status: database.status === "down" ? "unhealthy" : worst(errorStatus, reconnect ? "degraded" : "healthy"),
    checkedAt: new Date().toISOString(),
    checks: {
      database,
      vectorSearch: {
        status: vectorDegraded ? "degraded" : "ok",
        available: vector.available,
        retrieval: hybrid ? "hybrid" : "full_text_only",
        embedding: embeddingState,
        error: embeddingState === "failed" ? (chatbot.embeddingState.error ?? null) : null,
        failuresLastHour: retrievalFailures,
      },
      llmService: {
        status: failed === 0 ? "ok" : succeeded === 0 ? "down" : "degraded",
        provider: chatbot.providerKind,
        model: chatbot.model ?? "",
        avgResponseTime: replies?.avgLastHour ?? null,
        avgResponseTimeLastDay: replies?.avgLastDay ?? null,
        repliesLastHour: succeeded,
        failedGenerationsLastHour: failed,
        errorRate: attempts === 0 ? null : Math.round((failed / attempts) * 1000) / 1000,
      },
      errorRate: {
        status: errorStatus,
        errorsLastHour,
        errorsLastDay: counts?.lastDay ?? 0,
        degradedThreshold: CHATBOT_HEALTH_THRESHOLDS.degradedOver,
        errorThreshold: CHATBOT_HEALTH_THRESHOLDS.unhealthyOver,
      },
      channels: served.map((c) => ({ ...c, reconnectNeeded: c.status === "reconnect_needed" })),
    },
    uptime: Math.max(0, Math.round((Date.now() - input.startedAt.getTime()) / 1000)),
    startedAt: input.startedAt.toISOString(),
    lastError: errors[0] ?? null,
    recentErrors: errors.filter((_, i) => newest[i]!.recent),
  };
}

/** S2's thresholds: over 10 errors in the last hour `unhealthy`, over 5 `degraded`. */
export function statusFor(errorsLastHour: number): ChatbotHealthDto["status"] {
  if (errorsLastHour > CHATBOT_HEALTH_THRESHOLDS.unhealthyOver) return "unhealthy";
  if (errorsLastHour > CHATBOT_HEALTH_THRESHOLDS.degradedOver) return "degraded";
  return "healthy";
}

const ORDER = ["healthy", "degraded", "unhealthy"] as const;
const worst = (a: ChatbotHealthDto["status"], b: ChatbotHealthDto["status"]) =>
  ORDER[Math.max(ORDER.indexOf(a), ORDER.indexOf(b))]!;

function toErrorDto(row: {
  id: string;
  kind: ChatbotErrorDto["kind"];
  code: string;
  message: string | null;
  provider: ChatbotErrorDto["provider"];
  model: string | null;
  channelId: string | null;
  conversationId: string | null;
  messageId: string | null;
  createdAt: Date;
}): ChatbotErrorDto {
  const { createdAt, ...rest } = row;
  return { ...rest, occurredAt: createdAt.toISOString() };
}
