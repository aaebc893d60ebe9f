import type { KnowledgeDocumentDto } from "@tandem/contracts";
import { documentFiles } from "@tandem/db";
import { eq } from "drizzle-orm";
import { recordAudit } from "../audit/record-audit.ts";
import { type Ctx, withTransaction } from "../context.ts";
import { DomainError } from "../errors.ts";
import { queueOf } from "../jobs/job-scope.ts";
import { enqueueIngest } from "./enqueue-ingest.ts";
import { getDocumentInWorkspace } from "./get-document-in-workspace.ts";
import { publishAfter } from "./publish-knowledge-update.ts";
import { loadDocumentDto } from "./to-dto.ts";

/** Reads a document again from its stored file (or its text): a new revision, `pending`, its chunks replaced when the job ends. */
export async function reingestDocument(ctx: Ctx, input: { id: string }): Promise<KnowledgeDocumentDto> {
  const row = await withTransaction(ctx, async (tx) => {
    const document = await getDocumentInWorkspace(tx, input.id, { forUpdate: true });
    if (document.documentType === "faq" || document.productId) {
      throw new DomainError("invalid_input", "An FAQ entry or a product is not re-ingested: edit it instead", {
        details: [{ path: "id", message: "not a file or text document" }],
      });
    }
    const [file] = await tx.db
      .select({ id: documentFiles.documentId })
      .from(documentFiles)
      .where(eq(documentFiles.documentId, document.id));
    if (!file && !document.content) {
      throw new DomainError(
        "invalid_input",
        "This document has no stored file or text to read again: upload it again",
        {
          details: [{ path: "id", message: "nothing stored to re-read" }],
        },
      );
    }
    await recordAudit(tx, { action: "document.reingest", entityType: "document", entityId: document.id });
    return document;
  });
  // Published before the job starts, so its updates always come after this one.
  await publishAfter(ctx, { workspaceId: row.workspaceId, sourceId: row.sourceId, documentId: row.id });
  await enqueueIngest({ db: ctx.db, queue: queueOf(ctx) }, row);
  return loadDocumentDto(ctx.db, await getDocumentInWorkspace(ctx, row.id));
}
