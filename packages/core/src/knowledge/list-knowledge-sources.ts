import type { KnowledgeSourceListQuery, KnowledgeSourceListResponse } from "@tandem/contracts";
import { knowledgeSources } from "@tandem/db";
import { and, desc, eq, isNull, lt, or } from "drizzle-orm";
import type { Ctx } from "../context.ts";
import { knowledgeSourceDto, summarizeSources } from "./to-dto.ts";

/** Newest first; `chatbotId` lists that chatbot's own sources and the shared ones. */
export async function listKnowledgeSources(
  ctx: Ctx,
  input: KnowledgeSourceListQuery,
): Promise<KnowledgeSourceListResponse> {
  const rows = await ctx.db
    .select()
    .from(knowledgeSources)
    .where(
      and(
        eq(knowledgeSources.workspaceId, ctx.workspaceId),
        isNull(knowledgeSources.deletedAt),
        input.type ? eq(knowledgeSources.type, input.type) : undefined,
        input.chatbotId
          ? or(eq(knowledgeSources.chatbotId, input.chatbotId), isNull(knowledgeSources.chatbotId))
          : undefined,
        input.cursor ? lt(knowledgeSources.id, input.cursor) : undefined,
      ),
    )
    .orderBy(desc(knowledgeSources.id))
    .limit(input.limit + 1);
  const page = rows.slice(0, input.limit);
  const summaries = await summarizeSources(
    ctx.db,
    page.map((r) => r.id),
  );
  return {
    data: page.map((r) => knowledgeSourceDto(r, summaries.get(r.id))),
    nextCursor: rows.length > input.limit ? page[page.length - 1]!.id : null,
  };
}
