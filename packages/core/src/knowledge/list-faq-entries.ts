import type { FaqEntryListResponse } from "@tandem/contracts";
import { documents } from "@tandem/db";
import { and, asc, eq, gt, isNull } from "drizzle-orm";
import type { Ctx } from "../context.ts";
import { getFaqSourceInWorkspace } from "./faq-source.ts";
import { faqEntryDto } from "./to-dto.ts";

/** An FAQ set's entries in the order they were added (an import keeps the file's order). */
export async function listFaqEntries(
  ctx: Ctx,
  input: { sourceId: string; cursor?: string | undefined; limit: number },
): Promise<FaqEntryListResponse> {
  await getFaqSourceInWorkspace(ctx, input.sourceId);
  const rows = await ctx.db
    .select()
    .from(documents)
    .where(
      and(
        eq(documents.sourceId, input.sourceId),
        eq(documents.workspaceId, ctx.workspaceId),
        eq(documents.documentType, "faq"),
        isNull(documents.deletedAt),
        input.cursor ? gt(documents.id, input.cursor) : undefined,
      ),
    )
    .orderBy(asc(documents.id))
    .limit(input.limit + 1);
  const page = rows.slice(0, input.limit);
  return {
    data: page.map(faqEntryDto),
    nextCursor: rows.length > input.limit ? page[page.length - 1]!.id : null,
  };
}
