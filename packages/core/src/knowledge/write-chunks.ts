import { chunks, type Db } from "@tandem/db";
import { eq } from "drizzle-orm";
import type { TextChunk } from "./chunk-text.ts";
import { searchTermsOf } from "./search-terms.ts";

/** Insert batches small enough for PostgreSQL's parameter limit. */
const BATCH = 200;

/**
 * Replaces a document's chunks (run it inside the transaction that also marks the document ready):
 * the old ones go, with their embeddings (FK cascade), and the new ones carry their heading path
 * and page in `metadata` and their extra index terms in `search_terms`.
 */
export async function replaceChunks(
  db: Db,
  document: { id: string; workspaceId: string; sourceId: string },
  chatbotId: string | null,
  pieces: readonly TextChunk[],
): Promise<void> {
  await db.delete(chunks).where(eq(chunks.documentId, document.id));
  for (let i = 0; i < pieces.length; i += BATCH) {
    await db.insert(chunks).values(
      pieces.slice(i, i + BATCH).map((c, j) => ({
        workspaceId: document.workspaceId,
        documentId: document.id,
        sourceId: document.sourceId,
        chatbotId,
        ordinal: i + j,
        content: c.content,
        tokenCount: c.tokenCount,
        metadata: { headingPath: c.headingPath, page: c.page },
        searchTerms: searchTermsOf(c.content, c.headingPath),
      })),
    );
  }
}
