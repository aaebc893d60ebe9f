import { chunks, documentFiles, documents } from "@tandem/db";
import { eq } from "drizzle-orm";
import { recordAudit } from "../audit/record-audit.ts";
import { type Ctx, withTransaction } from "../context.ts";
import { getDocumentInWorkspace } from "./get-document-in-workspace.ts";
import { publishAfter } from "./publish-knowledge-update.ts";

/**
 * Removes a document (or an FAQ entry, `faq: true`): soft-deleted, its chunks (and their embeddings,
 * by cascade) and stored file deleted, in one transaction.
 */
export async function deleteDocument(ctx: Ctx, input: { id: string; faq?: boolean }): Promise<void> {
  const row = await withTransaction(ctx, async (tx) => {
    const document = await getDocumentInWorkspace(tx, input.id, { forUpdate: true, faq: input.faq ?? false });
    const now = new Date();
    await tx.db.update(documents).set({ deletedAt: now, updatedAt: now }).where(eq(documents.id, document.id));
    await tx.db.delete(chunks).where(eq(chunks.documentId, document.id));
    await tx.db.delete(documentFiles).where(eq(documentFiles.documentId, document.id));
    await recordAudit(tx, {
      action: input.faq ? "faq_entry.delete" : "document.delete",
      entityType: input.faq ? "faq_entry" : "document",
      entityId: document.id,
      before: { sourceId: document.sourceId, title: document.title },
    });
    return document;
  });
  void publishAfter(ctx, { workspaceId: row.workspaceId, sourceId: row.sourceId, documentId: row.id, deleted: true });
}
