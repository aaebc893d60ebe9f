import type { KnowledgeChunkListResponse } from "@tandem/contracts";
import { chunkEmbeddings, chunks } from "@tandem/db";
import { and, asc, eq, gt, inArray } from "drizzle-orm";
import type { Ctx } from "../context.ts";
import { getDocumentInWorkspace } from "./get-document-in-workspace.ts";

/**
 * A document's chunks in order, with their heading path, page and the embedding models they have
 * vectors for (only read where the database has pgvector: `chunk_embedding` exists only there).
 */
export async function listDocumentChunks(
  ctx: Ctx,
  input: { id: string; cursor?: string | undefined; limit: number },
  deps: { vector: boolean },
): Promise<KnowledgeChunkListResponse> {
  const document = await getDocumentInWorkspace(ctx, input.id);
  const after = input.cursor && /^\d+$/.test(input.cursor) ? Number(input.cursor) : -1;
  const rows = await ctx.db
    .select()
    .from(chunks)
    .where(and(eq(chunks.documentId, document.id), gt(chunks.ordinal, after)))
    .orderBy(asc(chunks.ordinal))
    .limit(input.limit + 1);
  const page = rows.slice(0, input.limit);
  const models = new Map<string, string[]>();
  if (deps.vector && page.length) {
    const embedded = await ctx.db
      .select({ chunkId: chunkEmbeddings.chunkId, model: chunkEmbeddings.model })
      .from(chunkEmbeddings)
      .where(
        inArray(
          chunkEmbeddings.chunkId,
          page.map((c) => c.id),
        ),
      );
    for (const e of embedded) models.set(e.chunkId, [...(models.get(e.chunkId) ?? []), e.model]);
  }
  return {
    data: page.map((c) => {
      const meta = c.metadata as { headingPath?: string[]; page?: number | null };
      return {
        id: c.id,
        ordinal: c.ordinal,
        content: c.content,
        tokenCount: c.tokenCount,
        headingPath: meta.headingPath ?? [],
        page: meta.page ?? null,
        embeddedWith: (models.get(c.id) ?? []).sort(),
      };
    }),
    nextCursor: rows.length > input.limit ? String(page[page.length - 1]!.ordinal) : null,
  };
}
