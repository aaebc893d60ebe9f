import type { FlagList, FlagQuery } from "@tandem/contracts";
import { moderationFlags } from "@tandem/db";
import { and, count, desc, eq } from "drizzle-orm";
import type { Ctx } from "../context.ts";
import { cursorTimestamp, decodeCursor, olderThan, pageOf } from "../conversations/cursor.ts";
import { assertActorCan } from "../members/guard.ts";
import { loadFlagDtos } from "./to-dto.ts";

/**
 * The review queue (`GET /api/v1/moderation/flags`), newest first with a keyset cursor: `open` flags
 * (escalated ones included) or `reviewed` ones, by type and source, with `openCount` for the nav.
 */
export async function listFlags(ctx: Ctx, query: Partial<FlagQuery> = {}): Promise<FlagList> {
  assertActorCan(ctx, "moderation.review");
  const limit = query.limit ?? 30;
  const rows = await ctx.db
    .select({ flag: moderationFlags, cursorAt: cursorTimestamp(moderationFlags.createdAt), id: moderationFlags.id })
    .from(moderationFlags)
    .where(
      and(
        eq(moderationFlags.workspaceId, ctx.workspaceId),
        eq(moderationFlags.reviewed, query.status === "reviewed"),
        query.type ? eq(moderationFlags.flagType, query.type) : undefined,
        query.source ? eq(moderationFlags.source, query.source) : undefined,
        query.cursor ? olderThan(moderationFlags.createdAt, moderationFlags.id, decodeCursor(query.cursor)) : undefined,
      ),
    )
    .orderBy(desc(moderationFlags.createdAt), desc(moderationFlags.id))
    .limit(limit + 1);
  const page = pageOf(rows, limit);
  const [open] = await ctx.db
    .select({ n: count() })
    .from(moderationFlags)
    .where(and(eq(moderationFlags.workspaceId, ctx.workspaceId), eq(moderationFlags.reviewed, false)));
  return {
    data: await loadFlagDtos(
      ctx,
      page.rows.map((r) => r.flag),
    ),
    nextCursor: page.nextCursor,
    openCount: open?.n ?? 0,
  };
}
