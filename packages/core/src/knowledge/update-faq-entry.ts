import type { FaqEntryDto, UpdateFaqEntryInput } from "@tandem/contracts";
import { documents } from "@tandem/db";
import { eq } from "drizzle-orm";
import { recordAudit } from "../audit/record-audit.ts";
import { type Ctx, withTransaction } from "../context.ts";
import { writeFaqChunk } from "./faq-chunk.ts";
import { getDocumentInWorkspace } from "./get-document-in-workspace.ts";
import { getKnowledgeSourceInWorkspace } from "./get-knowledge-source-in-workspace.ts";
import { publishAfter } from "./publish-knowledge-update.ts";
import { scheduleEmbeddingsAfter } from "./schedule-embeddings-after.ts";
import { faqEntryDto } from "./to-dto.ts";

/** Changes an entry; its passage is rewritten in the same transaction. */
export async function updateFaqEntry(ctx: Ctx, input: UpdateFaqEntryInput & { id: string }): Promise<FaqEntryDto> {
  const { id, question, answer, ...rest } = input;
  const row = await withTransaction(ctx, async (tx) => {
    const before = await getDocumentInWorkspace(tx, id, { forUpdate: true, faq: true });
    const source = await getKnowledgeSourceInWorkspace(tx, before.sourceId);
    const [after] = await tx.db
      .update(documents)
      .set({
        ...(question !== undefined ? { title: question } : {}),
        ...(answer !== undefined ? { content: answer } : {}),
        ...rest,
        updatedAt: new Date(),
      })
      .where(eq(documents.id, id))
      .returning();
    if (question !== undefined || answer !== undefined) await writeFaqChunk(tx.db, after!, source.chatbotId);
    await recordAudit(tx, {
      action: "faq_entry.update",
      entityType: "faq_entry",
      entityId: id,
      before: { question: before.title, answer: before.content, category: before.category, tags: before.tags },
      after: { question, answer, ...rest },
    });
    return after!;
  });
  void publishAfter(ctx, { workspaceId: row.workspaceId, sourceId: row.sourceId, documentId: row.id });
  await scheduleEmbeddingsAfter(ctx, { workspaceId: row.workspaceId, sourceId: row.sourceId });
  return faqEntryDto(row);
}
