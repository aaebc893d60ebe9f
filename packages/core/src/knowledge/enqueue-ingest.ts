import { type Db, documents } from "@tandem/db";
import { eq, sql } from "drizzle-orm";
import type { JobQueue } from "../jobs/queue.ts";
import { ingestDocument } from "./ingest-document.ts";

/**
 * Marks a document `pending` at its next revision and queues `ingest-document` for that revision:
 * the job key (`ingest-document:{id}:{revision}`) makes a duplicate enqueue a no-op, and a job of
 * an older revision finds it superseded and does nothing. Call it after the transaction that
 * created or changed the document committed (the job must see the row).
 */
export async function enqueueIngest(
  deps: { db: Db; queue: JobQueue },
  document: { id: string; workspaceId: string },
): Promise<void> {
  const [row] = await deps.db
    .update(documents)
    .set({
      status: "pending",
      progress: 0,
      error: null,
      metadata: sql`jsonb_set(${documents.metadata}, '{revision}', to_jsonb(coalesce((${documents.metadata}->>'revision')::int, 0) + 1))`,
      updatedAt: new Date(),
    })
    .where(eq(documents.id, document.id))
    .returning({ metadata: documents.metadata });
  if (!row) return;
  const revision = Number(row.metadata.revision);
  try {
    await deps.queue.enqueue(
      ingestDocument,
      { documentId: document.id, revision },
      { jobId: `ingest-document:${document.id}:${revision}`, workspaceId: document.workspaceId },
    );
  } catch (error) {
    // Recorded but not queued: it must not look pending forever.
    await deps.db
      .update(documents)
      .set({ status: "failed", error: "The document could not be queued for reading. Re-ingest it." })
      .where(eq(documents.id, document.id));
    throw error;
  }
}
