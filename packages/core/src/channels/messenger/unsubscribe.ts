import type { ChannelDto } from "@tandem/contracts";
import { actorRole, type Ctx } from "../../context.ts";
import { assertCan } from "../../policy.ts";
import { getChannelInWorkspace } from "../get-channel-in-workspace.ts";
import { messengerClients } from "./adapter.ts";
import { graphErrorToDomain, readPageToken, withChannelToken } from "./page-token.ts";
import { assertConnectedMessenger, saveSubscription } from "./subscribe.ts";

// DELETE /{page-id}/subscribed_apps: the Page stops sending webhooks; the channel stays connected.
export async function unsubscribeChannel(ctx: Ctx, channelId: string): Promise<ChannelDto> {
  const deps = messengerClients(ctx);
  assertCan(actorRole(ctx.actor), "channels.manage");
  const channel = assertConnectedMessenger(await getChannelInWorkspace(ctx, channelId));
  const token = readPageToken(deps.keyring, channel);
  try {
    await withChannelToken(ctx.db, channel.id, () => deps.graph.unsubscribeApp(channel.externalId, token));
  } catch (error) {
    throw graphErrorToDomain(error);
  }
  return saveSubscription(ctx, channel.id, { subscribed: false, subscribedFields: [] }, "channel.unsubscribe");
}
