/**
 * Extra full-text terms of a chunk (`chunk.search_terms`, indexed with the content by the generated
 * `chunk.search` tsvector): its heading path, and the character bigrams of its Thai, Japanese and
 * Chinese runs. PostgreSQL's `simple` parser cannot split those scripts into words, and how it
 * tokenises them depends on the server's locale (PGlite and Debian's PostgreSQL differ), so each
 * bigram is written as an ASCII token, `u` + the hex code points (`พน` → `u0e1e0e19`): the same on
 * every server. A question is matched with the same tokens (`bigramQueryTerms`), so "พนักงาน" is found
 * inside "ขอคุยกับพนักงาน" by full text, not by a substring scan.
 */

/** Runs of scripts written without spaces between words. */
const UNSPACED_RUN =
  /[\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}ー]+/gu;
const HIRAGANA_ONLY = /^\p{Script=Hiragana}+$/u;

/** A bigram as its index token: `u` and each code point as 4+ hex digits. */
export function bigramToken(bigram: string): string {
  return `u${[...bigram].map((c) => c.codePointAt(0)!.toString(16).padStart(4, "0")).join("")}`;
}

/** The distinct character bigrams of the unspaced runs of a text, in order of first appearance. */
export function unspacedBigrams(text: string): string[] {
  const out = new Set<string>();
  for (const match of text.normalize("NFC").matchAll(UNSPACED_RUN)) {
    const chars = [...match[0]];
    if (chars.length === 1) continue;
    for (let i = 0; i + 1 < chars.length; i++) out.add(chars[i]! + chars[i + 1]!);
  }
  return [...out];
}

/** `chunk.search_terms` for a passage under a heading path. */
export function searchTermsOf(text: string, headingPath: readonly string[] = []): string {
  const parts = headingPath.map((h) => h.trim()).filter(Boolean);
  const tokens = unspacedBigrams(text).map(bigramToken);
  return [...parts, ...tokens].join(" ");
}

/**
 * The bigram tokens of a question, for `to_tsquery('simple', …)` over `chunk.search` (combine them
 * with `|` and rank, or `&` for a strict match): at most `limit`, runs of hiragana alone skipped
 * (particles such as "です" carry little meaning). Latin words are left to the ordinary query.
 */
export function bigramQueryTerms(question: string, limit = 32): string[] {
  const out: string[] = [];
  for (const match of question.normalize("NFC").matchAll(UNSPACED_RUN)) {
    if (HIRAGANA_ONLY.test(match[0])) continue;
    for (const bigram of unspacedBigrams(match[0])) {
      const token = bigramToken(bigram);
      if (!out.includes(token)) out.push(token);
      if (out.length >= limit) return out;
    }
  }
  return out;
}

/** The index tokens of a text's bigrams (what `searchTermsOf` writes, without the heading path). */
export function bigramTerms(text: string): string[] {
  return unspacedBigrams(text).map(bigramToken);
}
