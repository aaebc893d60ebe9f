import { type KnowledgeUpdatedEvent, rooms, SOCKET_EVENTS } from "@tandem/contracts";
import { type Db, documents, knowledgeSources } from "@tandem/db";
import { and, eq, isNull } from "drizzle-orm";
import type { RealtimePublisher } from "../realtime.ts";
import { loadDocumentDto, loadSourceDto } from "./to-dto.ts";

/**
 * Sends `knowledge:updated` to the workspace room: the source as it is now (null once deleted) and
 * the document that moved (null with `deleted` when it was removed). Read after the change
 * committed, so a dashboard never sees a state that was rolled back.
 */
export async function publishKnowledgeUpdate(
  deps: { db: Db; realtime?: RealtimePublisher | undefined },
  event: { workspaceId: string; sourceId: string; documentId?: string | null; deleted?: boolean },
): Promise<void> {
  if (!deps.realtime) return;
  const [source] = await deps.db
    .select()
    .from(knowledgeSources)
    .where(and(eq(knowledgeSources.id, event.sourceId), isNull(knowledgeSources.deletedAt)));
  let document: KnowledgeUpdatedEvent["document"] = null;
  if (event.documentId && !event.deleted) {
    const [row] = await deps.db
      .select()
      .from(documents)
      .where(and(eq(documents.id, event.documentId), isNull(documents.deletedAt)));
    if (row) document = await loadDocumentDto(deps.db, row);
  }
  const payload: KnowledgeUpdatedEvent = {
    sourceId: event.sourceId,
    source: source ? await loadSourceDto(deps.db, source) : null,
    document,
    deleted: event.deleted ?? false,
  };
  deps.realtime.emit(rooms.workspace(event.workspaceId), SOCKET_EVENTS.knowledgeUpdated, payload);
}

/**
 * `publishKnowledgeUpdate` from a verb, after its transaction commits; a failure is logged, never the
 * verb's. Await it before enqueueing a job that moves the same document on, so the job's later
 * update ("processing", "ready") can never arrive before this one.
 */
export function publishAfter(
  ctx: { db: Db; realtime?: RealtimePublisher | undefined; log: { warn: (o: object, m: string) => void } },
  event: Parameters<typeof publishKnowledgeUpdate>[1],
): Promise<void> {
  return publishKnowledgeUpdate(ctx, event).catch((err) =>
    ctx.log.warn({ err }, "could not publish a knowledge update"),
  );
}
