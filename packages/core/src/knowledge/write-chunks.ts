import { chunks, type Db } from "@tandem/db";
import { inArray } from "drizzle-orm";
import type { TextChunk } from "./chunk-text.ts";
import { searchTermsOf } from "./search-terms.ts";

/** Insert batches small enough for PostgreSQL's parameter limit. */
const BATCH = 200;

type ChunkedDocument = { id: string; workspaceId: string; sourceId: string };

/**
 * Replaces a document's chunks (run it inside the transaction that also marks the document ready):
 * the old ones go, with their embeddings (FK cascade), and the new ones carry their heading path
 * and page in `metadata` and their extra index terms in `search_terms`.
 */
export async function replaceChunks(
  db: Db,
  document: ChunkedDocument,
  chatbotId: string | null,
  pieces: readonly TextChunk[],
): Promise<void> {
  await replaceChunksOfMany(db, [{ document, pieces }], chatbotId);
}

/** `replaceChunks` for many documents of one source at once (a page of synced products): one delete, few inserts. */
export async function replaceChunksOfMany(
  db: Db,
  items: readonly { document: ChunkedDocument; pieces: readonly TextChunk[] }[],
  chatbotId: string | null,
): Promise<void> {
  if (items.length === 0) return;
  await db.delete(chunks).where(
    inArray(
      chunks.documentId,
      items.map((i) => i.document.id),
    ),
  );
  const rows = items.flatMap(({ document, pieces }) =>
    pieces.map((c, ordinal) => ({
      workspaceId: document.workspaceId,
      documentId: document.id,
      sourceId: document.sourceId,
      chatbotId,
      ordinal,
      content: c.content,
      tokenCount: c.tokenCount,
      metadata: { headingPath: c.headingPath, page: c.page },
      searchTerms: searchTermsOf(c.content, c.headingPath),
    })),
  );
  for (let i = 0; i < rows.length; i += BATCH) await db.insert(chunks).values(rows.slice(i, i + BATCH));
}
