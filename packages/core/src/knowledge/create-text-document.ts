import type { CreateTextDocumentInput, KnowledgeDocumentDto } from "@tandem/contracts";
import { documents } from "@tandem/db";
import { recordAudit } from "../audit/record-audit.ts";
import { type Ctx, withTransaction } from "../context.ts";
import { DomainError } from "../errors.ts";
import { queueOf } from "../jobs/job-scope.ts";
import { enqueueIngest } from "./enqueue-ingest.ts";
import { getKnowledgeSourceInWorkspace } from "./get-knowledge-source-in-workspace.ts";
import { publishAfter } from "./publish-knowledge-update.ts";
import { knowledgeDocumentDto } from "./to-dto.ts";

/** Text typed or pasted into a `text` or `document` source (Markdown headings are kept), chunked by `ingest-document`. */
export async function createTextDocument(
  ctx: Ctx,
  input: CreateTextDocumentInput & { sourceId: string },
): Promise<KnowledgeDocumentDto> {
  const row = await withTransaction(ctx, async (tx) => {
    const source = await getKnowledgeSourceInWorkspace(tx, input.sourceId, { forUpdate: true });
    if (source.type !== "text" && source.type !== "document") {
      throw new DomainError("invalid_input", `Text goes into a text or document source, not a ${source.type} source`, {
        details: [{ path: "sourceId", message: "not a text or document source" }],
      });
    }
    const [created] = await tx.db
      .insert(documents)
      .values({
        workspaceId: tx.workspaceId,
        sourceId: source.id,
        title: input.title,
        mimeType: "text/markdown",
        category: input.category ?? null,
        documentType: input.documentType ?? null,
        tags: input.tags ?? [],
        content: input.content,
        sizeBytes: Buffer.byteLength(input.content),
        status: "pending",
      })
      .returning();
    await recordAudit(tx, {
      action: "document.create",
      entityType: "document",
      entityId: created!.id,
      after: { sourceId: source.id, title: input.title, characters: input.content.length },
    });
    return created!;
  });
  // Published before the job starts, so its updates always come after this one.
  await publishAfter(ctx, { workspaceId: row.workspaceId, sourceId: row.sourceId, documentId: row.id });
  await enqueueIngest({ db: ctx.db, queue: queueOf(ctx) }, row);
  return knowledgeDocumentDto(row, 0);
}
