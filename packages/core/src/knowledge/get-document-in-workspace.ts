import { documents, knowledgeSources } from "@tandem/db";
import { and, eq, isNull } from "drizzle-orm";
import type { Ctx } from "../context.ts";
import { DomainError } from "../errors.ts";

export type DocumentRow = typeof documents.$inferSelect;

/**
 * The document if it belongs to the caller's workspace and neither it nor its source is deleted
 * (locked when asked); otherwise "not found". `faq` reads FAQ entries: a document of another kind is
 * `faq_entry_not_found` there, and the code names what was asked for.
 */
export async function getDocumentInWorkspace(
  ctx: Pick<Ctx, "db" | "workspaceId">,
  id: string,
  options: { forUpdate?: boolean; faq?: boolean } = {},
): Promise<DocumentRow> {
  const query = ctx.db
    .select({ document: documents })
    .from(documents)
    .innerJoin(knowledgeSources, eq(knowledgeSources.id, documents.sourceId))
    .where(
      and(
        eq(documents.id, id),
        eq(documents.workspaceId, ctx.workspaceId),
        isNull(documents.deletedAt),
        isNull(knowledgeSources.deletedAt),
      ),
    )
    .limit(1);
  const [row] = options.forUpdate ? await query.for("update", { of: documents }) : await query;
  if (options.faq) {
    if (row?.document.documentType !== "faq" || row.document.productId) {
      throw new DomainError("faq_entry_not_found", "FAQ entry not found");
    }
    return row.document;
  }
  if (!row) throw new DomainError("document_not_found", "Document not found");
  return row.document;
}
