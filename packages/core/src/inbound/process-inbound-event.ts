/**
 * Turns one stored `inbound_event` row into inbox state, for any channel: the row's source names the
 * adapter (`runtime.channels`), which normalises the stored payload into customer events; each event
 * is applied by the shared pipeline (`apply-customer-event.ts`). Idempotency is per event, not per
 * row, so a retry after a partial failure replays safely (see `receiveCustomerMessage`).
 */
import { channels, type Db, inBackground, inboundEvents } from "@tandem/db";
import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { AppJobDeps } from "../app-deps.ts";
import { ingestIdle } from "../ingest-pacing.ts";
import { defineJob, type JobContext } from "../jobs/define-job.ts";
import { describeError, isRetryable } from "../jobs/errors.ts";
import { applyCustomerEvent } from "./apply-customer-event.ts";

type ChannelRow = typeof channels.$inferSelect;
type EventRow = typeof inboundEvents.$inferSelect;

export const processInboundEvent = defineJob({
  name: "process-inbound-event",
  schema: z.object({ eventId: z.string().min(1) }),
  retry: { attempts: 5 },
  // Events of one row run in order; separate rows run side by side (a PostgreSQL pool uses it).
  concurrency: 4,
  // On PGlite's one connection, acknowledging webhooks and sending replies go first: a burst is
  // stored at full speed and processed in the gaps (queries at most 200 ms behind; see ingestIdle
  // for the start of the job), so it never starves.
  background: true,
  handle: async ({ eventId }, deps: JobContext<AppJobDeps>) => {
    // Webhook acknowledgements come first (see ingest-pacing.ts): start in a moment they leave free.
    await ingestIdle(deps.db);
    const [event] = await deps.db
      .update(inboundEvents)
      .set({ status: "processing", attempts: sql`${inboundEvents.attempts} + 1` })
      .where(and(eq(inboundEvents.id, eventId), inArray(inboundEvents.status, ["pending", "processing", "failed"])))
      .returning();
    if (!event) return; // processed, ignored, or gone: nothing to do
    if (event.attempts > 1 && event.channelId) await bumpChannel(deps.db, event.channelId, "retries");

    try {
      const adapter = deps.channels.find(event.source);
      const channel = adapter?.inbound ? await resolveChannel(deps.db, event) : null;
      if (!adapter?.inbound || !channel) {
        await finish(deps.db, eventId, "ignored");
        return;
      }
      const scope = { channel, eventId, receivedAt: event.receivedAt };
      for (const item of adapter.inbound.normalize(event.payload, channel)) {
        await applyCustomerEvent(deps, scope, item);
      }
      await inBackground(() => finish(deps.db, eventId, "processed", channel.id));
    } catch (error) {
      const final = !isRetryable(error) || deps.attempt >= deps.maxAttempts;
      await deps.db
        .update(inboundEvents)
        .set({ status: "failed", error: describeError(error) })
        .where(eq(inboundEvents.id, eventId));
      if (final && event.channelId) await bumpChannel(deps.db, event.channelId, "eventsFailed");
      throw error;
    }
  },
});

/**
 * The row's connected (not disconnected) channel, looked up again at processing time: by the id the
 * row was stored with when the URL named it, else by the platform account the payload named.
 */
async function resolveChannel(db: Db, event: EventRow): Promise<ChannelRow | null> {
  const byAccount = event.externalId
    ? and(eq(channels.type, event.source), eq(channels.externalId, event.externalId))
    : null;
  const match = event.channelId && !byAccount ? eq(channels.id, event.channelId) : byAccount;
  if (!match) return null;
  const [channel] = await db
    .select()
    .from(channels)
    .where(and(match, isNull(channels.disconnectedAt)))
    .limit(1);
  return channel ?? null;
}

async function finish(db: Db, eventId: string, status: "processed" | "ignored", channelId?: string) {
  await db
    .update(inboundEvents)
    .set({ status, processedAt: sql`now()`, error: null, ...(channelId ? { channelId } : {}) })
    .where(eq(inboundEvents.id, eventId));
}

async function bumpChannel(db: Db, channelId: string, counter: "retries" | "eventsFailed") {
  const column = channels[counter];
  await db
    .update(channels)
    .set({ [counter]: sql`${column} + 1` })
    .where(eq(channels.id, channelId));
}
