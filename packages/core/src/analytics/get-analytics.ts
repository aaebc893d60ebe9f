/**
 * `GET /api/v1/analytics` and `GET /api/v1/chatbots/{id}/analytics` (docs/analytics.md defines every
 * number). Everything comes from the daily rollups (`rollups.ts`, refreshed first) except the
 * conversations of the period still going, which are not deflected yet (conversations by workspace and
 * last message).
 */
import type { AnalyticsDay, AnalyticsQuery, AnalyticsResponse, ChannelType, ModelUsage } from "@tandem/contracts";
import { analyticsDaily, chatbots, rowsOf } from "@tandem/db";
import { and, eq, inArray, type SQL, sql } from "drizzle-orm";
import type { Ctx } from "../context.ts";
import { DomainError } from "../errors.ts";
import { assertActorCan } from "../members/guard.ts";
import type { ProviderDeps } from "../providers/provider-deps.ts";
import { CLUSTER_CANDIDATES, clusterQueries, type QueryCount, TOP_QUERIES } from "./cluster-queries.ts";
import { histogramPercentile } from "./histogram.ts";
import { estimateCostUsd } from "./model-prices.ts";
import { addDays, localToday, refreshAnalyticsRollups } from "./rollups.ts";
import { dayEnd, dayStart, isHandoff, isHumanReply, localDay } from "./sql-parts.ts";

const PERIOD_DAYS = { "7d": 7, "30d": 30, "90d": 90 } as const;
/** The longest custom range a read covers, both days included. */
export const MAX_RANGE_DAYS = 366;
/** A conversation with no message for this long is over (deflected, when no person replied). */
const QUIET_MS = 24 * 60 * 60_000;

/** The workspace's days and filters one analytics answer is about. */
export interface AnalyticsScope {
  workspaceId: string;
  timeZone: string;
  from: string;
  to: string;
  chatbotId?: string | undefined;
  channelType?: ChannelType | undefined;
}

/** The whole workspace, or one chatbot and/or one channel type of it, with the per-chatbot numbers. */
/**
 * `providers` (the stored provider keys) lets the top queries of one chatbot be grouped by meaning
 * with its embedding model (`cluster-queries.ts`); without it they are grouped by exact text.
 */
export async function getAnalytics(
  ctx: Ctx,
  query: AnalyticsQuery,
  providers?: ProviderDeps,
): Promise<AnalyticsResponse> {
  assertActorCan(ctx, "analytics.read");
  if (query.chatbotId) await assertChatbotInWorkspace(ctx, query.chatbotId);
  const scope = await scopeOf(ctx, query);
  return compute(ctx, scope, { byChatbot: true, providers });
}

/** One chatbot of the workspace (another workspace's is not found). */
export async function getChatbotAnalytics(
  ctx: Ctx,
  chatbotId: string,
  query: Omit<AnalyticsQuery, "chatbotId">,
  providers?: ProviderDeps,
): Promise<AnalyticsResponse> {
  assertActorCan(ctx, "analytics.read");
  await assertChatbotInWorkspace(ctx, chatbotId);
  return compute(ctx, await scopeOf(ctx, { ...query, chatbotId }), { providers });
}

/** Deleted chatbots keep their history, so they are found here too. */
async function assertChatbotInWorkspace(ctx: Ctx, chatbotId: string): Promise<void> {
  const [row] = await ctx.db
    .select({ id: chatbots.id })
    .from(chatbots)
    .where(and(eq(chatbots.id, chatbotId), eq(chatbots.workspaceId, ctx.workspaceId)));
  if (!row) throw new DomainError("chatbot_not_found", "Chatbot not found");
}

/** The days asked for, in the workspace's time zone (its rollups refreshed on the way). */
async function scopeOf(ctx: Ctx, query: AnalyticsQuery): Promise<AnalyticsScope> {
  if ((query.from === undefined) !== (query.to === undefined)) {
    throw new DomainError("invalid_input", "Give both from and to, or a period", {
      details: { from: query.from, to: query.to },
    });
  }
  if (query.period && query.from) {
    throw new DomainError("invalid_input", "Give a period or from and to, not both", {
      details: { period: query.period },
    });
  }
  const timeZone = await refreshAnalyticsRollups(ctx.db, ctx.workspaceId);
  let from: string;
  let to: string;
  if (query.from && query.to) {
    ({ from, to } = query);
    const valid = (d: string) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && addDays(d, 0) === d;
    if (!valid(from) || !valid(to))
      throw new DomainError("invalid_input", "Not a calendar day", { details: { from, to } });
    const span = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000 + 1;
    if (span < 1 || span > MAX_RANGE_DAYS) {
      throw new DomainError("invalid_input", `from must be on or before to, at most ${MAX_RANGE_DAYS} days apart`, {
        details: { from, to },
      });
    }
  } else {
    to = localToday(timeZone);
    from = addDays(to, 1 - PERIOD_DAYS[query.period ?? "30d"]);
  }
  return {
    workspaceId: ctx.workspaceId,
    timeZone,
    from,
    to,
    chatbotId: query.chatbotId,
    channelType: query.channelType,
  };
}

/** Rows of `column` created within the scope's days. */
const within = (column: SQL, scope: AnalyticsScope) =>
  sql`${column} >= ${dayStart(scope.from, scope.timeZone)} and ${column} < ${dayEnd(scope.to, scope.timeZone)}`;

/** Rows of a daily rollup table (unaliased) in the scope. */
const rollupsOf = (scope: AnalyticsScope) => sql`workspace_id = ${scope.workspaceId}
  and date between ${scope.from}::date and ${scope.to}::date
  ${scope.chatbotId ? sql`and chatbot_id = ${scope.chatbotId}` : sql``}
  ${scope.channelType ? sql`and channel_type = ${scope.channelType}` : sql``}`;

interface ChatbotLine {
  conversations: number;
  botResponses: number;
  handoffs: number;
  cohort: number;
  deflected: number;
  helpful: number;
  notHelpful: number;
}

const num = (v: unknown): number => Number(v ?? 0);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Math.round(Number(v)));
const rate = (part: number, whole: number): number | null =>
  whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : null;

async function compute(
  ctx: Ctx,
  scope: AnalyticsScope,
  options: { byChatbot?: boolean; providers?: ProviderDeps | undefined } = {},
): Promise<AnalyticsResponse> {
  const db = ctx.db;
  const [rollups, uniqueUsers, histograms, models, reasons, stillActive, topQueries] = await Promise.all([
    db
      .select({
        date: analyticsDaily.date,
        channelType: analyticsDaily.channelType,
        chatbotId: analyticsDaily.chatbotId,
        conversations: sql<number>`sum(${analyticsDaily.conversations})::int`,
        escalated: sql<number>`sum(${analyticsDaily.escalated})::int`,
        messages: sql<number>`sum(${analyticsDaily.messagesIn} + ${analyticsDaily.messagesOutBot} + ${analyticsDaily.messagesOutAgent})::int`,
        uniqueUsers: sql<number>`sum(${analyticsDaily.uniqueContacts})::int`,
        botResponses: sql<number>`sum(${analyticsDaily.messagesOutBot})::int`,
        humanReplies: sql<number>`sum(${analyticsDaily.messagesOutAgent})::int`,
        handoffs: sql<number>`sum(${analyticsDaily.handoffs})::int`,
        failedGenerations: sql<number>`sum(${analyticsDaily.failedGenerations})::int`,
        latencySum: sql<number>`sum(${analyticsDaily.latencySumMs})::float8`,
        latencyCount: sql<number>`sum(${analyticsDaily.latencyCount})::int`,
        helpful: sql<number>`sum(${analyticsDaily.ratingsHelpful})::int`,
        notHelpful: sql<number>`sum(${analyticsDaily.ratingsNotHelpful})::int`,
        inappropriate: sql<number>`sum(${analyticsDaily.ratingsInappropriate})::int`,
      })
      .from(analyticsDaily)
      .where(rollupsOf(scope))
      .groupBy(analyticsDaily.date, analyticsDaily.channelType, analyticsDaily.chatbotId),
    // Distinct rows rather than count(distinct …): a hash aggregate instead of a sort.
    db.execute(sql`
      select count(*)::int as n from (select distinct contact_id from analytics_daily_contact where ${rollupsOf(scope)}) d`),
    // The days' histograms merged (hashed by value; the few distinct values are ordered here), from
    // one row per day for the whole workspace.
    db.execute(sql`
      select h.metric, u.value::float8 as value, sum(u.n)::int as n
      from ${scope.chatbotId || scope.channelType ? sql`analytics_daily_histogram` : sql`analytics_daily_workspace_histogram`} h
        cross join unnest(h.values, h.counts) as u(value, n)
      where ${rollupsOf(scope)}
      group by 1, 2`),
    db.execute(sql`
      select provider, model, sum(responses)::int as responses, sum(input_tokens)::float8 as input_tokens,
        sum(output_tokens)::float8 as output_tokens
      from analytics_daily_model where ${rollupsOf(scope)}
      group by 1, 2`),
    db.execute(sql`
      select reason, sum(handoffs)::int as n from analytics_daily_handoff where ${rollupsOf(scope)} group by 1`),
    // The cohort's conversations still going (neither closed nor quiet for a day) that no person has
    // touched yet: the rollups count them as deflected (never escalated), but they are not over.
    db.execute(sql`
      select ${localDay(sql`c.created_at`, scope.timeZone)}::text as day, c.chatbot_id, count(*)::int as n
      from conversation c join channel ch on ch.id = c.channel_id
      where c.workspace_id = ${scope.workspaceId} and not c.is_playground and c.chatbot_id is not null
        ${scope.chatbotId ? sql`and c.chatbot_id = ${scope.chatbotId}` : sql``}
        ${scope.channelType ? sql`and ch.type = ${scope.channelType}` : sql``}
        and ${within(sql`c.created_at`, scope)} and c.status <> 'CLOSED'
        and (c.last_message_at is null or c.last_message_at >= ${new Date(Date.now() - QUIET_MS)})
        and not exists (select 1 from message m where m.conversation_id = c.id and (${isHumanReply} or ${isHandoff}))
      group by 1, 2`),
    // One chatbot: up to 50 candidates, grouped by meaning when it has an embedding model.
    topQueriesOf(ctx, scope, scope.chatbotId && options.providers ? CLUSTER_CANDIDATES : TOP_QUERIES).then((queries) =>
      clusterQueries(ctx, { chatbotId: scope.chatbotId, providers: options.providers, queries }),
    ),
  ]);

  const days = new Map<string, AnalyticsDay>();
  for (let d = scope.from; d <= scope.to; d = addDays(d, 1)) {
    days.set(d, {
      date: d,
      conversations: 0,
      messages: 0,
      uniqueUsers: 0,
      botResponses: 0,
      handoffs: 0,
      deflected: 0,
      failedGenerations: 0,
    });
  }
  const breakdown: Record<ChannelType, number> = { messenger: 0, line: 0, web: 0, api: 0 };
  let humanReplies = 0;
  let latencySum = 0;
  let latencyCount = 0;
  // Per chatbot (`""`: conversations without one), for the workspace endpoint's `byChatbot`.
  const bots = new Map<string, ChatbotLine>();
  const bot = (id: string | null) => {
    const key = id ?? "";
    let line = bots.get(key);
    if (!line) {
      line = { conversations: 0, botResponses: 0, handoffs: 0, cohort: 0, deflected: 0, helpful: 0, notHelpful: 0 };
      bots.set(key, line);
    }
    return line;
  };
  for (const r of rollups) {
    const line = bot(r.chatbotId);
    line.conversations += num(r.conversations);
    line.botResponses += num(r.botResponses);
    line.handoffs += num(r.handoffs);
    const day = days.get(r.date);
    if (day) {
      day.conversations += num(r.conversations);
      day.messages += num(r.messages);
      // A customer writes on one channel, in one conversation with one chatbot: the rows' sets are disjoint.
      day.uniqueUsers += num(r.uniqueUsers);
      day.botResponses += num(r.botResponses);
      day.handoffs += num(r.handoffs);
      day.failedGenerations += num(r.failedGenerations);
    }
    breakdown[r.channelType] += num(r.conversations);
    humanReplies += num(r.humanReplies);
    latencySum += num(r.latencySum);
    latencyCount += num(r.latencyCount);
  }
  // Deflected: of the conversations with a chatbot, those no person ever touched (the rollups), less
  // the ones still going.
  let cohortSize = 0;
  let deflected = 0;
  const deflect = (date: string, chatbotId: string, n: number) => {
    bot(chatbotId).deflected += n;
    deflected += n;
    const day = days.get(date);
    if (day) day.deflected += n;
  };
  for (const r of rollups) {
    if (r.chatbotId === null) continue;
    bot(r.chatbotId).cohort += num(r.conversations);
    cohortSize += num(r.conversations);
    deflect(r.date, r.chatbotId, num(r.conversations) - num(r.escalated));
  }
  for (const r of rowsOf<{ day: string; chatbot_id: string; n: number }>(stillActive)) {
    deflect(r.day, r.chatbot_id, -num(r.n));
  }
  const daily = [...days.values()];
  const total = (key: keyof Omit<AnalyticsDay, "date">) => daily.reduce((s, d) => s + d[key], 0);
  const totalConversations = total("conversations");
  const totalMessages = total("messages");

  const ratings = { helpful: 0, notHelpful: 0, inappropriate: 0 };
  for (const r of rollups) {
    ratings.helpful += num(r.helpful);
    ratings.notHelpful += num(r.notHelpful);
    ratings.inappropriate += num(r.inappropriate);
    bot(r.chatbotId).helpful += num(r.helpful);
    bot(r.chatbotId).notHelpful += num(r.notHelpful);
  }
  const { helpful, notHelpful } = ratings;
  const merged = rowsOf<{ metric: string; value: number; n: number }>(histograms)
    .map((r) => ({ metric: r.metric, value: Number(r.value), n: num(r.n) }))
    .sort((a, b) => a.value - b.value);
  const percentile = (metric: string, fraction: number) => {
    const rows = merged.filter((r) => r.metric === metric);
    return numOrNull(
      histogramPercentile(
        rows.map((r) => r.value),
        rows.map((r) => r.n),
        fraction,
      ),
    );
  };
  const modelLines = rowsOf<{
    provider: string;
    model: string;
    responses: number;
    input_tokens: number;
    output_tokens: number;
  }>(models)
    .filter((r) => num(r.responses) > 0)
    .sort((a, b) => num(b.responses) - num(a.responses) || a.model.localeCompare(b.model));
  const byReason: Record<string, number> = {};
  for (const r of rowsOf<{ reason: string; n: number }>(reasons)) byReason[r.reason] = num(r.n);

  return {
    range: { from: scope.from, to: scope.to, timeZone: scope.timeZone },
    summary: {
      totalConversations,
      totalMessages,
      uniqueUsers: num(rowsOf<{ n: number }>(uniqueUsers)[0]?.n),
      avgMessagesPerConversation:
        totalConversations > 0 ? Math.round((totalMessages / totalConversations) * 100) / 100 : 0,
      avgResponseTime: latencyCount > 0 ? Math.round(latencySum / latencyCount) : null,
      satisfactionRate: rate(helpful, helpful + notHelpful),
    },
    bot: {
      responses: total("botResponses"),
      latencyP50Ms: percentile("bot_latency", 0.5),
      latencyP95Ms: percentile("bot_latency", 0.95),
      deflectionRate: rate(deflected, cohortSize),
      deflected,
      cohort: cohortSize,
      handoffs: { total: total("handoffs"), byReason },
      failedGenerations: total("failedGenerations"),
      models: modelLines.map(
        (r): ModelUsage => ({
          provider: r.provider,
          model: r.model,
          responses: num(r.responses),
          inputTokens: num(r.input_tokens),
          outputTokens: num(r.output_tokens),
          estimatedCostUsd: estimateCostUsd(r.model, num(r.input_tokens), num(r.output_tokens)),
        }),
      ),
      feedback: ratings,
    },
    humans: {
      replies: humanReplies,
      firstResponseP50Ms: percentile("human_first_response", 0.5),
      firstResponseP95Ms: percentile("human_first_response", 0.95),
    },
    trends: { daily },
    topQueries,
    integrationBreakdown: breakdown,
    ...(options.byChatbot ? { byChatbot: await byChatbot(ctx, bots) } : {}),
  };
}

export { normalizedQuery } from "./sql-parts.ts";

/** A normalised customer text (`normalizedQuery`) of the scope, and the ratings of the answers to it. */
/**
 * The customers' `limit` most frequent texts of the scope (ties by text), and how the bot's answers to
 * them were rated: the answers are the bot messages of the period that came right after one of them
 * (`analytics_daily_query`).
 */
export async function topQueriesOf(ctx: Pick<Ctx, "db">, scope: AnalyticsScope, limit: number): Promise<QueryCount[]> {
  const result = await ctx.db.execute(sql`
    select query, sum(questions)::int as n, sum(helpful)::int as helpful, sum(not_helpful)::int as not_helpful
    from analytics_daily_query where ${rollupsOf(scope)}
    group by query having sum(questions) > 0
    order by n desc, query limit ${limit}`);
  return rowsOf<{ query: string; n: number; helpful: number; not_helpful: number }>(result).map((r) => ({
    query: r.query,
    count: num(r.n),
    helpful: num(r.helpful),
    notHelpful: num(r.not_helpful),
  }));
}

/** The workspace endpoint's per-chatbot lines, named (`chatbotId` null: conversations without one). */
async function byChatbot(
  ctx: Ctx,
  lines: Map<string, ChatbotLine>,
): Promise<NonNullable<AnalyticsResponse["byChatbot"]>> {
  const ids = [...lines.keys()].filter((id) => id !== "");
  const names = new Map(
    ids.length === 0
      ? []
      : (
          await ctx.db
            .select({ id: chatbots.id, name: chatbots.name })
            .from(chatbots)
            .where(and(eq(chatbots.workspaceId, ctx.workspaceId), inArray(chatbots.id, ids)))
        ).map((b) => [b.id, b.name]),
  );
  return [...lines.entries()]
    .filter(([, l]) => l.conversations + l.botResponses + l.handoffs + l.cohort + l.helpful + l.notHelpful > 0)
    .map(([id, l]) => ({
      chatbotId: id === "" ? null : id,
      name: id === "" ? "No chatbot" : (names.get(id) ?? "Deleted chatbot"),
      conversations: l.conversations,
      botResponses: l.botResponses,
      deflectionRate: rate(l.deflected, l.cohort),
      handoffs: l.handoffs,
      satisfactionRate: rate(l.helpful, l.helpful + l.notHelpful),
    }))
    .sort(
      (a, b) =>
        b.conversations - a.conversations ||
        Number(a.chatbotId === null) - Number(b.chatbotId === null) ||
        a.name.localeCompare(b.name),
    );
}
