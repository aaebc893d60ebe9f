import { KNOWLEDGE_LIMITS } from "@tandem/contracts";
import { documentFiles, documents, knowledgeSources } from "@tandem/db";
import { and, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { AppJobDeps } from "../app-deps.ts";
import { DomainError, isDomainError } from "../errors.ts";
import { extractText } from "../extract/extract-text.ts";
import { defineJob, type JobContext } from "../jobs/define-job.ts";
import { settleKnowledgeWrites } from "../maintenance/database-maintenance.ts";
import { chunkText } from "./chunk-text.ts";
import { publishKnowledgeUpdate } from "./publish-knowledge-update.ts";
import { scheduleEmbeddingsAfter } from "./schedule-embeddings-after.ts";
import { scriptLanguage } from "./script-language.ts";
import { replaceChunks } from "./write-chunks.ts";

/**
 * Reads one document into chunks: extract (the stored file, or the text typed in) → clean → chunk
 * by structure → replace its chunks and mark it `ready`, all in one transaction. Its status and
 * progress go to the workspace room (`knowledge:updated`) at each step.
 *
 * Never stuck in `processing`: a file that cannot be read (`DomainError`: unsupported, damaged, a ZIP
 * bomb, no text) ends `failed` with the reason at once; anything else (the database, a crash of the
 * extractor) is retried while attempts remain and then ends `failed` too. A job of an older revision
 * (the document was re-ingested or deleted since) does nothing.
 */
export const ingestDocument = defineJob({
  name: "ingest-document",
  schema: z.object({ documentId: z.string().min(1), revision: z.number().int().min(1) }),
  retry: { attempts: 3 },
  // Extraction (OCR above all) holds a core: one at a time per process, two workspaces never wait on one.
  concurrency: 2,
  workspaceConcurrency: 1,
  handle: async ({ documentId, revision }, ctx: JobContext<AppJobDeps>) => {
    const current = await load(ctx, documentId, revision);
    if (!current) return;
    const { document, source } = current;
    const progress = async (status: "processing", value: number) => {
      await ctx.db
        .update(documents)
        .set({ status, progress: value, updatedAt: new Date() })
        .where(eq(documents.id, documentId));
      await publish(ctx, document);
    };
    try {
      await progress("processing", 5);
      const [file] = await ctx.db.select().from(documentFiles).where(eq(documentFiles.documentId, documentId));
      const extracted = file
        ? await extractText(
            { bytes: file.bytes, mime: file.mimeType ?? undefined, name: file.name },
            { maxPdfPages: KNOWLEDGE_LIMITS.maxPdfPages },
          )
        : { text: document.content, warnings: [] as string[], pages: undefined, pageStarts: undefined };
      if (!extracted.text.trim()) {
        throw new DomainError("no_text_extracted", `No text could be read from ${document.title}.`);
      }
      await progress("processing", 60);
      const pieces = chunkText(extracted.text, { pageStarts: extracted.pageStarts });
      await progress("processing", 80);
      const done = await ctx.db.transaction(async (tx) => {
        const [row] = await tx
          .select({ metadata: documents.metadata, deletedAt: documents.deletedAt })
          .from(documents)
          .where(eq(documents.id, documentId))
          .for("update");
        if (!row || row.deletedAt || Number(row.metadata.revision ?? 0) !== revision) return false;
        await replaceChunks(tx as never, document, source.chatbotId, pieces);
        await tx
          .update(documents)
          .set({
            status: "ready",
            progress: 100,
            error: null,
            content: file ? extracted.text : document.content,
            pages: extracted.pages ?? null,
            language: scriptLanguage(extracted.text),
            warnings: extracted.warnings,
            updatedAt: new Date(),
          })
          .where(eq(documents.id, documentId));
        return true;
      });
      if (done) {
        await settleKnowledgeWrites(ctx.db, { chunk: pieces.length, document: 1 }).catch((err) =>
          ctx.log.warn({ err }, "could not flush or analyze the knowledge tables"),
        );
        await publish(ctx, document);
        await scheduleEmbeddingsAfter(ctx, { workspaceId: document.workspaceId, sourceId: document.sourceId });
      }
    } catch (error) {
      if (!isDomainError(error) && ctx.attempt < ctx.maxAttempts) throw error;
      ctx.log.warn({ err: error, documentId }, "a document could not be ingested");
      const reason = isDomainError(error)
        ? error.message
        : "The document could not be read after several attempts. Re-ingest it, or upload it again.";
      await ctx.db
        .update(documents)
        .set({ status: "failed", error: reason, updatedAt: new Date() })
        .where(
          and(
            eq(documents.id, documentId),
            isNull(documents.deletedAt),
            // A newer revision (re-ingested meanwhile) is not this job's to fail.
            sql`(${documents.metadata}->>'revision')::int = ${revision}`,
          ),
        );
      await publish(ctx, document);
    }
  },
});

async function load(ctx: JobContext<AppJobDeps>, documentId: string, revision: number) {
  const [row] = await ctx.db
    .select({ document: documents, source: knowledgeSources })
    .from(documents)
    .innerJoin(knowledgeSources, eq(knowledgeSources.id, documents.sourceId))
    .where(and(eq(documents.id, documentId), isNull(documents.deletedAt), isNull(knowledgeSources.deletedAt)));
  if (!row || Number(row.document.metadata.revision ?? 0) !== revision) return null;
  return row;
}

/** A live update that cannot be sent is logged: it never fails (or retries) the reading itself. */
async function publish(ctx: JobContext<AppJobDeps>, document: { id: string; workspaceId: string; sourceId: string }) {
  try {
    await publishKnowledgeUpdate(ctx, {
      workspaceId: document.workspaceId,
      sourceId: document.sourceId,
      documentId: document.id,
    });
  } catch (err) {
    ctx.log.warn({ err, documentId: document.id }, "could not publish a knowledge update");
  }
}
