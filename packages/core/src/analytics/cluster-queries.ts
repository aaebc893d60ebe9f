/**
 * The top queries grouped by meaning (docs/analytics.md, `topQueries`): when the chatbot asked about
 * has an embedding model, the most frequent normalised questions are embedded with it and merged
 * greedily by cosine similarity, so "where is my parcel" and "where is my order" count as one
 * question. Without a model, or when the provider fails, the questions stay grouped by their exact
 * normalised text — analytics never fail because of it (the reason is logged).
 *
 * Vectors are kept per (workspace, embedding key, normalised text) in `analytics_query_embedding`,
 * so a read only embeds the texts it has not seen before; the hourly maintenance deletes those no
 * read will use (`prune-query-embeddings.ts`).
 */
import { createHash } from "node:crypto";
import type { AnalyticsResponse } from "@tandem/contracts";
import { analyticsQueryEmbeddings, chatbots, type RetrievalSettings } from "@tandem/db";
import { and, eq, inArray } from "drizzle-orm";
import type { Ctx } from "../context.ts";
import { embeddingKey } from "../knowledge/embeddings/embedding-key.ts";
import { embeddingProvider } from "../knowledge/embeddings/embedding-provider.ts";
import type { ProviderDeps } from "../providers/provider-deps.ts";

/** One normalised question of the period: how often it was asked and how its answers were rated. */
export interface QueryCount {
  query: string;
  count: number;
  helpful: number;
  notHelpful: number;
}

/** How many of the most frequent texts are embedded and grouped. */
export const CLUSTER_CANDIDATES = 50;
/** How many groups are returned. */
export const TOP_QUERIES = 10;
/**
 * Two questions are one when the cosine similarity of their vectors is at least this. High on
 * purpose: merging two different questions misleads more than leaving two phrasings apart.
 */
export const CLUSTER_SIMILARITY = 0.8;
/** A slow provider costs the analytics page this much at most, then the plain grouping is shown. */
const EMBED_TIMEOUT_MS = 5_000;

export interface ClusterQueriesInput {
  /** The chatbot the numbers are about; without one (the whole workspace) there is nothing to embed with. */
  chatbotId?: string | undefined;
  /** Access to the stored provider keys; without it the plain grouping is returned. */
  providers?: ProviderDeps | undefined;
  /** The candidates, most frequent first (ties by text). */
  queries: QueryCount[];
}

export async function clusterQueries(ctx: Ctx, input: ClusterQueriesInput): Promise<AnalyticsResponse["topQueries"]> {
  const plain = () => input.queries.slice(0, TOP_QUERIES).map(toTopQuery);
  if (!input.chatbotId || !input.providers || input.queries.length < 2) return plain();
  const [bot] = await ctx.db
    .select({ retrieval: chatbots.retrievalSettings })
    .from(chatbots)
    .where(and(eq(chatbots.id, input.chatbotId), eq(chatbots.workspaceId, ctx.workspaceId)));
  const embedding = bot?.retrieval.embedding;
  if (!embedding) return plain();
  try {
    const vectors = await vectorsOf(ctx, input.providers, embedding, input.queries);
    return mergeBySimilarity(input.queries, vectors).slice(0, TOP_QUERIES).map(toTopQuery);
  } catch (err) {
    ctx.log.warn(
      { err, chatbotId: input.chatbotId, model: embeddingKey(embedding) },
      "top queries grouped by exact text: embedding them failed",
    );
    return plain();
  }
}

/**
 * Greedy grouping: down the list from the most frequent, each text joins the group whose leader (its
 * most frequent text, which names it) is the most similar at or above the threshold, else starts a
 * group. Compared with leaders only, so a chain of small steps cannot drift from one question to
 * another. Counts and ratings add up; the groups are ordered by their totals (ties by name).
 */
export function mergeBySimilarity(
  queries: QueryCount[],
  vectors: number[][],
  threshold = CLUSTER_SIMILARITY,
): QueryCount[] {
  const groups: { leader: number[]; total: QueryCount }[] = [];
  queries.forEach((q, i) => {
    const vector = vectors[i]!;
    let best: (typeof groups)[number] | undefined;
    let bestSimilarity = threshold;
    for (const group of groups) {
      const similarity = cosine(group.leader, vector);
      if (similarity >= bestSimilarity) {
        best = group;
        bestSimilarity = similarity;
      }
    }
    if (best) {
      best.total.count += q.count;
      best.total.helpful += q.helpful;
      best.total.notHelpful += q.notHelpful;
    } else {
      groups.push({ leader: vector, total: { ...q } });
    }
  });
  return groups
    .map((g) => g.total)
    .sort((a, b) => b.count - a.count || (a.query < b.query ? -1 : a.query > b.query ? 1 : 0));
}

export function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

type Embedding = NonNullable<RetrievalSettings["embedding"]>;

/**
 * What `analytics_query_embedding.query_hash` keeps of a normalised text: its SHA-256 in hex, of its
 * UTF-8 bytes — in SQL `encode(sha256(convert_to(query, 'UTF8')), 'hex')` (`prune-query-embeddings.ts`).
 */
export const queryHash = (query: string) => createHash("sha256").update(query).digest("hex");

/** The vector of every text, from the cache or, for those not in it, embedded in one call and stored. */
async function vectorsOf(
  ctx: Ctx,
  providers: ProviderDeps,
  embedding: Embedding,
  queries: QueryCount[],
): Promise<number[][]> {
  const model = embeddingKey(embedding);
  const hashes = queries.map((q) => queryHash(q.query));
  const cached = new Map(
    (
      await ctx.db
        .select({ hash: analyticsQueryEmbeddings.queryHash, embedding: analyticsQueryEmbeddings.embedding })
        .from(analyticsQueryEmbeddings)
        .where(
          and(
            eq(analyticsQueryEmbeddings.workspaceId, ctx.workspaceId),
            eq(analyticsQueryEmbeddings.model, model),
            inArray(analyticsQueryEmbeddings.queryHash, hashes),
          ),
        )
    ).map((r) => [r.hash, r.embedding]),
  );
  const missing = [...new Set(hashes.filter((h) => !cached.has(h)))];
  if (missing.length > 0) {
    const texts = missing.map((h) => queries[hashes.indexOf(h)]!.query);
    const provider = await embeddingProvider({ db: ctx.db, ...providers }, ctx.workspaceId, embedding);
    const result = await provider.embed(texts, {
      model: embedding.model,
      ...(embedding.dimensions ? { dimensions: embedding.dimensions } : {}),
      timeoutMs: EMBED_TIMEOUT_MS,
    });
    if (result.vectors.length !== texts.length || result.vectors.some((v) => v.length === 0)) {
      throw new Error(`asked for ${texts.length} vectors, got ${result.vectors.length}`);
    }
    const rows = missing.map((queryHash, i) => ({
      workspaceId: ctx.workspaceId,
      model,
      queryHash,
      embedding: result.vectors[i]!,
    }));
    await ctx.db.insert(analyticsQueryEmbeddings).values(rows).onConflictDoNothing();
    for (const row of rows) cached.set(row.queryHash, row.embedding);
  }
  return hashes.map((h) => cached.get(h)!);
}

const toTopQuery = (q: QueryCount): AnalyticsResponse["topQueries"][number] => ({
  query: q.query,
  count: q.count,
  avgSatisfaction:
    q.helpful + q.notHelpful > 0 ? Math.round((q.helpful / (q.helpful + q.notHelpful)) * 10_000) / 10_000 : null,
});
