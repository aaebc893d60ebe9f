/**
 * Bad signatures store nothing. When the request names channels we know — by its URL (a per-channel
 * webhook) or by the ids its unsigned body claims (`inbound.claimedExternalIds`: Messenger's Page
 * ids) — their `signature_rejections` go up: the count is all we take from a body we cannot trust.
 * Anyone can send such a body, so the count is a hint, never the channel's state (the dashboard's
 * status comes from signed events), and it is rate-limited: at most one counted rejection per sender
 * address (an IPv6 sender's /64) a minute, and `SIGNATURE_REJECTION_LIMITS.perPage` per platform
 * account (a Page, a LINE channel) an hour. A flood costs one limiter hit per request and no write.
 */
import { channels, type Db } from "@tandem/db";
import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import type { ChannelAdapter } from "../channels/adapter.ts";
import type { Logger } from "../logger.ts";
import { addressBucket } from "../net/client-address.ts";
import type { RateLimiter, RateLimitRule } from "../rate-limit/limiter.ts";

/** How many bad-signature calls are counted on channels: per sender, and per platform account (Page). */
export const SIGNATURE_REJECTION_LIMITS = {
  perSender: { limit: 1, windowMs: 60_000 },
  perPage: { limit: 30, windowMs: 60 * 60_000 },
} satisfies Record<string, RateLimitRule>;

export async function countSignatureRejection(
  deps: { db: Db; log: Logger; limiter: RateLimiter },
  adapter: Pick<ChannelAdapter, "type" | "inbound">,
  input: { rawBody: Uint8Array; channelId?: string | undefined; sourceAddress?: string | undefined },
): Promise<void> {
  try {
    const sender = `webhook:bad-signature:sender:${addressBucket(input.sourceAddress)}`;
    if (!(await deps.limiter.hit(sender, SIGNATURE_REJECTION_LIMITS.perSender)).allowed) return;
    const named = input.channelId ? [] : (adapter.inbound?.claimedExternalIds?.(input.rawBody) ?? []);
    const accounts: string[] = [];
    for (const id of input.channelId ? [input.channelId] : named) {
      const account = `webhook:bad-signature:${input.channelId ? "channel" : "page"}:${id}`;
      if ((await deps.limiter.hit(account, SIGNATURE_REJECTION_LIMITS.perPage)).allowed) accounts.push(id);
    }
    if (accounts.length === 0) return;
    await deps.db
      .update(channels)
      .set({ signatureRejections: sql`${channels.signatureRejections} + 1`, lastSignatureRejectionAt: sql`now()` })
      .where(
        and(
          eq(channels.type, adapter.type),
          input.channelId ? eq(channels.id, input.channelId) : inArray(channels.externalId, accounts),
          isNull(channels.disconnectedAt),
        ),
      );
  } catch (err) {
    deps.log.error({ err }, "could not count a webhook signature rejection");
  }
}
