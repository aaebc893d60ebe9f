import type { KnowledgeDocumentListResponse } from "@tandem/contracts";
import { documents } from "@tandem/db";
import { and, desc, eq, isNull, lt } from "drizzle-orm";
import type { Ctx } from "../context.ts";
import { getKnowledgeSourceInWorkspace } from "./get-knowledge-source-in-workspace.ts";
import { chunkCountsOf, knowledgeDocumentDto } from "./to-dto.ts";

/** A source's documents, newest first. */
export async function listDocuments(
  ctx: Ctx,
  input: { sourceId: string; cursor?: string | undefined; limit: number },
): Promise<KnowledgeDocumentListResponse> {
  await getKnowledgeSourceInWorkspace(ctx, input.sourceId);
  const rows = await ctx.db
    .select()
    .from(documents)
    .where(
      and(
        eq(documents.sourceId, input.sourceId),
        eq(documents.workspaceId, ctx.workspaceId),
        isNull(documents.deletedAt),
        input.cursor ? lt(documents.id, input.cursor) : undefined,
      ),
    )
    .orderBy(desc(documents.id))
    .limit(input.limit + 1);
  const page = rows.slice(0, input.limit);
  const counts = await chunkCountsOf(
    ctx.db,
    page.map((r) => r.id),
  );
  return {
    data: page.map((r) => knowledgeDocumentDto(r, counts.get(r.id) ?? 0)),
    nextCursor: rows.length > input.limit ? page[page.length - 1]!.id : null,
  };
}
