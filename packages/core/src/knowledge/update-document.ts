import type { KnowledgeDocumentDto, UpdateKnowledgeDocumentInput } from "@tandem/contracts";
import { documents } from "@tandem/db";
import { eq } from "drizzle-orm";
import { recordAudit } from "../audit/record-audit.ts";
import { type Ctx, withTransaction } from "../context.ts";
import { getDocumentInWorkspace } from "./get-document-in-workspace.ts";
import { publishAfter } from "./publish-knowledge-update.ts";
import { loadDocumentDto } from "./to-dto.ts";

/** Title, category, document type and tags (what retrieval filters on); the text is not re-read. */
export async function updateDocument(
  ctx: Ctx,
  input: UpdateKnowledgeDocumentInput & { id: string },
): Promise<KnowledgeDocumentDto> {
  const { id, ...changes } = input;
  const row = await withTransaction(ctx, async (tx) => {
    const before = await getDocumentInWorkspace(tx, id, { forUpdate: true });
    const [after] = await tx.db
      .update(documents)
      .set({ ...changes, updatedAt: new Date() })
      .where(eq(documents.id, id))
      .returning();
    await recordAudit(tx, {
      action: "document.update",
      entityType: "document",
      entityId: id,
      before: { title: before.title, category: before.category, documentType: before.documentType, tags: before.tags },
      after: changes,
    });
    return after!;
  });
  void publishAfter(ctx, { workspaceId: row.workspaceId, sourceId: row.sourceId, documentId: row.id });
  return loadDocumentDto(ctx.db, row);
}
