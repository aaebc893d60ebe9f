import type { ChannelDto } from "@tandem/contracts";
import { actorRole, type Ctx } from "../../context.ts";
import { assertCan } from "../../policy.ts";
import { getChannelInWorkspace } from "../get-channel-in-workspace.ts";
import { graphErrorToDomain, type MessengerDeps, readPageToken, withChannelToken } from "./messenger-deps.ts";
import { assertConnectedMessenger, saveSubscription } from "./subscribe.ts";

// DELETE /{page-id}/subscribed_apps: the Page stops sending webhooks; the channel stays connected.
export async function unsubscribeChannel(ctx: Ctx, channelId: string, deps: MessengerDeps): Promise<ChannelDto> {
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
