/**
 * The daily rollups (`analytics_daily`): per workspace, local day, chatbot and channel type, the
 * numbers that add up across days — conversations started, messages by who wrote them, the customers
 * who wrote that day, handoffs, failed generations and the bots' latency sum and count. Everything
 * else (percentiles, people over a range, the deflection cohort, first response times, feedback, top
 * queries, models) is computed from the rows by `get-analytics.ts`.
 *
 * They are rebuilt from the messages, never incremented, so a recomputation always converges:
 * - the first time a workspace asks (or after its time zone changed): every day (`rebuildAnalyticsDays`);
 * - on each read: the days of the messages and conversations created since the last refresh, a few
 *   minutes of overlap included for transactions that committed late (`refreshAnalyticsRollups`);
 * - every hour (`refresh-analytics` job, from the maintenance job): today and yesterday, for what
 *   changes after the fact (a reply's status, a conversation moved to another chatbot).
 */
import { analyticsDaily, type Db, rowsOf, type WorkspaceSettings, workspaces } from "@tandem/db";
import { eq, sql } from "drizzle-orm";
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
} from "./sql-parts.ts";

export interface DayRange {
  from: string;
  to: string;
}

/** Rows committed this long after their `created_at` are still picked up by the next read. */
export const LATE_COMMIT_MARGIN_MS = 5 * 60_000;

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
  const within = (column: ReturnType<typeof sql>) =>
    range
      ? sql`and ${column} >= ${dayStart(range.from, timeZone)} and ${column} < ${dayEnd(range.to, timeZone)}`
      : sql``;
  await db.transaction(async (tx) => {
    // One rebuild of a workspace at a time: two would both insert the same keys.
    await tx.execute(sql`select 1 from ${workspaces} where ${workspaces.id} = ${workspaceId} for update`);
    await tx.execute(sql`
      delete from ${analyticsDaily} where ${analyticsDaily.workspaceId} = ${workspaceId}
      ${range ? sql`and ${analyticsDaily.date} between ${range.from}::date and ${range.to}::date` : sql``}`);
    await tx.execute(sql`
      with msg as (
        select ${localDay(sql`m.created_at`, timeZone)} as day, c.chatbot_id, ch.type as channel_type,
          count(*) filter (where ${isCounted} and m.role = 'USER')::int as messages_in,
          count(*) filter (where ${isBotResponse})::int as messages_out_bot,
          count(*) filter (where ${isHumanReply})::int as messages_out_agent,
          count(distinct coalesce(m.sender_contact_id, c.contact_id)) filter (where ${isCustomerMessage})::int as unique_contacts,
          count(*) filter (where ${isHandoff})::int as handoffs,
          count(*) filter (where ${isFailedGeneration})::int as failed_generations,
          coalesce(sum(m.latency_ms) filter (where ${isBotResponse} and m.latency_ms is not null), 0)::bigint as latency_sum_ms,
          count(m.latency_ms) filter (where ${isBotResponse})::int as latency_count
        from message m
          join conversation c on c.id = m.conversation_id
          join channel ch on ch.id = c.channel_id
        where m.workspace_id = ${workspaceId} and not c.is_playground ${within(sql`m.created_at`)}
        group by 1, 2, 3
      ), conv as (
        select ${localDay(sql`c.created_at`, timeZone)} as day, c.chatbot_id, ch.type as channel_type, count(*)::int as conversations
        from conversation c join channel ch on ch.id = c.channel_id
        where c.workspace_id = ${workspaceId} and not c.is_playground ${within(sql`c.created_at`)}
        group by 1, 2, 3
      )
      insert into ${analyticsDaily} (id, workspace_id, chatbot_id, channel_type, date, conversations, messages_in,
        messages_out_bot, messages_out_agent, unique_contacts, handoffs, failed_generations, latency_sum_ms, latency_count)
      select 'stat_' || replace(gen_random_uuid()::text, '-', ''), ${workspaceId},
        coalesce(msg.chatbot_id, conv.chatbot_id), coalesce(msg.channel_type, conv.channel_type), coalesce(msg.day, conv.day),
        coalesce(conv.conversations, 0), coalesce(msg.messages_in, 0), coalesce(msg.messages_out_bot, 0),
        coalesce(msg.messages_out_agent, 0), coalesce(msg.unique_contacts, 0), coalesce(msg.handoffs, 0),
        coalesce(msg.failed_generations, 0), coalesce(msg.latency_sum_ms, 0), coalesce(msg.latency_count, 0)
      from msg full join conv
        on conv.day = msg.day and conv.chatbot_id is not distinct from msg.chatbot_id and conv.channel_type = msg.channel_type
      on conflict on constraint analytics_daily_key do update set
        conversations = excluded.conversations, messages_in = excluded.messages_in,
        messages_out_bot = excluded.messages_out_bot, messages_out_agent = excluded.messages_out_agent,
        unique_contacts = excluded.unique_contacts, handoffs = excluded.handoffs,
        failed_generations = excluded.failed_generations, latency_sum_ms = excluded.latency_sum_ms,
        latency_count = excluded.latency_count, updated_at = now()`);
  });
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

async function markBuilt(db: Db, workspaceId: string, timeZone: string, at: Date): Promise<void> {
  const state: NonNullable<WorkspaceSettings["analyticsRollups"]> = { timeZone, builtAt: at.toISOString() };
  await db
    .update(workspaces)
    .set({ settings: sql`jsonb_set(${workspaces.settings}, '{analyticsRollups}', ${JSON.stringify(state)}::jsonb)` })
    .where(eq(workspaces.id, workspaceId));
}

/**
 * Brings a workspace's rollups up to date and returns its time zone: rebuilds them all the first time
 * or after a time-zone change, otherwise the days of what was created since the last refresh
 * (`days`: also these days, e.g. today and yesterday for the hourly job).
 */
export async function refreshAnalyticsRollups(
  db: Db,
  workspaceId: string,
  options: { days?: DayRange; full?: boolean } = {},
): Promise<string> {
  const [row] = await db
    .select({ settings: workspaces.settings })
    .from(workspaces)
    .where(eq(workspaces.id, workspaceId));
  const settings = row?.settings ?? {};
  const { timeZone } = analyticsSettingsOf(settings);
  const built = settings.analyticsRollups;
  const startedAt = new Date();
  if (options.full || !built || built.timeZone !== timeZone) {
    await rebuildAnalyticsDays(db, workspaceId, timeZone);
    await markBuilt(db, workspaceId, timeZone, startedAt);
    return timeZone;
  }
  const since = new Date(new Date(built.builtAt).getTime() - LATE_COMMIT_MARGIN_MS);
  const [changed] = rowsOf<{ from: string | null; to: string | null }>(
    await db.execute(sql`
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
  const ranges: DayRange[] = [];
  if (changed?.from && changed.to) ranges.push({ from: changed.from, to: changed.to });
  if (options.days) ranges.push(options.days);
  if (ranges.length > 0) {
    const from = ranges.map((r) => r.from).sort()[0]!;
    const to = ranges
      .map((r) => r.to)
      .sort()
      .at(-1)!;
    await rebuildAnalyticsDays(db, workspaceId, timeZone, { from, to });
  }
  await markBuilt(db, workspaceId, timeZone, startedAt);
  return timeZone;
}
