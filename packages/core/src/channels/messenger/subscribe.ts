import type { ChannelDto } from "@tandem/contracts";
import { channels } from "@tandem/db";
import { eq } from "drizzle-orm";
import { recordAudit } from "../../audit/record-audit.ts";
import { actorRole, type Ctx, withTransaction } from "../../context.ts";
import { DomainError } from "../../errors.ts";
import { assertCan } from "../../policy.ts";
import { loadChannelDto } from "../channel-to-dto.ts";
import { getChannelInWorkspace } from "../get-channel-in-workspace.ts";
import { messengerClients } from "./adapter.ts";
import { DEFAULT_SUBSCRIBED_FIELDS } from "./graph-client.ts";
import { graphErrorToDomain, readPageToken, withChannelToken } from "./page-token.ts";

type ChannelRow = Awaited<ReturnType<typeof getChannelInWorkspace>>;

/** A connected Messenger channel, or the reason it cannot talk to the Graph API. */
export function assertConnectedMessenger(channel: ChannelRow): ChannelRow & { externalId: string } {
  if (channel.type !== "messenger" || !channel.externalId) {
    throw new DomainError("channel_not_supported", "Only Messenger channels have a Page subscription");
  }
  if (channel.disconnectedAt) throw new DomainError("channel_disconnected", "This channel is disconnected");
  return channel as ChannelRow & { externalId: string };
}

// POST /{page-id}/subscribed_apps: the Page starts sending this app's webhook the subscribed fields.
export async function subscribeChannel(ctx: Ctx, channelId: string): Promise<ChannelDto> {
  assertCan(actorRole(ctx.actor), "channels.manage");
  return subscribeLoadedChannel(ctx, await getChannelInWorkspace(ctx, channelId));
}

/** The subscription of a channel the caller already loaded from its workspace (connect uses it too). */
export async function subscribeLoadedChannel(ctx: Ctx, loaded: ChannelRow): Promise<ChannelDto> {
  const deps = messengerClients(ctx);
  const channel = assertConnectedMessenger(loaded);
  const token = readPageToken(deps.keyring, channel);
  const fields = [...DEFAULT_SUBSCRIBED_FIELDS];
  try {
    await withChannelToken(ctx.db, channel.id, () => deps.graph.subscribeApp(channel.externalId, token, fields));
  } catch (error) {
    throw graphErrorToDomain(error);
  }
  return saveSubscription(ctx, channel.id, { subscribed: true, subscribedFields: fields }, "channel.subscribe");
}

export async function saveSubscription(
  ctx: Ctx,
  channelId: string,
  state: { subscribed: boolean; subscribedFields: string[] },
  action: "channel.subscribe" | "channel.unsubscribe",
): Promise<ChannelDto> {
  return withTransaction(ctx, async (tx) => {
    const before = await getChannelInWorkspace(tx, channelId, { forUpdate: true });
    // A working call proves the token: a note left by a failed subscription attempt is cleared.
    const clearNote = action === "channel.subscribe" && before.status === "active" ? { statusReason: null } : {};
    const [after] = await tx.db
      .update(channels)
      .set({ ...state, ...clearNote })
      .where(eq(channels.id, before.id))
      .returning();
    await recordAudit(tx, {
      action,
      entityType: "channel",
      entityId: before.id,
      before: { subscribed: before.subscribed, subscribedFields: before.subscribedFields },
      after: state,
    });
    return loadChannelDto(tx.db, after!);
  });
}
