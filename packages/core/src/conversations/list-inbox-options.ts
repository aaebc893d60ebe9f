import type { InboxOptions } from "@tandem/contracts";
import { channels, conversations, members, users } from "@tandem/db";
import { and, asc, eq, sql } from "drizzle-orm";
import type { Ctx } from "../context.ts";
import { assertActorCan } from "../members/guard.ts";

/** How many tags the tag filter offers: the most used ones. */
export const INBOX_TAG_LIMIT = 100;

/**
 * What the inbox's filters and pickers offer, for every role that works conversations (an AGENT
 * may not list members or channels in settings, but must filter by Page and assign a teammate):
 * channels (disconnected ones too, their conversations stay), members, and the tags in use.
 */
export async function listInboxOptions(ctx: Ctx): Promise<InboxOptions> {
  assertActorCan(ctx, "conversations.work");
  const channelRows = await ctx.db
    .select({ id: channels.id, type: channels.type, name: channels.name })
    .from(channels)
    .where(eq(channels.workspaceId, ctx.workspaceId))
    .orderBy(asc(channels.createdAt), asc(channels.id));
  const memberRows = await ctx.db
    .select({ id: members.id, userId: users.id, name: users.name, email: users.email })
    .from(members)
    .innerJoin(users, eq(users.id, members.userId))
    .where(eq(members.workspaceId, ctx.workspaceId))
    .orderBy(asc(members.createdAt), asc(members.id));
  const tag = sql<string>`tag`;
  const tagRows = await ctx.db
    .select({ tag })
    .from(sql`${conversations}, unnest(${conversations.tags}) as tag`)
    .where(and(eq(conversations.workspaceId, ctx.workspaceId), eq(conversations.isPlayground, false)))
    .groupBy(tag)
    .orderBy(sql`count(*) desc`, tag)
    .limit(INBOX_TAG_LIMIT);
  return { channels: channelRows, members: memberRows, tags: tagRows.map((r) => r.tag) };
}
