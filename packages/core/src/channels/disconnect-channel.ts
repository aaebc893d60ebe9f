import { channels } from "@tandem/db";
import { and, eq, isNull } from "drizzle-orm";
import { recordAudit } from "../audit/record-audit.ts";
import { actorRole, type Ctx, channelsOf, withTransaction } from "../context.ts";
import { assertCan } from "../policy.ts";
import { getChannelInWorkspace } from "./get-channel-in-workspace.ts";
import { forgetWebhookChannel } from "./webhook-channel-cache.ts";

/**
 * Disconnects a channel: the platform stops sending to us (the adapter's `release`; Messenger
 * unsubscribes the app from the Page) — best effort: a dead token or an outage must not keep a channel
 * connected —, the stored secrets are wiped and the row is kept, with its
 * conversations, as `disconnected`. The Page can then be connected again, here or in another workspace.
 * Disconnecting twice is a no-op.
 */
export async function disconnectChannel(ctx: Ctx, channelId: string): Promise<void> {
  assertCan(actorRole(ctx.actor), "channels.manage");
  const channel = await getChannelInWorkspace(ctx, channelId);
  if (channel.disconnectedAt) return;

  let unsubscribed = false;
  const adapter = channelsOf(ctx).find(channel.type);
  if (adapter?.release && channel.secretsEncrypted) {
    try {
      await adapter.release(channel);
      unsubscribed = true;
    } catch (error) {
      ctx.log.warn({ err: error, channelId }, "could not release the channel on the platform while disconnecting");
    }
  }

  await withTransaction(ctx, async (tx) => {
    const [updated] = await tx.db
      .update(channels)
      .set({
        status: "disconnected",
        statusReason: null,
        disconnectedAt: new Date(),
        secretsEncrypted: null,
        secretHints: {},
        subscribed: false,
        subscribedFields: [],
      })
      .where(
        and(eq(channels.id, channel.id), eq(channels.workspaceId, ctx.workspaceId), isNull(channels.disconnectedAt)),
      )
      .returning({ id: channels.id });
    if (!updated) return;
    await recordAudit(tx, {
      action: "channel.disconnect",
      entityType: "channel",
      entityId: channel.id,
      before: { type: channel.type, externalId: channel.externalId, name: channel.name, status: channel.status },
      after: { status: "disconnected", unsubscribed },
    });
  });
  forgetWebhookChannel(ctx.db, channel.type, channel.chatbotId);
}
