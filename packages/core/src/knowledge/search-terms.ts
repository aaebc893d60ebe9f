/**
 * Character bigrams of the scripts written without spaces (Thai, Chinese, Japanese…), which
 * PostgreSQL's `simple` parser cannot split into words. Ingest writes them into `chunk.search_terms`
 * (so they land in the `chunk.search` tsvector, served by its GIN index) and retrieval searches them
 * with a tsquery of the question's bigrams: both sides use `bigramTerms`, so they always agree.
 */
import { terms } from "../bots/offline-answer.ts";

const LATIN = /^[\p{Script=Latin}\p{N}]+$/u;
const HIRAGANA_ONLY = /^\p{Script=Hiragana}+$/u;

/** Every character bigram of the unspaced scripts of `text` (NFKC, lower case), in order, repeats kept. */
export function bigramTerms(text: string): string[] {
  return terms(text).filter((term) => !LATIN.test(term) && [...term].length === 2);
}

/** The bigrams a question searches: distinct, without hiragana-only ones (particles carry little meaning). */
export function bigramQueryTerms(question: string, max = 16): string[] {
  const out = new Set<string>();
  for (const term of bigramTerms(question)) {
    if (HIRAGANA_ONLY.test(term)) continue;
    out.add(term);
    if (out.size >= max) break;
  }
  return [...out];
}

/** A tsquery (`'ab' | 'cd'`) matching any of the bigrams, quoted so no character is read as syntax. */
export function bigramTsquery(bigrams: readonly string[]): string | null {
  if (bigrams.length === 0) return null;
  return bigrams.map((b) => `'${b.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`).join(" | ");
}
