import type { CannedResponseList, CannedResponseQuery } from "@tandem/contracts";
import { cannedResponses } from "@tandem/db";
import { and, asc, eq, ilike, or, type SQL } from "drizzle-orm";
import type { Ctx } from "../context.ts";
import { escapeLike } from "../conversations/search-text.ts";
import { selectCannedResponses, toCannedResponseDto } from "./to-dto.ts";

/**
 * The workspace's library sorted by shortcut. `q`: every word must appear in the shortcut, title or
 * text (case-insensitive). The composer's fuzzy ranking is done in the dashboard over this list.
 */
export async function listCannedResponses(ctx: Ctx, input: CannedResponseQuery): Promise<CannedResponseList> {
  const words = (input.q ?? "").trim().split(/\s+/).filter(Boolean);
  const conditions: SQL[] = [eq(cannedResponses.workspaceId, ctx.workspaceId)];
  for (const word of words) {
    const pattern = `%${escapeLike(word)}%`;
    conditions.push(
      or(
        ilike(cannedResponses.shortcut, pattern),
        ilike(cannedResponses.title, pattern),
        ilike(cannedResponses.text, pattern),
      ) as SQL,
    );
  }
  const rows = await selectCannedResponses(ctx)
    .where(and(...conditions))
    .orderBy(asc(cannedResponses.shortcut));
  return { data: rows.map(({ row, authorName }) => toCannedResponseDto(row, authorName)), nextCursor: null };
}
