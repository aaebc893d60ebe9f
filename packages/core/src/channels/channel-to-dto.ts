import type { ChannelDto } from "@tandem/contracts";
import { type channels, type Db, rowsOf } from "@tandem/db";
import { sql } from "drizzle-orm";

type ChannelRow = typeof channels.$inferSelect;

/** How far back the webhook health looks for failed events. */
export const RECENT_FAILURE_WINDOW_HOURS = 24;

interface WebhookActivity {
  channelId: string;
  recentFailures: number;
  lastFailureAt: Date | null;
  lastFailureMessage: string | null;
  lastProcessedAt: Date | null;
}

/**
 * The API view of channels: masked secret hints only, never the envelope, and the webhook's health —
 * counters, the failed events of the last 24 hours with the latest one's reason, and the arrival of
 * the latest event processed, so the dashboard can tell "failing now" from "failed, then recovered".
 */
export async function loadChannelDtos(db: Db, rows: ChannelRow[]): Promise<ChannelDto[]> {
  if (rows.length === 0) return [];
  const activity = await webhookActivity(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((row) => channelToDto(row, activity.get(row.id)));
}

export async function loadChannelDto(db: Db, row: ChannelRow): Promise<ChannelDto> {
  return (await loadChannelDtos(db, [row]))[0]!;
}

/**
 * Failed entries are few (their `inbound_event_status_received_idx` range is small); the latest
 * processed entry is the first of a backward walk on `inbound_event_channel_received_idx`.
 */
async function webhookActivity(db: Db, channelIds: string[]): Promise<Map<string, WebhookActivity>> {
  const ids = JSON.stringify(channelIds);
  const result = await db.execute(sql`
    select c.id as "channelId",
      coalesce(f.failures, 0)::int as "recentFailures",
      f.last_at as "lastFailureAt",
      f.last_error as "lastFailureMessage",
      (select e.received_at from inbound_event e
        where e.channel_id = c.id and e.status = 'processed'
        order by e.received_at desc limit 1) as "lastProcessedAt"
    from jsonb_array_elements_text(${ids}::jsonb) as c(id)
    left join lateral (
      select count(*) as failures, max(e.received_at) as last_at,
        (array_agg(e.error order by e.received_at desc))[1] as last_error
      from inbound_event e
      where e.status = 'failed' and e.channel_id = c.id
        and e.received_at > now() - make_interval(hours => ${RECENT_FAILURE_WINDOW_HOURS})
    ) f on true`);
  const date = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));
  return new Map(
    rowsOf<Record<string, unknown>>(result).map((r) => [
      r.channelId as string,
      {
        channelId: r.channelId as string,
        recentFailures: Number(r.recentFailures),
        lastFailureAt: date(r.lastFailureAt),
        lastFailureMessage: (r.lastFailureMessage as string | null) ?? null,
        lastProcessedAt: date(r.lastProcessedAt),
      },
    ]),
  );
}

function channelToDto(c: ChannelRow, activity: WebhookActivity | undefined): ChannelDto {
  const lastFailureAt = activity?.lastFailureAt ?? null;
  return {
    id: c.id,
    type: c.type,
    name: c.name,
    externalId: c.externalId,
    chatbotId: c.chatbotId,
    status: c.status,
    statusReason: c.statusReason,
    subscribed: c.subscribed,
    subscribedFields: c.subscribedFields,
    secretHints: c.secretHints,
    webhook: {
      lastEventAt: c.lastEventAt?.toISOString() ?? null,
      lastProcessedAt: activity?.lastProcessedAt?.toISOString() ?? null,
      eventsReceived: c.eventsReceived,
      eventsFailed: c.eventsFailed,
      signatureRejections: c.signatureRejections,
      lastSignatureRejectionAt: c.lastSignatureRejectionAt?.toISOString() ?? null,
      retries: c.retries,
      recentFailures: activity?.recentFailures ?? 0,
      lastFailure: lastFailureAt
        ? { at: lastFailureAt.toISOString(), message: activity?.lastFailureMessage ?? "Processing failed" }
        : null,
    },
    createdAt: c.createdAt.toISOString(),
  };
}
