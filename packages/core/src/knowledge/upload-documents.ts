import { readFile } from "node:fs/promises";
import path from "node:path";
import { KNOWLEDGE_LIMITS, type KnowledgeDocumentDto, type UploadDocumentsFields } from "@tandem/contracts";
import { documentFiles, documents } from "@tandem/db";
import { recordAudit } from "../audit/record-audit.ts";
import { type Ctx, withTransaction } from "../context.ts";
import { DomainError } from "../errors.ts";
import { assertSupportedFile, mimeOf, readSniffBytes } from "../extract/sniff-file-type.ts";
import type { FileKind } from "../extract/types.ts";
import { queueOf } from "../jobs/job-scope.ts";
import { enqueueIngest } from "./enqueue-ingest.ts";
import { getKnowledgeSourceInWorkspace } from "./get-knowledge-source-in-workspace.ts";
import { publishAfter } from "./publish-knowledge-update.ts";
import { knowledgeDocumentDto } from "./to-dto.ts";

export interface UploadedDocumentFile {
  name: string;
  /** As declared by the client; the bytes decide. */
  mime: string;
  size: number;
  /** Where the upload was streamed, relative to `dataDir`. */
  path: string;
}

/**
 * Files uploaded to a `document` source become documents, `pending`, their bytes kept in
 * `document_file` for re-ingest, and one `ingest-document` job each. Every file is checked by its
 * bytes first: one that is none of the accepted types refuses the whole upload (415
 * `unsupported_file_type` naming it) and nothing is stored. The caller deletes the uploads after.
 */
export async function uploadDocuments(
  ctx: Ctx,
  input: UploadDocumentsFields & { sourceId: string; files: UploadedDocumentFile[] },
  deps: { dataDir: string },
): Promise<KnowledgeDocumentDto[]> {
  const source = await getKnowledgeSourceInWorkspace(ctx, input.sourceId);
  if (source.type !== "document") {
    throw new DomainError("invalid_input", `Files are uploaded to a document source, not to a ${source.type} source`, {
      details: [{ path: "sourceId", message: "not a document source" }],
    });
  }
  if (input.files.length === 0 || input.files.length > KNOWLEDGE_LIMITS.filesPerUpload) {
    throw new DomainError("invalid_input", `Upload between 1 and ${KNOWLEDGE_LIMITS.filesPerUpload} files`, {
      details: [{ path: "files", message: `1 to ${KNOWLEDGE_LIMITS.filesPerUpload} files` }],
    });
  }
  const absolute = (file: UploadedDocumentFile) => path.join(deps.dataDir, file.path);
  const kinds: FileKind[] = [];
  for (const file of input.files) kinds.push(assertSupportedFile(await readSniffBytes(absolute(file)), file));

  const rows = await withTransaction(ctx, async (tx) => {
    await getKnowledgeSourceInWorkspace(tx, input.sourceId, { forUpdate: true });
    const created = [];
    for (const [i, file] of input.files.entries()) {
      const mime = mimeOf(kinds[i]!, file.name);
      const [row] = await tx.db
        .insert(documents)
        .values({
          workspaceId: tx.workspaceId,
          sourceId: source.id,
          title: file.name,
          mimeType: mime,
          category: input.category ?? null,
          documentType: input.documentType ?? null,
          tags: input.tags ?? [],
          sizeBytes: file.size,
          status: "pending",
        })
        .returning();
      // One file in memory at a time.
      await tx.db.insert(documentFiles).values({
        documentId: row!.id,
        workspaceId: tx.workspaceId,
        name: file.name,
        mimeType: mime,
        bytes: new Uint8Array(await readFile(absolute(file))),
      });
      created.push(row!);
    }
    await recordAudit(tx, {
      action: "document.upload",
      entityType: "knowledge_source",
      entityId: source.id,
      after: {
        documents: created.map((d) => ({ id: d.id, title: d.title, mimeType: d.mimeType, sizeBytes: d.sizeBytes })),
      },
    });
    return created;
  });
  // Published before the jobs start, so their updates always come after this one.
  await publishAfter(ctx, { workspaceId: source.workspaceId, sourceId: source.id, documentId: rows[0]?.id ?? null });
  for (const row of rows) await enqueueIngest({ db: ctx.db, queue: queueOf(ctx) }, row);
  return rows.map((r) => knowledgeDocumentDto({ ...r, status: "pending" }, 0));
}
