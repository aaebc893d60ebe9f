import type { KnowledgeSourceDto } from "@tandem/contracts";
import { documents } from "@tandem/db";
import { and, eq, isNull } from "drizzle-orm";
import { recordAudit } from "../audit/record-audit.ts";
import { type Ctx, withTransaction } from "../context.ts";
import { queueOf } from "../jobs/job-scope.ts";
import { enqueueIngest } from "./enqueue-ingest.ts";
import { writeFaqChunk } from "./faq-chunk.ts";
import { getKnowledgeSourceInWorkspace } from "./get-knowledge-source-in-workspace.ts";
import { publishAfter } from "./publish-knowledge-update.ts";
import { scheduleEmbeddingsAfter } from "./schedule-embeddings-after.ts";
import { syncUrlSource } from "./sync-url-source.ts";
import { loadSourceDto } from "./to-dto.ts";

/**
 * `POST /knowledge/sources/{id}/sync`: a URL source is fetched again (changed pages re-ingested, new
 * ones added, gone ones removed); any other source has every document read again (an FAQ set's
 * passages rewritten at once).
 */
export async function syncKnowledgeSource(ctx: Ctx, input: { id: string }): Promise<KnowledgeSourceDto> {
  const source = await withTransaction(ctx, async (tx) => {
    const row = await getKnowledgeSourceInWorkspace(tx, input.id, { forUpdate: true });
    if (row.type === "faq") {
      const entries = await tx.db
        .select()
        .from(documents)
        .where(and(eq(documents.sourceId, row.id), isNull(documents.deletedAt)));
      for (const entry of entries) await writeFaqChunk(tx.db, entry, row.chatbotId);
    }
    await recordAudit(tx, { action: "knowledge_source.sync", entityType: "knowledge_source", entityId: row.id });
    return row;
  });
  const queue = queueOf(ctx);
  if (source.type === "url") {
    const at = Date.now();
    await queue.enqueue(
      syncUrlSource,
      { sourceId: source.id, requestedAt: at },
      { jobId: `sync-url-source:${source.id}:${at}`, workspaceId: source.workspaceId },
    );
  } else if (source.type !== "faq" && source.type !== "shopify") {
    const docs = await ctx.db
      .select({ id: documents.id, workspaceId: documents.workspaceId })
      .from(documents)
      .where(and(eq(documents.sourceId, source.id), isNull(documents.deletedAt)));
    for (const doc of docs) await enqueueIngest({ db: ctx.db, queue }, doc);
  }
  void publishAfter(ctx, { workspaceId: source.workspaceId, sourceId: source.id });
  await scheduleEmbeddingsAfter(ctx, { workspaceId: source.workspaceId, sourceId: source.id });
  return loadSourceDto(ctx.db, await getKnowledgeSourceInWorkspace(ctx, source.id));
}
