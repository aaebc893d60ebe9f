/**
 * The daily rollups, per workspace, local day, chatbot and channel type:
 * - `analytics_daily`: the numbers that add up across days — conversations started (and of those with
 *   a chatbot, the ones ever handed off or answered by a person), messages by who wrote them, the
 *   customers who wrote that day, handoffs, failed generations, the bots' latency sum and count, and
 *   the ratings given that day;
 * - `analytics_daily_histogram`: the bots' latencies and the people's first-response waits, as
 *   rounded values with their counts (percentiles over any days: `histogram.ts`), and merged for the
 *   whole workspace (`analytics_daily_workspace_histogram`, what the unfiltered answer reads);
 * - `analytics_daily_model`, `analytics_daily_handoff`: bot responses and tokens per model, handoffs
 *   per reason;
 * - `analytics_daily_contact`: who wrote that day (unique users over a range: a count distinct of it);
 * - `analytics_daily_query`: normalised customer texts with their counts and their answers' ratings.
 * `get-analytics.ts` reads them; only the conversations still going (not deflected yet) come from the rows.
 *
 * They are rebuilt from the messages, never incremented, so a recomputation always converges:
 * - the first time a workspace asks (or after its time zone changed): every day (`rebuildAnalyticsDays`);
 * - on each read (`refreshAnalyticsRollups`): the days of the messages and conversations created since
 *   the last refresh, a few minutes of overlap included for transactions that committed late, and the
 *   days the database triggers marked in `analytics_dirty` (migration 0023): a message edited, deleted
 *   or moved, a conversation moved to another chatbot or channel, its contact erased, a rating given,
 *   and for a person's reply or a handoff the conversation's day and its handoffs' days (the wait it
 *   ends, the deflection it prevents);
 * - every hour (`refresh-analytics` job, from the maintenance job): today and yesterday too.
 */
import {
  analyticsDaily,
  analyticsDailyContact,
  analyticsDailyHandoff,
  analyticsDailyHistogram,
  analyticsDailyModel,
  analyticsDailyQuery,
  analyticsDailyWorkspaceHistogram,
  type Db,
  rowsOf,
  type WorkspaceSettings,
  workspaces,
} from "@tandem/db";
import { type SQL, sql } from "drizzle-orm";
import { loadWorkspaceSettings } from "../workspaces/settings-section.ts";
import { analyticsSettingsOf } from "./analytics-settings-of.ts";
import {
  dayEnd,
  dayStart,
  isBotResponse,
  isCounted,
  isCustomerMessage,
  isFailedGeneration,
  isHandoff,
  isHumanReply,
  localDay,
  normalizedQuery,
  roundedMs,
} from "./sql-parts.ts";

export interface DayRange {
  from: string;
  to: string;
}

/** Rows committed this long after their `created_at` are still picked up by the next read. */
export const LATE_COMMIT_MARGIN_MS = 5 * 60_000;

type Executor = Pick<Db, "execute">;

/**
 * Recomputes the rollups of the local days `range` (both included; every day when absent) of one
 * workspace in one transaction: the days' rows are replaced by a fresh aggregate of the messages.
 */
export async function rebuildAnalyticsDays(
  db: Db,
  workspaceId: string,
  timeZone: string,
  range?: DayRange,
): Promise<void> {
  await db.transaction(async (tx) => {
    await lockWorkspace(tx, workspaceId);
    await rebuild(tx, workspaceId, timeZone, range);
  });
}

/** One rebuild of a workspace at a time: two would both insert the same keys. */
async function lockWorkspace(tx: Executor, workspaceId: string): Promise<void> {
  await tx.execute(sql`select 1 from ${workspaces} where ${workspaces.id} = ${workspaceId} for update`);
}

async function rebuild(tx: Executor, workspaceId: string, timeZone: string, range?: DayRange): Promise<void> {
  const within = (column: SQL) =>
    range
      ? sql`and ${column} >= ${dayStart(range.from, timeZone)} and ${column} < ${dayEnd(range.to, timeZone)}`
      : sql``;
  const day = (column: SQL) => localDay(column, timeZone);
  for (const table of [
    analyticsDaily,
    analyticsDailyHistogram,
    analyticsDailyWorkspaceHistogram,
    analyticsDailyModel,
    analyticsDailyHandoff,
    analyticsDailyContact,
    analyticsDailyQuery,
  ]) {
    await tx.execute(sql`
      delete from ${table} where workspace_id = ${workspaceId}
      ${range ? sql`and date between ${range.from}::date and ${range.to}::date` : sql``}`);
  }
  /** The workspace's messages `m` outside the playground with their conversation `c` and channel `ch` (and `joins`). */
  const messagesWith = (joins: SQL) => sql`message m
    join conversation c on c.id = m.conversation_id
    join channel ch on ch.id = c.channel_id
    ${joins}
    where m.workspace_id = ${workspaceId} and not c.is_playground ${within(sql`m.created_at`)}`;
  const messages = messagesWith(sql``);
  const escalates = sql`(${isHumanReply} or ${isHandoff})`;

  await tx.execute(sql`
    with msg as (
      select ${day(sql`m.created_at`)} as day, c.chatbot_id, ch.type as channel_type,
        count(*) filter (where ${isCounted} and m.role = 'USER')::int as messages_in,
        count(*) filter (where ${isBotResponse})::int as messages_out_bot,
        count(*) filter (where ${isHumanReply})::int as messages_out_agent,
        count(distinct coalesce(m.sender_contact_id, c.contact_id)) filter (where ${isCustomerMessage})::int as unique_contacts,
        count(*) filter (where ${isHandoff})::int as handoffs,
        count(*) filter (where ${isFailedGeneration})::int as failed_generations,
        coalesce(sum(m.latency_ms) filter (where ${isBotResponse} and m.latency_ms is not null), 0)::bigint as latency_sum_ms,
        count(m.latency_ms) filter (where ${isBotResponse})::int as latency_count
      from ${messages}
      group by 1, 2, 3
    ), conv as (
      select ${day(sql`c.created_at`)} as day, c.chatbot_id, ch.type as channel_type, count(*)::int as conversations,
        count(*) filter (where c.chatbot_id is not null
          and exists (select 1 from message m where m.conversation_id = c.id and ${escalates}))::int as escalated
      from conversation c join channel ch on ch.id = c.channel_id
      where c.workspace_id = ${workspaceId} and not c.is_playground ${within(sql`c.created_at`)}
      group by 1, 2, 3
    ), fb as (
      select ${day(sql`f.created_at`)} as day, c.chatbot_id, ch.type as channel_type,
        count(*) filter (where f.rating = 'helpful')::int as helpful,
        count(*) filter (where f.rating = 'not_helpful')::int as not_helpful,
        count(*) filter (where f.rating = 'inappropriate')::int as inappropriate
      from feedback f join conversation c on c.id = f.conversation_id join channel ch on ch.id = c.channel_id
      where f.workspace_id = ${workspaceId} and not c.is_playground ${within(sql`f.created_at`)}
      group by 1, 2, 3
    ), keys as (
      select day, chatbot_id, channel_type from msg
      union select day, chatbot_id, channel_type from conv
      union select day, chatbot_id, channel_type from fb
    )
    insert into ${analyticsDaily} (id, workspace_id, chatbot_id, channel_type, date, conversations, escalated, messages_in,
      messages_out_bot, messages_out_agent, unique_contacts, handoffs, failed_generations, latency_sum_ms, latency_count,
      ratings_helpful, ratings_not_helpful, ratings_inappropriate)
    select 'stat_' || replace(gen_random_uuid()::text, '-', ''), ${workspaceId}, k.chatbot_id, k.channel_type, k.day,
      coalesce(conv.conversations, 0), coalesce(conv.escalated, 0), coalesce(msg.messages_in, 0),
      coalesce(msg.messages_out_bot, 0), coalesce(msg.messages_out_agent, 0), coalesce(msg.unique_contacts, 0),
      coalesce(msg.handoffs, 0), coalesce(msg.failed_generations, 0), coalesce(msg.latency_sum_ms, 0),
      coalesce(msg.latency_count, 0), coalesce(fb.helpful, 0), coalesce(fb.not_helpful, 0), coalesce(fb.inappropriate, 0)
    from keys k
      left join msg on msg.day = k.day and msg.chatbot_id is not distinct from k.chatbot_id and msg.channel_type = k.channel_type
      left join conv on conv.day = k.day and conv.chatbot_id is not distinct from k.chatbot_id and conv.channel_type = k.channel_type
      left join fb on fb.day = k.day and fb.chatbot_id is not distinct from k.chatbot_id and fb.channel_type = k.channel_type`);

  // The bots' latencies by the response's day; the people's first-response waits by the day they
  // started: a handoff, or a conversation without a chatbot never handed off, from its first customer message.
  await tx.execute(sql`
    with starts as (
      select ${day(sql`m.created_at`)} as day, c.chatbot_id, ch.type as channel_type, m.conversation_id, m.created_at as started_at
      from ${messages} and ${isHandoff}
      union all
      select ${day(sql`c.created_at`)}, c.chatbot_id, ch.type, c.id, first.created_at
      from conversation c join channel ch on ch.id = c.channel_id
      cross join lateral (
        select m.created_at from message m where m.conversation_id = c.id and ${isCustomerMessage}
        order by m.created_at limit 1) first
      where c.workspace_id = ${workspaceId} and not c.is_playground and c.chatbot_id is null ${within(sql`c.created_at`)}
        and not exists (select 1 from message m where m.conversation_id = c.id and ${isHandoff})
    ), samples as (
      select ${day(sql`m.created_at`)} as day, c.chatbot_id, ch.type as channel_type, 'bot_latency' as metric,
        ${roundedMs(sql`m.latency_ms`)} as value
      from ${messages} and ${isBotResponse} and m.latency_ms is not null
      union all
      select s.day, s.chatbot_id, s.channel_type, 'human_first_response',
        ${roundedMs(sql`extract(epoch from (reply.created_at - s.started_at)) * 1000`)}
      from starts s cross join lateral (
        select m.created_at from message m
        where m.conversation_id = s.conversation_id and ${isHumanReply} and m.created_at >= s.started_at
        order by m.created_at limit 1) reply
    ), counted as (
      select day, chatbot_id, channel_type, metric, value, count(*)::int as n from samples group by 1, 2, 3, 4, 5
    )
    insert into ${analyticsDailyHistogram} (workspace_id, date, chatbot_id, channel_type, metric, values, counts)
    select ${workspaceId}, day, chatbot_id, channel_type, metric, array_agg(value order by value), array_agg(n order by value)
    from counted group by day, chatbot_id, channel_type, metric`);
  await tx.execute(sql`
    insert into ${analyticsDailyWorkspaceHistogram} (workspace_id, date, metric, values, counts)
    select ${workspaceId}, date, metric, array_agg(value order by value), array_agg(n order by value)
    from (
      select h.date, h.metric, u.value, sum(u.n)::int as n
      from analytics_daily_histogram h cross join unnest(h.values, h.counts) as u(value, n)
      where h.workspace_id = ${workspaceId} ${range ? sql`and h.date between ${range.from}::date and ${range.to}::date` : sql``}
      group by 1, 2, 3
    ) merged
    group by date, metric`);

  await tx.execute(sql`
    insert into ${analyticsDailyModel} (workspace_id, date, chatbot_id, channel_type, provider, model, responses, input_tokens, output_tokens)
    select ${workspaceId}, ${day(sql`m.created_at`)}, c.chatbot_id, ch.type, coalesce(m.provider::text, ''), m.model, count(*)::int,
      coalesce(sum((m.usage ->> 'inputTokens')::bigint), 0), coalesce(sum((m.usage ->> 'outputTokens')::bigint), 0)
    from ${messages} and ${isBotResponse} and m.model is not null
    group by 2, 3, 4, 5, 6`);

  await tx.execute(sql`
    insert into ${analyticsDailyHandoff} (workspace_id, date, chatbot_id, channel_type, reason, handoffs)
    select ${workspaceId}, ${day(sql`m.created_at`)}, c.chatbot_id, ch.type, coalesce(m.metadata ->> 'reason', 'unknown'), count(*)::int
    from ${messages} and ${isHandoff}
    group by 2, 3, 4, 5`);

  await tx.execute(sql`
    insert into ${analyticsDailyContact} (workspace_id, date, chatbot_id, channel_type, contact_id)
    select distinct ${workspaceId}, ${day(sql`m.created_at`)}, c.chatbot_id, ch.type, coalesce(m.sender_contact_id, c.contact_id)
    from ${messages} and ${isCustomerMessage}`);

  // Questions by their day; the ratings of an answer by the answer's day, under the question right before it.
  await tx.execute(sql`
    insert into ${analyticsDailyQuery} (workspace_id, date, chatbot_id, channel_type, query, questions, helpful, not_helpful)
    select ${workspaceId}, day, chatbot_id, channel_type, query, sum(questions)::int, sum(helpful)::int, sum(not_helpful)::int
    from (
      select ${day(sql`m.created_at`)} as day, c.chatbot_id, ch.type as channel_type, ${normalizedQuery(sql`m.text`)} as query,
        1 as questions, 0 as helpful, 0 as not_helpful
      from ${messages} and ${isCustomerMessage} and m.text is not null
      union all
      select ${day(sql`m.created_at`)}, c.chatbot_id, ch.type, ${normalizedQuery(sql`p.text`)},
        0, (f.rating = 'helpful')::int, (f.rating = 'not_helpful')::int
      from ${messagesWith(sql`join feedback f on f.message_id = m.id
        cross join lateral (
          select p.role, p.text from message p
          where p.conversation_id = m.conversation_id and (p.created_at, p.id) < (m.created_at, m.id)
            and p.role in ('USER', 'BOT', 'AGENT') and p.kind in ('text', 'attachment') and p.status <> 'draft'
          order by p.created_at desc, p.id desc limit 1) p`)}
        and ${isBotResponse} and f.rating in ('helpful', 'not_helpful') and p.role = 'USER' and p.text is not null
    ) rows
    where query <> ''
    group by day, chatbot_id, channel_type, query`);
}

/** Today's date in the time zone, as YYYY-MM-DD. */
export function localToday(timeZone: string, now = new Date()): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(now);
}

/** YYYY-MM-DD plus `days` (negative: before). */
export function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Days (YYYY-MM-DD, any order, repeats allowed) as the fewest ranges of consecutive days. */
export function dayRanges(days: Iterable<string>): DayRange[] {
  const ranges: DayRange[] = [];
  for (const day of [...new Set(days)].sort()) {
    const last = ranges.at(-1);
    if (last && addDays(last.to, 1) === day) last.to = day;
    else ranges.push({ from: day, to: day });
  }
  return ranges;
}

type RollupState = NonNullable<WorkspaceSettings["analyticsRollups"]>;

/** Messages and conversations of the workspace created from `since` on. */
async function createdSince(
  db: Executor,
  workspaceId: string,
  since: Date,
): Promise<NonNullable<RollupState["recent"]>> {
  const [row] = rowsOf<{ messages: number; conversations: number }>(
    await db.execute(sql`
      select (select count(*) from message where workspace_id = ${workspaceId} and created_at >= ${since})::int as messages,
        (select count(*) from conversation where workspace_id = ${workspaceId} and created_at >= ${since})::int as conversations`),
  );
  return { messages: Number(row?.messages ?? 0), conversations: Number(row?.conversations ?? 0) };
}

async function markBuilt(db: Executor, workspaceId: string, state: RollupState): Promise<void> {
  await db.execute(sql`
    update ${workspaces} set settings = jsonb_set(settings, '{analyticsRollups}', ${JSON.stringify(state)}::jsonb)
    where id = ${workspaceId}`);
}

/**
 * Brings a workspace's rollups up to date and returns its time zone: rebuilds them all the first time
 * or after a time-zone change, otherwise the days of what was created since the last refresh and the
 * days marked dirty (`days`: also these days, e.g. today and yesterday for the hourly job). The marks
 * are cleared in the same transaction as the rebuild: a mark made meanwhile waits for it and stays.
 * A read that finds no mark and the same number of rows created since the last refresh's overlap
 * (nothing committed since) rebuilds nothing.
 */
export async function refreshAnalyticsRollups(
  db: Db,
  workspaceId: string,
  options: { days?: DayRange; full?: boolean } = {},
): Promise<string> {
  const settings = await loadWorkspaceSettings(db, workspaceId);
  const { timeZone } = analyticsSettingsOf(settings);
  const built = settings.analyticsRollups;
  const startedAt = new Date();
  const full = options.full || !built || built.timeZone !== timeZone;
  const overlap = (at: string | Date) => new Date(new Date(at).getTime() - LATE_COMMIT_MARGIN_MS);
  if (!full && !options.days && built.recent) {
    const [dirty] = rowsOf<{ any: boolean }>(
      await db.execute(sql`select exists (select 1 from analytics_dirty where workspace_id = ${workspaceId}) as any`),
    );
    const recent = await createdSince(db, workspaceId, overlap(built.builtAt));
    if (
      !dirty?.any &&
      recent.messages === built.recent.messages &&
      recent.conversations === built.recent.conversations
    ) {
      return timeZone;
    }
  }
  await db.transaction(async (tx) => {
    await lockWorkspace(tx, workspaceId);
    // Counted before the rebuild reads anything: a row committed in between is rebuilt now and again next time.
    const recent = await createdSince(tx, workspaceId, overlap(startedAt));
    const dirty = rowsOf<{ day: string }>(
      await tx.execute(sql`
        with cleared as (delete from analytics_dirty where workspace_id = ${workspaceId} returning at)
        select distinct ${localDay(sql`at`, timeZone)}::text as day from cleared`),
    );
    if (full) {
      await rebuild(tx, workspaceId, timeZone);
      // The planner's statistics of the rollup tables, which just changed wholesale.
      await tx.execute(sql`analyze analytics_daily, analytics_daily_histogram, analytics_daily_workspace_histogram,
        analytics_daily_model, analytics_daily_handoff, analytics_daily_contact, analytics_daily_query`);
    } else {
      const since = overlap(built.builtAt);
      const [changed] = rowsOf<{ from: string | null; to: string | null }>(
        await tx.execute(sql`
          select min(day)::text as "from", max(day)::text as "to" from (
            select ${localDay(sql`min(created_at)`, timeZone)} as day from message where workspace_id = ${workspaceId} and created_at >= ${since}
            union all
            select ${localDay(sql`max(created_at)`, timeZone)} from message where workspace_id = ${workspaceId} and created_at >= ${since}
            union all
            select ${localDay(sql`min(created_at)`, timeZone)} from conversation where workspace_id = ${workspaceId} and created_at >= ${since}
            union all
            select ${localDay(sql`max(created_at)`, timeZone)} from conversation where workspace_id = ${workspaceId} and created_at >= ${since}
          ) d`),
      );
      const days = dirty.map((d) => d.day);
      const ranges = options.days ? [options.days] : [];
      if (changed?.from && changed.to) ranges.push({ from: changed.from, to: changed.to });
      for (const range of ranges) for (let d = range.from; d <= range.to; d = addDays(d, 1)) days.push(d);
      for (const range of dayRanges(days)) await rebuild(tx, workspaceId, timeZone, range);
    }
    await markBuilt(tx, workspaceId, { timeZone, builtAt: startedAt.toISOString(), recent });
  });
  return timeZone;
}
