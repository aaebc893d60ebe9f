/**
 * Retrieval for one bot reply (and for retrieval testing, `knowledge/search-knowledge.ts`): the
 * chatbot's FAQ entries and the knowledge-base passages that match the customer's message, best first.
 *
 * Two candidate lists, fused by reciprocal rank fusion (RRF, k = 60):
 * - **Full text** (always): PostgreSQL full-text search over `chunk.search` (the `simple`
 *   configuration: the words each stemmed word stands for, every word first, then any; for Thai,
 *   Japanese, Chinese the question's character bigrams, which ingest writes into
 *   `chunk.search_terms`) — both served by the GIN index.
 *   These passages and the chatbot's FAQ entries are scored by the offline matcher (`scoreEntries`,
 *   one IDF table over all of them) and ranked by that score.
 * - **Vectors** (when the database has pgvector and the chatbot an active embedding model): the
 *   question is embedded with the chatbot's ACTIVE embedding key (the one whose vectors are complete)
 *   and its nearest chunks by cosine distance are taken; those whose similarity (1 − distance) is
 *   under `similarityThreshold` are dropped. The threshold applies to the similarity, never to the
 *   fused score. If embedding the question fails, the reply goes on with full text alone (`vectorNote`).
 *
 * Only chunks of this chatbot or of no chatbot (the workspace's shared sources) are searched, in both
 * paths, and the chatbot's knowledge filters (sourceIds, types, categories, documentTypes, tags) apply.
 * Items are ordered by the fused score; each carries `score`, the 0–1 relevance the bot uses (the
 * offline provider's confidence, the stored source score): the matcher's lexical score, raised to the
 * vector similarity when the vector path found the item.
 */
import { type ProviderKind, RETRIEVAL_DEFAULTS } from "@tandem/contracts";
import {
  type Db,
  type EmbeddingState,
  type FaqEntry,
  type KnowledgeFilters,
  type RetrievalSettings,
  rowsOf,
} from "@tandem/db";
import { type SQL, sql } from "drizzle-orm";
import { DomainError } from "../errors.ts";
import { embeddingKey, ensureVectorIndex, vectorLiteral } from "../knowledge/embeddings/embedding-key.ts";
import { type EmbeddingDeps, embeddingProvider } from "../knowledge/embeddings/embedding-provider.ts";
import { vectorSupport } from "../knowledge/embeddings/vector-support.ts";
import { type LexemeShares, lexemeShares } from "../knowledge/lexeme-shares.ts";
import { bigramQueryTerms } from "../knowledge/search-terms.ts";
import { asEntry } from "../llm/offline.ts";
import { type KnowledgeItem, LlmError } from "../llm/types.ts";
import { latinWords, scoreEntries, stem, wordForms } from "./offline-answer.ts";

export interface RetrievalChatbot {
  id: string;
  workspaceId: string;
  faqEntries: readonly FaqEntry[];
  knowledgeFilters?: KnowledgeFilters | null;
  retrievalSettings?: RetrievalSettings | null;
  embeddingState?: EmbeddingState | null;
}

export interface RetrieveOptions {
  /** Items returned, best first. Default: the chatbot's `maxResults` (5). */
  limit?: number;
  /** Candidates fetched by each path before fusing. Default 20 (at least `limit`). */
  candidates?: number;
  /** What embedding the question needs (the credential's keyring, the provider defaults); without it, full text only. */
  providers?: EmbeddingDeps | undefined;
  /** Below this many searchable chunks the vector path scans them exactly instead of using the ANN index. Default 5,000. */
  exactScanBelow?: number;
}

export interface RetrievedItem extends KnowledgeItem {
  score: number;
  fullTextRank: number | null;
  fullTextScore: number | null;
  vectorRank: number | null;
  vectorSimilarity: number | null;
  fusedScore: number;
  headingPath: string[];
}

/**
 * The vector path failed where it should have run (embedding the question, or the vector query): the
 * answer fell back to full text. What the chatbot's health records (`chatbot_error`, kind `retrieval`).
 */
export interface RetrievalFailure {
  code: string;
  message: string;
  provider: ProviderKind | null;
  model: string | null;
}

export interface Retrieval {
  mode: "hybrid" | "full_text";
  /** Why the vector path did not run, when it did not. */
  vectorNote: string | null;
  /** Set when it did not run because it failed (not for a chatbot without vectors). */
  failure: RetrievalFailure | null;
  similarityThreshold: number;
  items: RetrievedItem[];
  timings: { fullTextMs: number; vectorMs: number; embedMs: number; totalMs: number };
}

/** RRF's constant: a rank r contributes 1 / (RRF_K + r). */
export const RRF_K = 60;
const DEFAULT_CANDIDATES = 20;
export const EXACT_SCAN_BELOW = 5000;

/** The items only (what `compose-reply.ts`, the playground and the offline provider use). */
export async function retrieveKnowledge(
  db: Db,
  chatbot: RetrievalChatbot,
  question: string,
  options: RetrieveOptions = {},
): Promise<RetrievedItem[]> {
  return (await retrieve(db, chatbot, question, options)).items;
}

/** Hybrid retrieval with everything that explains it: mode, per-path ranks and scores, timings. */
export async function retrieve(
  db: Db,
  chatbot: RetrievalChatbot,
  question: string,
  options: RetrieveOptions = {},
): Promise<Retrieval> {
  const started = performance.now();
  const settings = chatbot.retrievalSettings ?? {};
  const threshold = settings.similarityThreshold ?? RETRIEVAL_DEFAULTS.similarityThreshold;
  const limit = options.limit ?? settings.maxResults ?? RETRIEVAL_DEFAULTS.maxResults;
  const candidates = Math.max(options.candidates ?? DEFAULT_CANDIDATES, limit);

  const [lexical, vector] = await Promise.all([
    timed(() => searchFullText(db, chatbot, question, candidates)),
    searchVectors(db, chatbot, question, { ...options, candidates, threshold }),
  ]);

  // One table of every candidate: FAQ entries, then passages of either path.
  const faq: KnowledgeItem[] = chatbot.faqEntries.map((e, i) => ({
    id: `faq:${i}`,
    kind: "faq",
    title: e.question,
    content: e.answer,
  }));
  const byId = new Map<string, Candidate>();
  for (const item of faq) byId.set(item.id, { item, headingPath: [], tsRank: null, similarity: null });
  for (const row of lexical.value) byId.set(row.id, { ...toCandidate(row), tsRank: row.tsRank, similarity: null });
  for (const row of vector.rows) {
    const known = byId.get(row.id);
    if (known) known.similarity = row.similarity;
    else byId.set(row.id, { ...toCandidate(row), tsRank: null, similarity: row.similarity });
  }
  const all = [...byId.values()];
  const lexicalScores = scoreEntries(
    all.map((c) => asEntry(c.item)),
    question,
  );

  // The full-text list: FAQ entries and full-text passages the matcher scores, best first.
  const fullTextRanked = all
    .map((c, i) => ({ c, score: lexicalScores[i]!, i }))
    .filter(({ c, score }) => score > 0 && (isSettingsFaq(c.item) || c.tsRank !== null))
    .sort((a, b) => b.score - a.score || (b.c.tsRank ?? 0) - (a.c.tsRank ?? 0) || a.i - b.i);
  const fullTextRank = new Map(fullTextRanked.map(({ c }, i) => [c.item.id, i + 1]));
  const vectorRank = new Map(vector.rows.map((r, i) => [r.id, i + 1]));

  const items: RetrievedItem[] = [];
  all.forEach((c, i) => {
    const ftRank = fullTextRank.get(c.item.id) ?? null;
    const vRank = vectorRank.get(c.item.id) ?? null;
    if (ftRank === null && vRank === null) return;
    const lexicalScore = lexicalScores[i]!;
    const fused = (ftRank ? 1 / (RRF_K + ftRank) : 0) + (vRank ? 1 / (RRF_K + vRank) : 0);
    items.push({
      ...c.item,
      score: round(vRank !== null ? Math.max(lexicalScore, c.similarity ?? 0) : lexicalScore),
      fullTextRank: ftRank,
      fullTextScore: ftRank === null ? null : isSettingsFaq(c.item) ? lexicalScore : round(c.tsRank ?? 0, 6),
      vectorRank: vRank,
      vectorSimilarity: c.similarity === null ? null : round(c.similarity),
      fusedScore: round(fused, 6),
      headingPath: c.headingPath,
    });
  });
  items.sort((a, b) => b.fusedScore - a.fusedScore || b.score - a.score || a.id.localeCompare(b.id));

  return {
    mode: vector.note === null ? "hybrid" : "full_text",
    vectorNote: vector.note,
    failure: vector.failure,
    similarityThreshold: threshold,
    items: items.slice(0, limit),
    timings: {
      fullTextMs: lexical.ms,
      vectorMs: vector.vectorMs,
      embedMs: vector.embedMs,
      totalMs: Math.round(performance.now() - started),
    },
  };
}

/** An FAQ entry of the chatbot's own settings (`faq:{n}`): scored by the matcher only, never by PostgreSQL. */
const isSettingsFaq = (item: KnowledgeItem) => item.id.startsWith("faq:");

interface Candidate {
  item: KnowledgeItem;
  headingPath: string[];
  tsRank: number | null;
  similarity: number | null;
}

interface PassageRow {
  id: string;
  content: string;
  documentId: string;
  sourceId: string;
  title: string;
  metadata: Record<string, unknown> | null;
  documentType: string | null;
  /** An FAQ set's entry (`document_type` faq): its answer alone, the chunk being "question\nanswer". */
  faqAnswer: string | null;
}

/** An entry of an FAQ set is an FAQ item (question as title, answer as content), as the chatbot's own FAQ. */
const toCandidate = (row: PassageRow): Pick<Candidate, "item" | "headingPath"> => ({
  item: {
    id: row.id,
    kind: row.faqAnswer !== null ? "faq" : "passage",
    title: row.title,
    content: row.faqAnswer ?? row.content,
    documentId: row.documentId,
    sourceId: row.sourceId,
  },
  headingPath: headingPathOf(row.metadata),
});

const headingPathOf = (metadata: Record<string, unknown> | null): string[] => {
  const path = metadata?.headingPath;
  return Array.isArray(path) ? path.filter((h): h is string => typeof h === "string") : [];
};

/** One word of a question in a tsquery: how chunks are matched, and how the matches are ranked. */
export interface FullTextTerm {
  /**
   * The words its stem stands for, exact (`(ship | ships | shipped | shipping | shipment)`, see
   * `wordForms`): the GIN index skips through the posting lists of an every-word query of exact
   * lexemes, where a prefix's (`ship:*`) are read whole, which on a large knowledge base costs ten
   * times more; and every extra lexeme costs the index on each chunk it checks.
   */
  match: string;
  /** The prefix of the stemmed word (`ship:*`, `polic:*`) for `ts_rank` over the (few) matches. */
  rank: string;
  /** The lexemes `match` names (ship, ships, …): how common they are decides how matches are gathered. */
  lexemes: string[];
}

/** The full-text terms of a message's Latin words, one per stemmed word. */
export function fullTextTerms(question: string): FullTextTerm[] {
  const groups = new Map<string, string[]>();
  for (const word of latinWords(question)) {
    const stemmed = stem(word);
    if (stemmed.length < 2) continue;
    const forms = groups.get(stemmed);
    if (!forms) groups.set(stemmed, wordForms(stemmed, word));
    else if (!forms.includes(word)) forms.push(word);
  }
  return [...groups].map(([stemmed, forms]) => ({
    match: forms.length === 1 ? forms[0]! : `(${forms.join(" | ")})`,
    // The light stemmer turns "policy" into "polici": the common prefix of both.
    rank: `${stemmed.length > 4 ? stemmed.replace(/[ie]$/, "") : stemmed}:*`,
    lexemes: forms,
  }));
}

/** The full-text query matching a message's chunks by any of its words (`(ship | ships | …) | return | …`), or null. */
export function fullTextQuery(question: string): string | null {
  const latin = fullTextTerms(question);
  return latin.length ? latin.map((t) => t.match).join(" | ") : null;
}

/**
 * The chunks a chatbot searches, as SQL over `chunk c`, `document d`, `knowledge_source s`: of its
 * workspace, its own or shared, not deleted, within its knowledge filters. Both paths use it, and so
 * does the embedding job (without the filters, which may change without re-embedding).
 */
export function searchableChunks(chatbot: Pick<RetrievalChatbot, "id" | "workspaceId" | "knowledgeFilters">): SQL {
  const f = chatbot.knowledgeFilters ?? {};
  const parts: SQL[] = [
    sql`c.workspace_id = ${chatbot.workspaceId}`,
    sql`(c.chatbot_id = ${chatbot.id} OR c.chatbot_id IS NULL)`,
    sql`d.deleted_at IS NULL`,
    sql`s.deleted_at IS NULL`,
  ];
  const list = (values: readonly string[]) =>
    sql`(${sql.join(
      values.map((v) => sql`${v}`),
      sql`, `,
    )})`;
  if (f.sourceIds?.length) parts.push(sql`c.source_id IN ${list(f.sourceIds)}`);
  if (f.types?.length) parts.push(sql`s.type::text IN ${list(f.types)}`);
  if (f.categories?.length) parts.push(sql`coalesce(d.category, s.category) IN ${list(f.categories)}`);
  if (f.documentTypes?.length) parts.push(sql`d.document_type IN ${list(f.documentTypes)}`);
  if (f.tags?.length)
    parts.push(
      sql`d.tags && ARRAY[${sql.join(
        f.tags.map((t) => sql`${t}`),
        sql`, `,
      )}]::text[]`,
    );
  return sql.join(parts, sql` AND `);
}

const PASSAGE_COLUMNS = sql`c.id, c.content, c.document_id AS "documentId", c.source_id AS "sourceId", d.title, c.metadata, d.document_type AS "documentType", CASE WHEN d.document_type = 'faq' THEN d.content END AS "faqAnswer"`;
const FROM_CHUNKS = sql`chunk c JOIN document d ON d.id = c.document_id JOIN knowledge_source s ON s.id = c.source_id`;

async function searchFullText(
  db: Db,
  chatbot: RetrievalChatbot,
  question: string,
  limit: number,
): Promise<RankedRow[]> {
  const terms: FullTextTerm[] = [
    ...fullTextTerms(question),
    ...bigramQueryTerms(question).map((t) => ({ match: `'${t}'`, rank: `'${t}'`, lexemes: [t] })),
  ];
  if (terms.length === 0) return [];
  const shares = await lexemeShares(db);
  // Every term first: usually selective. Then any term, when every term together found too few.
  const everyTerm = tsquery(terms, terms, " & ");
  // When every term is common, so are the passages with all of them, usually (words of one topic go
  // together), and the index would walk the posting lists of common words: a sample first.
  const strict = terms.every((t) => listedShare(shares, t) >= COMMON_SHARE)
    ? await sampleFirst(db, chatbot, everyTerm, limit)
    : await rankedMatches(db, chatbot, everyTerm, limit);
  if (strict.length >= limit || terms.length === 1) return strict;
  return firstOf([strict, await anyTermMatches(db, chatbot, shares, terms, limit)], limit);
}

/** The share of chunks holding the term at least (its most common form's), by the statistics. */
const listedShare = (shares: LexemeShares, t: FullTextTerm) =>
  Math.max(0, ...t.lexemes.map((l) => shares.listed(l) ?? 0));

/** Matches from a sample of the chunks read in order, or by the index when the sample held too few. */
async function sampleFirst(
  db: Db,
  chatbot: RetrievalChatbot,
  query: { match: string; rank: string },
  limit: number,
  first: RankedRow[] = [],
): Promise<RankedRow[]> {
  const sampled = firstOf([first, await rankedMatches(db, chatbot, query, limit, SAMPLED_CHUNKS)], limit);
  if (sampled.length >= limit) return sampled;
  return firstOf([sampled, await rankedMatches(db, chatbot, query, limit)], limit);
}

type RankedRow = PassageRow & { tsRank: number };

/** A tsquery matching `matching` and ranking by all of `terms`, each joined by `operator`. */
const tsquery = (matching: readonly FullTextTerm[], terms: readonly FullTextTerm[], operator: string) => ({
  match: matching.map((t) => t.match).join(operator),
  rank: terms.map((t) => t.rank).join(operator),
});

/** The rows of the lists in order, each once, at most `limit`. */
function firstOf(lists: RankedRow[][], limit: number): RankedRow[] {
  const seen = new Set<string>();
  const out: RankedRow[] = [];
  for (const row of lists.flat()) {
    if (out.length >= limit) break;
    if (seen.has(row.id)) continue;
    seen.add(row.id);
    out.push(row);
  }
  return out;
}

/**
 * A query whose matches are (by the table's statistics) at least this share of the chunks reads
 * chunks in order instead of asking the index: see `anyTermMatches`.
 */
const COMMON_SHARE = 0.05;
/** A term held by under this share of the chunks is rare: its matches are gathered first, by the index. */
const RARE_SHARE = 0.02;
/** At most this many of the chatbot's chunks are read in order for a sample of any-term matches. */
const SAMPLED_CHUNKS = 1000;

/**
 * Passages with any of the terms, when too few have them all. The GIN index answers an OR by reading
 * every posting list of every term whole before the first row comes out: when a word is in a large
 * share of a large knowledge base ("order" in two thirds of 100,000 chunks), that is 60,000–80,000
 * entries and most of the question's time (75 ms of 90 on PGlite), only for the first 500 matches
 * to be ranked. So, when the statistics (`knowledge/lexeme-shares.ts`) say a term is that common:
 *   1. the rare terms' matches are gathered by the index (cheap, and the most telling matches: the
 *      lexical scorer weighs a word by how rare it is);
 *   2. the rest is a sample: the chatbot's chunks are read in order, at most SAMPLED_CHUNKS, keeping
 *      those with any term — with a common term, RANKED_CANDIDATES matches come within the first
 *      few hundred or thousand chunks, as they would from the index (whose first matches are the
 *      first in the table's order too), for a tenth of the time;
 *   3. if those found too few (the statistics cover every workspace and may be an hour old: this
 *      chatbot's chunks may not hold the word), the index is asked after all.
 */
async function anyTermMatches(
  db: Db,
  chatbot: RetrievalChatbot,
  shares: LexemeShares,
  terms: readonly FullTextTerm[],
  limit: number,
): Promise<RankedRow[]> {
  const anyTerm = tsquery(terms, terms, " | ");
  if (!terms.some((t) => listedShare(shares, t) >= COMMON_SHARE)) return rankedMatches(db, chatbot, anyTerm, limit);

  // Known to be rare: listed under RARE_SHARE, or not listed while every listed lexeme is that rare.
  const atMost = (t: FullTextTerm) => Math.max(...t.lexemes.map((l) => shares.listed(l) ?? shares.floor));
  const rare = terms.filter((t) => atMost(t) < RARE_SHARE);
  const fromRare = rare.length ? await rankedMatches(db, chatbot, tsquery(rare, terms, " | "), limit) : [];
  if (fromRare.length >= limit) return fromRare;
  return sampleFirst(db, chatbot, anyTerm, limit, fromRare);
}

/**
 * Matches ranked at most this many: words that most chunks of a large knowledge base contain would
 * otherwise have every match ranked (`ts_rank` reads the chunk's whole tsvector, usually out of line);
 * the lexical scorer re-ranks the candidates anyway.
 */
const RANKED_CANDIDATES = 500;

/**
 * The `limit` best of (at most RANKED_CANDIDATES) matches of a tsquery by `ts_rank`, with their
 * passage's columns: the documents and sources are read for those `limit` rows only. With `sample`,
 * the matches are looked for among the first `sample` searchable chunks, read in order (see
 * `anyTermMatches`); without, the full-text index gathers them.
 */
async function rankedMatches(
  db: Db,
  chatbot: RetrievalChatbot,
  tsquery: { match: string; rank: string },
  limit: number,
  sample?: number,
): Promise<RankedRow[]> {
  // The tsquery comes from a CTE, out of the planner's sight: it would otherwise guess from the
  // statistics, and a wrong guess on a large table reads every chunk.
  const matches =
    sample === undefined
      ? sql`SELECT c.id, c.search FROM ${FROM_CHUNKS}, q
          WHERE ${searchableChunks(chatbot)} AND c.search @@ q.query
          LIMIT ${RANKED_CANDIDATES}`
      : sql`SELECT m.id, m.search
          FROM (SELECT c.id, c.search FROM ${FROM_CHUNKS} WHERE ${searchableChunks(chatbot)} LIMIT ${sample}) m, q
          WHERE m.search @@ q.query
          LIMIT ${RANKED_CANDIDATES}`;
  const result = await db.execute(sql`
    WITH q AS (SELECT to_tsquery('simple', ${tsquery.match}) AS query, to_tsquery('simple', ${tsquery.rank}) AS ranking),
    matches AS (${matches}),
    best AS (
      SELECT m.id, ts_rank(m.search, q.ranking) AS rank FROM matches m, q
      ORDER BY rank DESC, m.id
      LIMIT ${limit}
    )
    SELECT ${PASSAGE_COLUMNS}, best.rank AS "tsRank"
    FROM best JOIN ${FROM_CHUNKS} ON c.id = best.id
    ORDER BY best.rank DESC, c.id`);
  return rowsOf<PassageRow & { tsRank: number | string }>(result).map((r) => ({ ...r, tsRank: Number(r.tsRank) }));
}

interface VectorSearch {
  rows: (PassageRow & { similarity: number })[];
  /** Null when the vector path ran. */
  note: string | null;
  failure: RetrievalFailure | null;
  embedMs: number;
  vectorMs: number;
}

async function searchVectors(
  db: Db,
  chatbot: RetrievalChatbot,
  question: string,
  options: RetrieveOptions & { candidates: number; threshold: number },
): Promise<VectorSearch> {
  const skipped = (note: string): VectorSearch => ({ rows: [], note, failure: null, embedMs: 0, vectorMs: 0 });
  const support = await vectorSupport(db);
  if (!support.available) return skipped("no pgvector: this database searches by full text only");
  const embedding = chatbot.retrievalSettings?.embedding;
  const active = chatbot.embeddingState?.active;
  if (!embedding && !active) return skipped("no embedding model is set for this chatbot");
  if (!active) return skipped("the chatbot's passages are still being embedded");
  if (!options.providers) return skipped("no provider access to embed the question");

  // The active key's setting: the current one when it is the active one, else the one stored with the state.
  const activeSetting =
    embedding && embeddingKey(embedding) === active.model ? embedding : chatbot.embeddingState?.activeSetting;
  if (!activeSetting) return skipped("the embedding model that computed the vectors is no longer configured");

  const embedStarted = performance.now();
  let vector: number[];
  try {
    const provider = await embeddingProvider(options.providers, chatbot.workspaceId, activeSetting);
    const result = await provider.embed([question], {
      model: activeSetting.model,
      ...(activeSetting.dimensions ? { dimensions: activeSetting.dimensions } : {}),
      // A reply waits for it: a slow provider falls back to full text rather than delaying the answer long.
      timeoutMs: 5_000,
    });
    vector = result.vectors[0] ?? [];
    if (vector.length !== active.dimensions) {
      throw new Error(`the question's vector has ${vector.length} dimensions, the stored ones ${active.dimensions}`);
    }
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return {
      ...skipped(`embedding the question failed, full text only: ${why}`),
      failure: failureOf(error, "question_embedding_failed", "Embedding the question", activeSetting),
      embedMs: ms(embedStarted),
    };
  }
  const embedMs = ms(embedStarted);

  const vectorStarted = performance.now();
  try {
    const rows = await nearestChunks(db, chatbot, active, vector, {
      k: options.candidates,
      threshold: options.threshold,
      iterativeScan: support.iterativeScan,
      exactScanBelow: options.exactScanBelow ?? EXACT_SCAN_BELOW,
    });
    return { rows, note: null, failure: null, embedMs, vectorMs: ms(vectorStarted) };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return {
      ...skipped(`the vector search failed, full text only: ${why}`),
      failure: failureOf(error, "vector_search_failed", "The vector search", activeSetting),
      embedMs,
      vectorMs: ms(vectorStarted),
    };
  }
}

/** A provider's error keeps its code (`provider_timeout`…); anything else gets `fallback`. */
function failureOf(
  error: unknown,
  fallback: string,
  what: string,
  setting: NonNullable<RetrievalSettings["embedding"]>,
): RetrievalFailure {
  // Only our own errors' messages are shown: a database error's may hold a query.
  const coded = error instanceof LlmError || error instanceof DomainError;
  return {
    code: coded ? error.code : fallback,
    message: `${what} failed; the answer used full text only${coded ? `: ${error.message}` : "."}`,
    provider: setting.provider,
    model: setting.model,
  };
}

/**
 * The k chunks nearest to `vector` among those the chatbot searches, with similarity ≥ threshold.
 *
 * HNSW filters after it walks the graph: with a plain index scan, a query for one chatbot whose
 * chunks are a small part of the table could get fewer than k rows back (the graph's neighbours
 * belong to other workspaces). So: few searchable chunks → filter first and compare them all (a
 * materialized CTE the index cannot serve; exact); many → the per-key HNSW index with pgvector 0.8's
 * `hnsw.iterative_scan = relaxed_order`, which keeps walking until k rows pass the filter (re-sorted
 * exactly afterwards). A pgvector without iterative scans always scans exactly.
 */
async function nearestChunks(
  db: Db,
  chatbot: RetrievalChatbot,
  active: { model: string; dimensions: number },
  vector: number[],
  options: { k: number; threshold: number; iterativeScan: boolean; exactScanBelow: number },
): Promise<(PassageRow & { similarity: number })[]> {
  const dims = Math.trunc(active.dimensions);
  const q = sql`${vectorLiteral(vector)}::vector(${sql.raw(String(dims))})`;
  const model = sql.raw(`'${active.model.replace(/'/g, "''")}'`);
  const distance = sql`(e.embedding::vector(${sql.raw(String(dims))}) <=> ${q})`;
  const maxDistance = 1 - options.threshold;

  let exact = !options.iterativeScan;
  if (!exact) {
    const counted = await db.execute(sql`
      SELECT count(*)::int AS n FROM (
        SELECT 1 FROM ${FROM_CHUNKS} WHERE ${searchableChunks(chatbot)} LIMIT ${options.exactScanBelow}
      ) visible`);
    exact = (rowsOf<{ n: number }>(counted)[0]?.n ?? 0) < options.exactScanBelow;
  }

  type Row = PassageRow & { distance: number | string };
  const read = (result: unknown) =>
    rowsOf<Row>(result)
      .map(({ distance: d, ...row }) => ({ ...row, similarity: 1 - Number(d) }))
      .filter((r) => r.similarity >= options.threshold - 1e-9);

  if (exact) {
    return read(
      await db.execute(sql`
        WITH visible AS MATERIALIZED (
          SELECT ${PASSAGE_COLUMNS}, ${distance} AS distance
          FROM ${FROM_CHUNKS} JOIN chunk_embedding e ON e.chunk_id = c.id AND e.model = ${model}
          WHERE ${searchableChunks(chatbot)}
        )
        SELECT * FROM visible WHERE distance <= ${maxDistance}
        ORDER BY distance, id LIMIT ${options.k}`),
    );
  }

  await ensureVectorIndex(db, active.model, dims);
  return db.transaction(async (tx) => {
    await tx.execute(sql`SET LOCAL hnsw.iterative_scan = relaxed_order`);
    await tx.execute(sql.raw(`SET LOCAL hnsw.ef_search = ${Math.max(40, options.k * 2)}`));
    const result = await tx.execute(sql`
      SELECT * FROM (
        SELECT ${PASSAGE_COLUMNS}, ${distance} AS distance
        FROM chunk_embedding e
          JOIN chunk c ON c.id = e.chunk_id
          JOIN document d ON d.id = c.document_id
          JOIN knowledge_source s ON s.id = c.source_id
        WHERE e.model = ${model} AND ${searchableChunks(chatbot)}
        ORDER BY ${distance}
        LIMIT ${options.k}
      ) nearest
      WHERE distance <= ${maxDistance}
      ORDER BY distance, id`);
    return read(result);
  });
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await fn();
  return { value, ms: ms(started) };
}

const ms = (started: number) => Math.round((performance.now() - started) * 10) / 10;
const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;
