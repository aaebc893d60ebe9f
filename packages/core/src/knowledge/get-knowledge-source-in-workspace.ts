import { knowledgeSources } from "@tandem/db";
import { and, eq, isNull } from "drizzle-orm";
import type { Ctx } from "../context.ts";
import { DomainError } from "../errors.ts";

export type KnowledgeSourceRow = typeof knowledgeSources.$inferSelect;

/** The source if it belongs to the caller's workspace and is not deleted (locked when asked); otherwise "not found". */
export async function getKnowledgeSourceInWorkspace(
  ctx: Pick<Ctx, "db" | "workspaceId">,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<KnowledgeSourceRow> {
  const query = ctx.db
    .select()
    .from(knowledgeSources)
    .where(
      and(
        eq(knowledgeSources.id, id),
        eq(knowledgeSources.workspaceId, ctx.workspaceId),
        isNull(knowledgeSources.deletedAt),
      ),
    )
    .limit(1);
  const [row] = options.forUpdate ? await query.for("update") : await query;
  if (!row) throw new DomainError("knowledge_source_not_found", "Knowledge source not found");
  return row;
}
