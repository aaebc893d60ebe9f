import type { ChannelListQuery, ChannelListResponse } from "@tandem/contracts";
import { channels } from "@tandem/db";
import { and, asc, eq, isNull } from "drizzle-orm";
import { actorRole, type Ctx } from "../context.ts";
import { assertCan } from "../policy.ts";
import { loadChannelDto, loadChannelDtos } from "./channel-to-dto.ts";
import { getChannelInWorkspace } from "./get-channel-in-workspace.ts";

/** The workspace's channels, oldest first. A workspace has a handful, so the list is not paged. */
export async function listChannels(ctx: Ctx, query: ChannelListQuery = {}): Promise<ChannelListResponse> {
  assertCan(actorRole(ctx.actor), "channels.manage");
  const rows = await ctx.db
    .select()
    .from(channels)
    .where(
      and(
        eq(channels.workspaceId, ctx.workspaceId),
        query.includeDisconnected ? undefined : isNull(channels.disconnectedAt),
      ),
    )
    .orderBy(asc(channels.createdAt), asc(channels.id));
  return { data: await loadChannelDtos(ctx.db, rows), nextCursor: null };
}

export async function getChannel(ctx: Ctx, channelId: string) {
  assertCan(actorRole(ctx.actor), "channels.manage");
  return loadChannelDto(ctx.db, await getChannelInWorkspace(ctx, channelId));
}
