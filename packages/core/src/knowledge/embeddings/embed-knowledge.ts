/**
 * The vectors of a chatbot's knowledge. `embed-knowledge` (one job per chatbot and embedding key)
 * embeds, 64 texts a call, every chunk the chatbot searches — its own sources and the workspace's
 * shared ones — that has no vector for the chatbot's embedding key yet. When every chunk has one, the
 * key becomes `embedding_state.active`, the one retrieval searches: after a change of model the old
 * vectors serve until then, and vectors of keys no chatbot of the workspace uses any more are deleted.
 *
 * Provider failures: retryable ones (rate limits, timeouts, outages) are thrown so the queue retries
 * with backoff (honouring `retryAfterMs`); a non-retryable one (a bad key, an unknown model) or the
 * last attempt sets `state: "failed"` with the reason, which the chatbot's DTO shows.
 */
import { createHash } from "node:crypto";
import { chatbots, type Db, type EmbeddingState, type RetrievalSettings, rowsOf } from "@tandem/db";
import { and, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { AppJobDeps } from "../../app-deps.ts";
import { searchableChunks } from "../../bots/retrieve-knowledge.ts";
import { recordChatbotError } from "../../chatbot-health/record-chatbot-error.ts";
import { DomainError } from "../../errors.ts";
import { defineJob, type JobContext } from "../../jobs/define-job.ts";
import type { JobQueue } from "../../jobs/queue.ts";
import { LlmError, type LlmProvider } from "../../llm/types.ts";
import type { Logger } from "../../logger.ts";
import { embeddingKey, ensureVectorIndex, vectorLiteral } from "./embedding-key.ts";
import { embeddingProvider } from "./embedding-provider.ts";
import { vectorSupport } from "./vector-support.ts";

/** Texts per provider call. */
export const EMBED_BATCH_SIZE = 64;
/** What a passage's embedded text holds at most (providers cap inputs at about 8k tokens). */
const MAX_TEXT_CHARS = 8000;

type Embedding = NonNullable<RetrievalSettings["embedding"]>;
type ChatbotRow = typeof chatbots.$inferSelect;

export const embedKnowledge = defineJob({
  name: "embed-knowledge",
  schema: z.object({ chatbotId: z.string().min(1) }),
  retry: { attempts: 5, backoff: { baseMs: 2000, maxMs: 60_000 } },
  concurrency: 2,
  workspaceConcurrency: 1,
  background: true,
  handle: async (payload, ctx: JobContext<AppJobDeps>) => {
    try {
      await embedChatbotKnowledge(payload.chatbotId, ctx);
    } catch (error) {
      // The queue gives up after this attempt: the chatbot must not look "processing" forever.
      if (ctx.attempt >= ctx.maxAttempts || (error as { retryable?: unknown }).retryable === false) {
        const reason = error instanceof Error ? error.message : String(error);
        await markFailed(ctx.db, payload.chatbotId, `Embedding stopped: ${reason}`, ctx.log).catch(() => {});
      }
      throw error;
    }
  },
});

async function embedChatbotKnowledge(chatbotId: string, ctx: JobContext<AppJobDeps>): Promise<void> {
  const chatbot = await liveChatbot(ctx.db, chatbotId);
  const embedding = chatbot?.retrievalSettings.embedding;
  if (!chatbot || !embedding) return;
  if (!(await vectorSupport(ctx.db)).available) {
    await setState(ctx.db, chatbot.id, { ...chatbot.embeddingState, state: "off", error: null });
    return;
  }
  const key = embeddingKey(embedding);
  await setState(ctx.db, chatbot.id, { ...chatbot.embeddingState, state: "processing", target: key, error: null });

  const fail = async (reason: string) => {
    ctx.log.warn({ chatbotId, key, reason }, "embedding the knowledge failed");
    const current = await liveChatbot(ctx.db, chatbotId);
    // A newer model replaced this one meanwhile: its own job reports on it.
    if (!current?.retrievalSettings.embedding || embeddingKey(current.retrievalSettings.embedding) !== key) return;
    await setState(ctx.db, chatbot.id, { ...current.embeddingState, state: "failed", target: key, error: reason });
    await recordEmbeddingError(ctx.db, current, reason, ctx.log);
  };

  let provider: LlmProvider;
  try {
    provider = await embeddingProvider(ctx, chatbot.workspaceId, embedding);
  } catch (error) {
    if (error instanceof DomainError) return fail(error.message);
    throw error;
  }

  const embed = async (texts: string[]) => {
    try {
      const result = await provider.embed(texts, {
        model: embedding.model,
        ...(embedding.dimensions ? { dimensions: embedding.dimensions } : {}),
        timeoutMs: 60_000,
        signal: ctx.signal,
      });
      if (result.vectors.length !== texts.length) {
        throw new LlmError("provider_bad_request", `asked for ${texts.length} vectors, got ${result.vectors.length}`, {
          provider: embedding.provider,
        });
      }
      return result;
    } catch (error) {
      if (error instanceof LlmError && (!error.retryable || ctx.attempt >= ctx.maxAttempts)) {
        await fail(error.retryable ? `${error.message} (gave up after ${ctx.attempt} attempts)` : `${error.message}`);
        return null;
      }
      throw error;
    }
  };

  let dimensions = await storedDimensions(ctx.db, key);
  for (;;) {
    const batch = await chunksWithoutVector(ctx.db, chatbot, key, EMBED_BATCH_SIZE);
    if (batch.length === 0) break;
    const result = await embed(batch.map(textOf));
    if (!result) return;
    const size = result.vectors[0]?.length ?? 0;
    if (dimensions !== null && size !== dimensions) {
      return fail(`the model answered vectors of ${size} dimensions where earlier ones had ${dimensions}`);
    }
    dimensions = size;
    await ctx.db.execute(sql`
      INSERT INTO chunk_embedding (chunk_id, workspace_id, model, dimensions, embedding)
      SELECT x.chunk_id, ${chatbot.workspaceId}, ${key}, ${size}, x.embedding::vector
      FROM jsonb_to_recordset(${JSON.stringify(
        batch.map((c, i) => ({ chunk_id: c.id, embedding: vectorLiteral(result.vectors[i]!) })),
      )}::jsonb) AS x(chunk_id text, embedding text)
      ON CONFLICT (chunk_id, model) DO NOTHING`);
    await ensureVectorIndex(ctx.db, key, size);
  }
  if (dimensions === null) {
    // Nothing to embed yet: one probe learns the vector size and proves the credential works.
    const probe = await embed(["dimension probe"]);
    if (!probe) return;
    dimensions = probe.vectors[0]?.length ?? 0;
  }

  const switched = await ctx.db.transaction(async (tx) => {
    const [current] = await tx.select().from(chatbots).where(eq(chatbots.id, chatbotId)).for("update");
    const now = current?.retrievalSettings.embedding;
    if (!current || current.deletedAt || !now || embeddingKey(now) !== key) return false;
    await setState(tx as unknown as Db, chatbotId, {
      active: { model: key, dimensions: dimensions! },
      activeSetting: now,
      target: null,
      state: "ready",
      error: null,
      ...(current.embeddingState.requestedAt ? { requestedAt: current.embeddingState.requestedAt } : {}),
    });
    return true;
  });
  if (switched) await deleteUnusedVectors(ctx.db, chatbot.workspaceId, ctx.log);
}

async function markFailed(db: Db, chatbotId: string, reason: string, log: Logger): Promise<void> {
  const current = await liveChatbot(db, chatbotId);
  if (!current?.retrievalSettings.embedding) return;
  await setState(db, chatbotId, { ...current.embeddingState, state: "failed", error: reason });
  await recordEmbeddingError(db, current, reason, log);
}

/** A failed embedding in the chatbot's health record (`chatbot_error`, kind `embedding`). */
function recordEmbeddingError(db: Db, chatbot: ChatbotRow, reason: string, log: Logger): Promise<void> {
  const embedding = chatbot.retrievalSettings.embedding;
  return recordChatbotError(
    db,
    {
      workspaceId: chatbot.workspaceId,
      chatbotId: chatbot.id,
      kind: "embedding",
      code: "embedding_failed",
      message: reason,
      provider: embedding?.provider ?? null,
      model: embedding?.model ?? null,
    },
    log,
  );
}

/** The text a chunk is embedded as: its heading path, then the passage. */
const textOf = (chunk: { content: string; headingPath: string[] }) =>
  (chunk.headingPath.length ? `${chunk.headingPath.join(" › ")}\n${chunk.content}` : chunk.content).slice(
    0,
    MAX_TEXT_CHARS,
  );

async function liveChatbot(db: Db, id: string): Promise<ChatbotRow | undefined> {
  const [row] = await db
    .select()
    .from(chatbots)
    .where(and(eq(chatbots.id, id), isNull(chatbots.deletedAt)));
  return row;
}

async function setState(db: Db, chatbotId: string, state: EmbeddingState): Promise<void> {
  await db
    .update(chatbots)
    .set({ embeddingState: { ...state, updatedAt: new Date().toISOString() } })
    .where(eq(chatbots.id, chatbotId));
}

async function storedDimensions(db: Db, key: string): Promise<number | null> {
  const result = await db.execute(sql`SELECT dimensions FROM chunk_embedding WHERE model = ${key} LIMIT 1`);
  return rowsOf<{ dimensions: number }>(result)[0]?.dimensions ?? null;
}

async function chunksWithoutVector(db: Db, chatbot: ChatbotRow, key: string, limit: number) {
  const result = await db.execute(sql`
    SELECT c.id, c.content, c.metadata
    FROM chunk c JOIN document d ON d.id = c.document_id JOIN knowledge_source s ON s.id = c.source_id
    WHERE ${searchableChunks({ id: chatbot.id, workspaceId: chatbot.workspaceId })}
      AND NOT EXISTS (SELECT 1 FROM chunk_embedding e WHERE e.chunk_id = c.id AND e.model = ${key})
    ORDER BY c.id
    LIMIT ${limit}`);
  return rowsOf<{ id: string; content: string; metadata: Record<string, unknown> | null }>(result).map((r) => ({
    id: r.id,
    content: r.content,
    headingPath: Array.isArray(r.metadata?.headingPath) ? (r.metadata.headingPath as string[]) : [],
  }));
}

/** Vectors of keys that no chatbot of the workspace searches or is computing any more. */
async function deleteUnusedVectors(db: Db, workspaceId: string, log: Logger): Promise<void> {
  const rows = await db
    .select({ settings: chatbots.retrievalSettings, state: chatbots.embeddingState })
    .from(chatbots)
    .where(and(eq(chatbots.workspaceId, workspaceId), isNull(chatbots.deletedAt)));
  const used = new Set<string>();
  for (const row of rows) {
    if (row.state.active) used.add(row.state.active.model);
    if (row.settings.embedding) used.add(embeddingKey(row.settings.embedding));
  }
  const keep = [...used];
  const result = await db.execute(sql`
    DELETE FROM chunk_embedding
    WHERE workspace_id = ${workspaceId}
      ${
        keep.length
          ? sql`AND model NOT IN (${sql.join(
              keep.map((k) => sql`${k}`),
              sql`, `,
            )})`
          : sql``
      }`);
  const deleted = (result as { affectedRows?: number; rowCount?: number }).affectedRows ?? 0;
  if (deleted) log.info({ workspaceId, deleted }, "deleted vectors of embedding models no chatbot uses");
}

/** The deduplication key: a chatbot, its embedding key and the request, so repeats collapse while one waits. */
function jobKeyOf(
  chatbot: Pick<ChatbotRow, "id" | "embeddingState">,
  embedding: Embedding,
  generation: string,
): string {
  const digest = createHash("sha256")
    .update(`${embeddingKey(embedding)}|${chatbot.embeddingState.requestedAt ?? ""}|${generation}`)
    .digest("hex")
    .slice(0, 24);
  return `embed-knowledge:${chatbot.id}:${digest}`;
}

export interface ScheduleDeps {
  db: Db;
  queue?: JobQueue | undefined;
  log?: Logger | undefined;
}

/**
 * Enqueues `embed-knowledge` for every chatbot of the workspace that searches `sourceId` (every
 * chatbot with an embedding model when no source is given) — the ingest job calls it once a document
 * is ready, the chatbot settings when the model changes. Nothing without pgvector or a queue. Jobs
 * collapse per chatbot, embedding key and knowledge generation (the chunks' count and newest
 * creation), so a burst of documents becomes one run per state of the knowledge. Answers how many
 * were enqueued.
 */
export async function scheduleEmbeddings(
  ctx: ScheduleDeps,
  input: { workspaceId: string; sourceId?: string | undefined; chatbotId?: string | undefined },
): Promise<number> {
  if (!ctx.queue) {
    ctx.log?.warn(input, "no job queue in this process: embeddings not scheduled");
    return 0;
  }
  if (!(await vectorSupport(ctx.db)).available) return 0;
  const owner = input.sourceId
    ? rowsOf<{ chatbot_id: string | null }>(
        await ctx.db.execute(
          sql`SELECT chatbot_id FROM knowledge_source WHERE id = ${input.sourceId} AND workspace_id = ${input.workspaceId}`,
        ),
      )[0]
    : undefined;
  if (input.sourceId && !owner) return 0;
  const rows = await ctx.db
    .select()
    .from(chatbots)
    .where(
      and(
        eq(chatbots.workspaceId, input.workspaceId),
        isNull(chatbots.deletedAt),
        sql`${chatbots.retrievalSettings}->'embedding' IS NOT NULL AND ${chatbots.retrievalSettings}->'embedding' <> 'null'::jsonb`,
        owner?.chatbot_id ? eq(chatbots.id, owner.chatbot_id) : undefined,
        input.chatbotId ? eq(chatbots.id, input.chatbotId) : undefined,
      ),
    );
  if (rows.length === 0) return 0;
  const generation = rowsOf<{ n: number; newest: string | null }>(
    await ctx.db.execute(
      sql`SELECT count(*)::int AS n, max(created_at)::text AS newest FROM chunk WHERE workspace_id = ${input.workspaceId}`,
    ),
  )[0];
  const stamp = `${generation?.n ?? 0}|${generation?.newest ?? ""}`;
  const { added } = await ctx.queue.enqueueMany(
    embedKnowledge,
    rows.map((row) => ({
      payload: { chatbotId: row.id },
      jobId: jobKeyOf(row, row.retrievalSettings.embedding!, stamp),
      workspaceId: input.workspaceId,
    })),
  );
  return added;
}
