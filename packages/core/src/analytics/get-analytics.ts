/**
 * `GET /api/v1/analytics` and `GET /api/v1/chatbots/{id}/analytics` (docs/analytics.md defines every
 * number). The additive counts and the daily trend come from the rollups (`rollups.ts`, refreshed
 * first); the rest from the rows of the range, over indexed columns: message (workspace, created_at),
 * conversation (workspace, created_at), feedback (workspace, created_at).
 */
import type { AnalyticsDay, AnalyticsQuery, AnalyticsResponse, ChannelType, ModelUsage } from "@tandem/contracts";
import { analyticsDaily, chatbots, rowsOf } from "@tandem/db";
import { and, eq, inArray, type SQL, sql } from "drizzle-orm";
import type { Ctx } from "../context.ts";
import { DomainError } from "../errors.ts";
import { assertActorCan } from "../members/guard.ts";
import type { ProviderDeps } from "../providers/provider-deps.ts";
import { CLUSTER_CANDIDATES, clusterQueries, type QueryCount, TOP_QUERIES } from "./cluster-queries.ts";
import { estimateCostUsd } from "./model-prices.ts";
import { addDays, localToday, refreshAnalyticsRollups } from "./rollups.ts";
import { dayEnd, dayStart, isBotResponse, isCustomerMessage, isHandoff, isHumanReply, localDay } from "./sql-parts.ts";

const PERIOD_DAYS = { "7d": 7, "30d": 30, "90d": 90 } as const;
const MAX_RANGE_DAYS = 366;
/** A conversation with no message for this long is over (deflected, when no person replied). */
const QUIET_MS = 24 * 60 * 60_000;

interface Scope {
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
async function scopeOf(ctx: Ctx, query: AnalyticsQuery): Promise<Scope> {
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

/** Conversations `c` (joined to their channel `ch`) of the scope: never the playground's. */
function conversationFilter(scope: Scope): SQL {
  return sql`c.workspace_id = ${scope.workspaceId} and not c.is_playground
    ${scope.chatbotId ? sql`and c.chatbot_id = ${scope.chatbotId}` : sql``}
    ${scope.channelType ? sql`and ch.type = ${scope.channelType}` : sql``}`;
}

/** Rows of `column` created within the scope's days. */
const within = (column: SQL, scope: Scope) =>
  sql`${column} >= ${dayStart(scope.from, scope.timeZone)} and ${column} < ${dayEnd(scope.to, scope.timeZone)}`;

/**
 * Messages `m` of the scope's conversations created in its days, without joining their conversations
 * (the range holds tens of thousands of messages): a playground message has no channel, the channel
 * type filter is a set of channel ids and the chatbot filter a set of conversation ids.
 */
const scopedMessages = (scope: Scope) => sql`message m
  where m.workspace_id = ${scope.workspaceId} and ${within(sql`m.created_at`, scope)} and m.channel_id is not null
  ${scope.channelType ? sql`and m.channel_id in (select id from channel where workspace_id = ${scope.workspaceId} and type = ${scope.channelType})` : sql``}
  ${scope.chatbotId ? sql`and m.conversation_id in (select id from conversation where workspace_id = ${scope.workspaceId} and chatbot_id = ${scope.chatbotId})` : sql``}`;

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
  scope: Scope,
  options: { byChatbot?: boolean; providers?: ProviderDeps | undefined } = {},
): Promise<AnalyticsResponse> {
  const db = ctx.db;
  const [rollups, messageStats, cohort, feedback, handoffs, topQueries] = await Promise.all([
    db
      .select({
        date: analyticsDaily.date,
        channelType: analyticsDaily.channelType,
        chatbotId: analyticsDaily.chatbotId,
        conversations: sql<number>`sum(${analyticsDaily.conversations})::int`,
        messages: sql<number>`sum(${analyticsDaily.messagesIn} + ${analyticsDaily.messagesOutBot} + ${analyticsDaily.messagesOutAgent})::int`,
        uniqueUsers: sql<number>`sum(${analyticsDaily.uniqueContacts})::int`,
        botResponses: sql<number>`sum(${analyticsDaily.messagesOutBot})::int`,
        humanReplies: sql<number>`sum(${analyticsDaily.messagesOutAgent})::int`,
        handoffs: sql<number>`sum(${analyticsDaily.handoffs})::int`,
        failedGenerations: sql<number>`sum(${analyticsDaily.failedGenerations})::int`,
        latencySum: sql<number>`sum(${analyticsDaily.latencySumMs})::float8`,
        latencyCount: sql<number>`sum(${analyticsDaily.latencyCount})::int`,
      })
      .from(analyticsDaily)
      .where(
        and(
          eq(analyticsDaily.workspaceId, scope.workspaceId),
          sql`${analyticsDaily.date} between ${scope.from}::date and ${scope.to}::date`,
          scope.chatbotId ? eq(analyticsDaily.chatbotId, scope.chatbotId) : undefined,
          scope.channelType ? eq(analyticsDaily.channelType, scope.channelType) : undefined,
        ),
      )
      .groupBy(analyticsDaily.date, analyticsDaily.channelType, analyticsDaily.chatbotId),
    // One pass over the period's messages: the totals (grouping set ()) and the per-model lines.
    db.execute(sql`
      select grouping(m.provider, m.model) = 3 as total, coalesce(m.provider::text, '') as provider, m.model,
        -- One conversation per channel and contact outside the playground: its id stands for its contact.
        count(distinct coalesce(m.sender_contact_id, m.conversation_id)) filter (where ${isCustomerMessage}) as unique_users,
        percentile_cont(0.5) within group (order by m.latency_ms) filter (where ${isBotResponse}) as p50,
        percentile_cont(0.95) within group (order by m.latency_ms) filter (where ${isBotResponse}) as p95,
        count(*) filter (where ${isBotResponse})::int as responses,
        coalesce(sum((m.usage ->> 'inputTokens')::bigint) filter (where ${isBotResponse}), 0)::float8 as input_tokens,
        coalesce(sum((m.usage ->> 'outputTokens')::bigint) filter (where ${isBotResponse}), 0)::float8 as output_tokens
      from ${scopedMessages(scope)}
      group by grouping sets ((), (m.provider, m.model))`),
    db.execute(sql`
      select ${localDay(sql`c.created_at`, scope.timeZone)}::text as day, c.chatbot_id, count(*)::int as cohort,
        count(*) filter (where (c.status = 'CLOSED' or c.last_message_at < ${new Date(Date.now() - QUIET_MS)})
          and not exists (select 1 from message m where m.conversation_id = c.id and (${isHumanReply} or ${isHandoff})))::int as deflected
      from conversation c join channel ch on ch.id = c.channel_id
      where ${conversationFilter(scope)} and ${within(sql`c.created_at`, scope)} and c.chatbot_id is not null
      group by 1, 2`),
    db.execute(sql`
      select c.chatbot_id, f.rating::text as rating, count(*)::int as n
      from feedback f join conversation c on c.id = f.conversation_id join channel ch on ch.id = c.channel_id
      where f.workspace_id = ${scope.workspaceId} and ${within(sql`f.created_at`, scope)} and ${conversationFilter(scope)}
      group by 1, 2`),
    db.execute(sql`
      with handoffs as materialized (
        select m.conversation_id, m.created_at, coalesce(m.metadata ->> 'reason', 'unknown') as reason
        from ${scopedMessages(scope)} and ${isHandoff}
      ), starts as (
        select conversation_id, created_at as started_at from handoffs
        union all
        select c.id, first.created_at
        from conversation c join channel ch on ch.id = c.channel_id
        cross join lateral (
          select m.created_at from message m where m.conversation_id = c.id and ${isCustomerMessage}
          order by m.created_at limit 1) first
        where ${conversationFilter(scope)} and ${within(sql`c.created_at`, scope)} and c.chatbot_id is null
          and not exists (select 1 from message m where m.conversation_id = c.id and ${isHandoff})
      ), waits as (
        select extract(epoch from (reply.created_at - s.started_at)) * 1000 as ms
        from starts s cross join lateral (
          select m.created_at from message m
          where m.conversation_id = s.conversation_id and ${isHumanReply} and m.created_at >= s.started_at
          order by m.created_at limit 1) reply
      )
      select (select percentile_cont(0.5) within group (order by ms) from waits) as p50,
        (select percentile_cont(0.95) within group (order by ms) from waits) as p95,
        (select coalesce(jsonb_object_agg(reason, n), '{}') from (select reason, count(*)::int as n from handoffs group by 1) r) as by_reason`),
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
  let cohortSize = 0;
  let deflected = 0;
  for (const r of rowsOf<{ day: string; chatbot_id: string; cohort: number; deflected: number }>(cohort)) {
    const line = bot(r.chatbot_id);
    line.cohort += num(r.cohort);
    line.deflected += num(r.deflected);
    cohortSize += num(r.cohort);
    deflected += num(r.deflected);
    const day = days.get(r.day);
    if (day) day.deflected += num(r.deflected);
  }
  const daily = [...days.values()];
  const total = (key: keyof Omit<AnalyticsDay, "date">) => daily.reduce((s, d) => s + d[key], 0);
  const totalConversations = total("conversations");
  const totalMessages = total("messages");

  const ratings: Record<string, number> = {};
  for (const r of rowsOf<{ chatbot_id: string | null; rating: string; n: number }>(feedback)) {
    ratings[r.rating] = (ratings[r.rating] ?? 0) + num(r.n);
    if (r.rating === "helpful") bot(r.chatbot_id).helpful += num(r.n);
    if (r.rating === "not_helpful") bot(r.chatbot_id).notHelpful += num(r.n);
  }
  const helpful = ratings.helpful ?? 0;
  const notHelpful = ratings.not_helpful ?? 0;
  const passes = rowsOf<{
    total: boolean;
    provider: string;
    model: string | null;
    unique_users: number;
    p50: number | null;
    p95: number | null;
    responses: number;
    input_tokens: number;
    output_tokens: number;
  }>(messageStats);
  const stats = passes.find((r) => r.total);
  const models = passes
    .filter((r): r is typeof r & { model: string } => !r.total && r.model !== null && num(r.responses) > 0)
    .sort((a, b) => num(b.responses) - num(a.responses) || a.model.localeCompare(b.model));
  const waits = rowsOf<{ p50: number | null; p95: number | null; by_reason: Record<string, number> | string }>(
    handoffs,
  )[0];
  const byReason: Record<string, number> =
    typeof waits?.by_reason === "string" ? JSON.parse(waits.by_reason) : (waits?.by_reason ?? {});

  return {
    range: { from: scope.from, to: scope.to, timeZone: scope.timeZone },
    summary: {
      totalConversations,
      totalMessages,
      uniqueUsers: num(stats?.unique_users),
      avgMessagesPerConversation:
        totalConversations > 0 ? Math.round((totalMessages / totalConversations) * 100) / 100 : 0,
      avgResponseTime: latencyCount > 0 ? Math.round(latencySum / latencyCount) : null,
      satisfactionRate: rate(helpful, helpful + notHelpful),
    },
    bot: {
      responses: total("botResponses"),
      latencyP50Ms: numOrNull(stats?.p50),
      latencyP95Ms: numOrNull(stats?.p95),
      deflectionRate: rate(deflected, cohortSize),
      deflected,
      cohort: cohortSize,
      handoffs: { total: total("handoffs"), byReason },
      failedGenerations: total("failedGenerations"),
      models: models.map(
        (r): ModelUsage => ({
          provider: r.provider,
          model: r.model,
          responses: num(r.responses),
          inputTokens: num(r.input_tokens),
          outputTokens: num(r.output_tokens),
          estimatedCostUsd: estimateCostUsd(r.model, num(r.input_tokens), num(r.output_tokens)),
        }),
      ),
      feedback: { helpful, notHelpful, inappropriate: ratings.inappropriate ?? 0 },
    },
    humans: {
      replies: humanReplies,
      firstResponseP50Ms: numOrNull(waits?.p50),
      firstResponseP95Ms: numOrNull(waits?.p95),
    },
    trends: { daily },
    topQueries,
    integrationBreakdown: breakdown,
    ...(options.byChatbot ? { byChatbot: await byChatbot(ctx, bots) } : {}),
  };
}

/**
 * A customer's text as it is grouped: NFKC, lower case, runs of white space as one space, punctuation
 * and spaces trimmed from both ends ("  Where is my ORDER?? " → "where is my order").
 */
export const normalizedQuery = (text: SQL) =>
  sql`regexp_replace(regexp_replace(lower(normalize(${text}, NFKC)), '[[:space:]]+', ' ', 'g'), '^[[:punct:] ]+|[[:punct:] ]+$', '', 'g')`;

/**
 * The customers' `limit` most frequent texts, and how the bot's answers to them were rated: the answers
 * are the bot messages of the period that came right after one of them (helpful and not helpful counts).
 */
async function topQueriesOf(ctx: Ctx, scope: Scope, limit: number): Promise<QueryCount[]> {
  const result = await ctx.db.execute(sql`
    with q as (
      select m.conversation_id, m.created_at, m.id, ${normalizedQuery(sql`m.text`)} as query
      from ${scopedMessages(scope)} and ${isCustomerMessage} and m.text is not null
    ), top as (
      select query, count(*)::int as n from q where query <> '' group by query order by n desc, query limit ${limit}
    ), rated as (
      -- From the rated bot answers of the period (few) back to the message before each, rather than
      -- from every question forward to the next message (many).
      select ${normalizedQuery(sql`p.text`)} as query,
        count(*) filter (where f.rating = 'helpful')::int as helpful,
        count(*) filter (where f.rating = 'not_helpful')::int as not_helpful
      from (
        select m.id, m.conversation_id, m.created_at from ${scopedMessages(scope)} and ${isBotResponse}
          and m.id in (select message_id from feedback where workspace_id = ${scope.workspaceId})
      ) a
      join feedback f on f.message_id = a.id
      cross join lateral (
        select prev.role, prev.text from message prev
        where prev.conversation_id = a.conversation_id and (prev.created_at, prev.id) < (a.created_at, a.id)
          and prev.role in ('USER', 'BOT', 'AGENT') and prev.kind in ('text', 'attachment') and prev.status <> 'draft'
        order by prev.created_at desc, prev.id desc limit 1) p
      where p.role = 'USER' and p.text is not null
      group by 1
    )
    select top.query, top.n, rated.helpful, rated.not_helpful
    from top left join rated on rated.query = top.query order by top.n desc, top.query`);
  return rowsOf<{ query: string; n: number; helpful: number | null; not_helpful: number | null }>(result).map((r) => ({
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
