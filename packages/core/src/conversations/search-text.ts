/**
 * The query side of inbox search over message text. `message.search` holds the words of the text
 * folded (lower case, accents removed: `tandem_fold`) and the character bigrams of its runs of
 * Thai, Japanese and Chinese, which have no spaces to split words at (`tandem_search_vector`,
 * migration 0013). A search asks for every folded word of its spaced part and every bigram of each
 * unspaced run, then rechecks that each run occurs as written ("พนักงาน" is found inside
 * "ขอคุยกับพนักงาน", not in text that merely holds the same bigrams apart).
 *
 * The same folding runs here for the highlights, one character to one character, so positions in
 * the folded text are positions in the original.
 */
import { messages } from "@tandem/db";
import { type SQL, sql } from "drizzle-orm";

/** Kept equal to the `translate()` table of `tandem_fold` in migration 0013 (a test compares them). */
export const FOLD_FROM =
  "ÀÁÂÃÄÅàáâãäåĀāĂăĄąÇçĆćĈĉĊċČčĎďĐđÈÉÊËèéêëĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĦħÌÍÎÏìíîïĨĩĪīĬĭĮįİıĴĵĶķĹĺĻļĽľĿŀŁłÑñŃńŅņŇňÒÓÔÕÖØòóôõöøŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŦŧÙÚÛÜùúûüŨũŪūŬŭŮůŰűŲųŴŵÝýÿŸŶŷŹźŻżŽž";
export const FOLD_TO =
  "aaaaaaaaaaaaaaaaaaccccccccccddddeeeeeeeeeeeeeeeeeegggggggghhhhiiiiiiiiiiiiiiiiiijjkkllllllllllnnnnnnnnoooooooooooooooooorrrrrrssssssssttttttuuuuuuuuuuuuuuuuuuuuwwyyyyyyzzzzzz";

const FOLD = new Map([...FOLD_FROM].map((ch, i) => [ch, FOLD_TO[i]!]));

/** Scripts written without spaces: Thai, Lao, Myanmar, Khmer, kana, CJK ideographs (as `tandem_unspaced`). */
const UNSPACED = /[\u0E00-\u0EFF\u1000-\u109F\u1780-\u17FF\u3040-\u30FF\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF]+/gu;
const WORD = /[\p{L}\p{N}]/u;

/** Text to search with LIKE as written: `%`, `_` and `\` escaped. */
export const escapeLike = (text: string) => text.replace(/[\\%_]/g, (ch) => `\\${ch}`);

/** One character folded: the table, else lower case when that stays one character. */
function foldChar(ch: string): string {
  const mapped = FOLD.get(ch);
  if (mapped) return mapped;
  const lower = ch.toLowerCase();
  return [...lower].length === 1 ? lower : ch;
}

/** Lower case without accents, character for character (the same length in code points). */
export function foldText(text: string): string {
  let out = "";
  for (const ch of text) out += foldChar(ch);
  return out;
}

export interface ParsedSearch {
  /** The folded text outside the unspaced runs (words the `simple` parser splits). */
  spaced: string;
  /** The folded runs of Thai, Japanese or Chinese, each searched as written. */
  runs: string[];
}

export function parseSearch(search: string): ParsedSearch {
  const folded = foldText(search.trim());
  const runs = [...new Set(folded.match(UNSPACED) ?? [])];
  return { spaced: folded.replace(UNSPACED, " ").trim(), runs };
}

/** A tsquery lexeme, quoted for the `tsquery` input syntax (not the parser: bigrams stay whole). */
const lexeme = (text: string) => `'${text.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;

function bigrams(run: string): string[] {
  const chars = [...run];
  const out = new Set<string>();
  for (let i = 0; i + 1 < chars.length; i++) out.add(chars[i]! + chars[i + 1]!);
  return [...out];
}

/**
 * The condition "this message contains the search": the GIN-served `message.search @@ query`, and for
 * each unspaced run a recheck that it occurs as written. Null when the search has nothing to look for
 * in text (punctuation only).
 */
export function messageTextMatch(search: string): SQL | null {
  const { spaced, runs } = parseSearch(search);
  const queries: SQL[] = [];
  if (WORD.test(spaced)) queries.push(sql`plainto_tsquery('simple', ${spaced})`);
  for (const run of runs) {
    const pairs = bigrams(run);
    // One character (花) has no bigram: the bigrams that start with it narrow the candidates.
    const literal = pairs.length > 0 ? pairs.map(lexeme).join(" & ") : `${lexeme(run)}:*`;
    queries.push(sql`${literal}::tsquery`);
  }
  if (queries.length === 0) return null;
  const query = sql.join(queries, sql` && `);
  const rechecks = runs.map((run) => sql` and strpos(tandem_fold(${messages.text}), ${run}) > 0`);
  return sql`(${messages.search} @@ (${query})${sql.join(rechecks)})`;
}

export interface Highlighted {
  /** The part of the text around the first match (the whole text when short), with "…" where cut. */
  snippet: string;
  /** Matches in `snippet`: [start, end) offsets in UTF-16 code units, sorted, not overlapping. */
  highlights: [number, number][];
}

const SNIPPET_LENGTH = 140;
const SNIPPET_LEAD = 40;

/**
 * Where a search's words and runs occur in a message's text, for the result row: words match at the
 * start of a word of the text (as the `simple` parser splits it, prefixes included), runs anywhere.
 */
export function highlightMatches(text: string, search: string): Highlighted {
  const { spaced, runs } = parseSearch(search);
  const chars = [...text];
  const folded = chars.map(foldChar);
  const needles = [...new Set([...spaced.split(/[^\p{L}\p{N}]+/u).filter(Boolean), ...runs])];
  const ranges: [number, number][] = [];
  for (const needle of needles) {
    const n = [...needle];
    const isRun = runs.includes(needle);
    for (let i = 0; i + n.length <= folded.length; i++) {
      if (!isRun && i > 0 && WORD.test(folded[i - 1]!)) continue;
      if (n.every((c, k) => folded[i + k] === c)) ranges.push([i, i + n.length]);
    }
  }
  ranges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const merged: [number, number][] = [];
  for (const r of ranges) {
    const last = merged.at(-1);
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  // The window, in code points, then converted to UTF-16 offsets for the browser.
  let start = 0;
  let end = chars.length;
  if (chars.length > SNIPPET_LENGTH) {
    start = Math.max(0, Math.min((merged[0]?.[0] ?? 0) - SNIPPET_LEAD, chars.length - SNIPPET_LENGTH));
    end = start + SNIPPET_LENGTH;
  }
  const prefix = start > 0 ? "…" : "";
  const offsets: number[] = [prefix.length];
  for (let i = start; i < end; i++) offsets.push(offsets.at(-1)! + chars[i]!.length);
  const snippet = prefix + chars.slice(start, end).join("") + (end < chars.length ? "…" : "");
  const highlights = merged
    .filter(([a, b]) => a >= start && b <= end)
    .map(([a, b]) => [offsets[a - start]!, offsets[b - start]!] as [number, number]);
  return { snippet, highlights };
}
