import type { CreateFaqEntryInput, FaqEntryDto } from "@tandem/contracts";
import { documents } from "@tandem/db";
import { recordAudit } from "../audit/record-audit.ts";
import { type Ctx, withTransaction } from "../context.ts";
import { writeFaqChunk } from "./faq-chunk.ts";
import { getFaqSourceInWorkspace } from "./faq-source.ts";
import { publishAfter } from "./publish-knowledge-update.ts";
import { scheduleEmbeddingsAfter } from "./schedule-embeddings-after.ts";
import { faqEntryDto } from "./to-dto.ts";

/** Adds an entry to an FAQ set: a `faq` document of one chunk, ready at once. */
export async function createFaqEntry(
  ctx: Ctx,
  input: CreateFaqEntryInput & { sourceId: string },
): Promise<FaqEntryDto> {
  const row = await withTransaction(ctx, async (tx) => {
    const source = await getFaqSourceInWorkspace(tx, input.sourceId, { forUpdate: true });
    const [entry] = await insertFaqEntries(tx, source, [input]);
    await recordAudit(tx, {
      action: "faq_entry.create",
      entityType: "faq_entry",
      entityId: entry!.id,
      after: { sourceId: source.id, question: input.question, answer: input.answer },
    });
    return entry!;
  });
  void publishAfter(ctx, { workspaceId: row.workspaceId, sourceId: row.sourceId, documentId: row.id });
  await scheduleEmbeddingsAfter(ctx, { workspaceId: row.workspaceId, sourceId: row.sourceId });
  return faqEntryDto(row);
}

/** Inserts entries with their chunks (inside the caller's transaction). */
export async function insertFaqEntries(
  tx: Ctx,
  source: { id: string; chatbotId: string | null; category: string | null },
  entries: readonly CreateFaqEntryInput[],
) {
  const rows = [];
  for (const e of entries) {
    const [row] = await tx.db
      .insert(documents)
      .values({
        workspaceId: tx.workspaceId,
        sourceId: source.id,
        title: e.question,
        content: e.answer,
        documentType: "faq",
        mimeType: "text/plain",
        category: e.category ?? null,
        tags: e.tags ?? [],
        sizeBytes: Buffer.byteLength(e.question) + Buffer.byteLength(e.answer),
        status: "ready",
        progress: 100,
      })
      .returning();
    await writeFaqChunk(tx.db, row!, source.chatbotId);
    rows.push(row!);
  }
  return rows;
}
