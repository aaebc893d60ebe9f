import { chunks, documentFiles, documents, knowledgeSources } from "@tandem/db";
import { and, eq, inArray, isNull } from "drizzle-orm";
import { recordAudit } from "../audit/record-audit.ts";
import { type Ctx, withTransaction } from "../context.ts";
import { getKnowledgeSourceInWorkspace } from "./get-knowledge-source-in-workspace.ts";
import { publishAfter } from "./publish-knowledge-update.ts";

/**
 * Deletes a source: the source and its documents are soft-deleted (kept for the audit trail and for
 * messages that cite them), their chunks (and with them the embeddings, by cascade) and stored files
 * removed, so nothing of it is retrieved any more.
 */
export async function deleteKnowledgeSource(ctx: Ctx, input: { id: string }): Promise<void> {
  const row = await withTransaction(ctx, async (tx) => {
    const source = await getKnowledgeSourceInWorkspace(tx, input.id, { forUpdate: true });
    const now = new Date();
    await tx.db
      .update(knowledgeSources)
      .set({ deletedAt: now, updatedAt: now })
      .where(eq(knowledgeSources.id, source.id));
    const gone = await tx.db
      .update(documents)
      .set({ deletedAt: now, updatedAt: now })
      .where(and(eq(documents.sourceId, source.id), isNull(documents.deletedAt)))
      .returning({ id: documents.id });
    await tx.db.delete(chunks).where(eq(chunks.sourceId, source.id));
    if (gone.length) {
      await tx.db.delete(documentFiles).where(
        inArray(
          documentFiles.documentId,
          gone.map((d) => d.id),
        ),
      );
    }
    await recordAudit(tx, {
      action: "knowledge_source.delete",
      entityType: "knowledge_source",
      entityId: source.id,
      before: { name: source.name, type: source.type, chatbotId: source.chatbotId, documents: gone.length },
    });
    return source;
  });
  void publishAfter(ctx, { workspaceId: row.workspaceId, sourceId: row.id, deleted: true });
}
