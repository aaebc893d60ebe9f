import type { Db } from "@tandem/db";
import type { JobQueue } from "../jobs/queue.ts";
import type { Logger } from "../logger.ts";
import { scheduleEmbeddings } from "./embeddings/embed-knowledge.ts";

/**
 * A source's chunks changed (a document became ready, FAQ entries were written, the source moved to
 * another chatbot): the chatbots that search it and have an embedding model embed the new chunks in
 * the background. Called after the change committed; a failure to schedule is logged, never the
 * caller's (retrieval serves the chunks by full text meanwhile, and the next change schedules again).
 */
export function scheduleEmbeddingsAfter(
  ctx: { db: Db; queue?: JobQueue | undefined; log: Logger },
  input: { workspaceId: string; sourceId: string },
): Promise<void> {
  return scheduleEmbeddings(ctx, input).then(
    () => undefined,
    (err) => ctx.log.warn({ err, ...input }, "could not schedule the embeddings of changed knowledge"),
  );
}
