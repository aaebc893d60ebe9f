/**
 * Retrieval for one bot reply: the chatbot's FAQ entries and the knowledge-base passages that match
 * the customer's message, scored together and best first. Passages come from PostgreSQL full-text
 * search over `chunk.search` (the `simple` configuration: prefixes of the stemmed words, OR-ed), and —
 * for Thai, Japanese, Chinese and other scripts without spaces, which that parser cannot split — from
 * a substring match on the message's character bigrams. Only chunks of this chatbot or of no chatbot
 * (the workspace's shared sources) are searched, and the chatbot's knowledge filters apply.
 *
 * Every candidate is then scored with the offline matcher (`scoreEntries`), one IDF table over all of
 * them, so an FAQ entry and a passage compete on the same 0–1 scale. The score decides what goes into
 * the prompt's `{knowledge}` block, what the offline provider answers from, and is recorded with the
 * reply's sources. Embedding search joins here when the knowledge-base issue computes embeddings.
 */
import { chunks, type Db, documents, type FaqEntry, type KnowledgeFilters, knowledgeSources } from "@tandem/db";
import { and, desc, eq, inArray, isNull, or, type SQL, sql } from "drizzle-orm";
import { asEntry } from "../llm/offline.ts";
import type { KnowledgeItem } from "../llm/types.ts";
import { scoreEntries, terms } from "./offline-answer.ts";

export interface RetrievalChatbot {
  id: string;
  workspaceId: string;
  faqEntries: readonly FaqEntry[];
  knowledgeFilters?: KnowledgeFilters | null;
}

export interface RetrieveOptions {
  /** Items returned, best first. Default 8. */
  limit?: number;
  /** Passages fetched from the database before scoring. Default 20. */
  candidates?: number;
}

const LATIN = /^[\p{Script=Latin}\p{N}]+$/u;
const HIRAGANA_ONLY = /^\p{Script=Hiragana}+$/u;

export async function retrieveKnowledge(
  db: Db,
  chatbot: RetrievalChatbot,
  question: string,
  options: RetrieveOptions = {},
): Promise<KnowledgeItem[]> {
  const faq: KnowledgeItem[] = chatbot.faqEntries.map((e, i) => ({
    id: `faq:${i}`,
    kind: "faq",
    title: e.question,
    content: e.answer,
  }));
  const passages = await searchPassages(db, chatbot, question, options.candidates ?? 20);
  const all = [...faq, ...passages];
  const scores = scoreEntries(all.map(asEntry), question);
  return all
    .map((item, i) => ({ item: { ...item, score: scores[i]! }, i }))
    .filter(({ item }) => item.score > 0)
    .sort((a, b) => b.item.score - a.item.score || a.i - b.i)
    .slice(0, options.limit ?? 8)
    .map(({ item }) => item);
}

/** The full-text query for a message: `ship:* | return:*` (prefixes of the stemmed words), or null. */
export function fullTextQuery(question: string): string | null {
  const prefixes = new Set<string>();
  for (const term of terms(question)) {
    if (!LATIN.test(term)) continue;
    // The light stemmer turns "policy" into "polici": search the common prefix of both.
    const prefix = term.length > 4 ? term.replace(/[ie]$/, "") : term;
    if (prefix.length >= 2) prefixes.add(prefix);
  }
  return prefixes.size ? [...prefixes].map((p) => `${p}:*`).join(" | ") : null;
}

/** Character bigrams of the message's unspaced scripts (hiragana-only ones carry little meaning). */
function bigramsOf(question: string): string[] {
  const out = new Set<string>();
  for (const term of terms(question)) {
    if (LATIN.test(term) || HIRAGANA_ONLY.test(term) || [...term].length < 2) continue;
    out.add(term);
    if (out.size >= 8) break;
  }
  return [...out];
}

async function searchPassages(
  db: Db,
  chatbot: RetrievalChatbot,
  question: string,
  limit: number,
): Promise<KnowledgeItem[]> {
  const tsquery = fullTextQuery(question);
  const bigrams = bigramsOf(question);
  if (!tsquery && bigrams.length === 0) return [];

  const query = tsquery ? sql`to_tsquery('simple', ${tsquery})` : null;
  const matches: SQL[] = [];
  if (query) matches.push(sql`${chunks.search} @@ ${query}`);
  for (const bigram of bigrams) matches.push(sql`strpos(${chunks.content}, ${bigram}) > 0`);

  const filters = chatbot.knowledgeFilters ?? {};
  const rows = await db
    .select({
      id: chunks.id,
      content: chunks.content,
      documentId: chunks.documentId,
      sourceId: chunks.sourceId,
      title: documents.title,
    })
    .from(chunks)
    .innerJoin(documents, eq(documents.id, chunks.documentId))
    .innerJoin(knowledgeSources, eq(knowledgeSources.id, chunks.sourceId))
    .where(
      and(
        eq(chunks.workspaceId, chatbot.workspaceId),
        or(eq(chunks.chatbotId, chatbot.id), isNull(chunks.chatbotId)),
        isNull(documents.deletedAt),
        isNull(knowledgeSources.deletedAt),
        filters.sourceIds?.length ? inArray(chunks.sourceId, filters.sourceIds) : undefined,
        filters.types?.length ? inArray(knowledgeSources.type, filters.types as never[]) : undefined,
        filters.categories?.length
          ? inArray(sql`coalesce(${documents.category}, ${knowledgeSources.category})`, filters.categories)
          : undefined,
        filters.documentTypes?.length ? inArray(documents.documentType, filters.documentTypes) : undefined,
        or(...matches),
      ),
    )
    .orderBy(...(query ? [desc(sql`ts_rank(${chunks.search}, ${query})`)] : []), chunks.id)
    .limit(limit);
  return rows.map((r) => ({
    id: r.id,
    kind: "passage",
    title: r.title,
    content: r.content,
    documentId: r.documentId,
    sourceId: r.sourceId,
  }));
}
