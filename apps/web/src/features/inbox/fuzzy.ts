/**
 * A small fuzzy matcher for short labels (canned-response shortcuts and titles, teammates' names).
 * A query matches a text when its characters appear in the text in order; the rank prefers, in
 * this order, a text that starts with the query, a word of the text that starts with it, then any
 * subsequence, tighter ones first. Case and accents are ignored ("zoe" finds "Zoë").
 */

/** Match tiers: a higher tier always ranks first. */
const PREFIX = 3;
const WORD_START = 2;
const SUBSEQUENCE = 1;

const fold = (text: string) =>
  text
    .normalize("NFD")
    .replace(/\p{Mn}/gu, "")
    .toLowerCase();

/** Where each word starts: after a non-letter-or-digit, or at a lower→upper case change ("helloWorld"). */
function wordStarts(original: string, folded: string): Set<number> {
  const starts = new Set<number>([0]);
  for (let i = 1; i < folded.length; i++) {
    const prev = folded[i - 1] as string;
    const prevIsWord = /[\p{L}\p{N}]/u.test(prev);
    if (!prevIsWord && /[\p{L}\p{N}]/u.test(folded[i] as string)) starts.add(i);
    else if (
      original.length === folded.length &&
      /\p{Ll}/u.test(original[i - 1] as string) &&
      /\p{Lu}/u.test(original[i] as string)
    )
      starts.add(i);
  }
  return starts;
}

/**
 * The score of `query` against `text`, higher is better, or null when it does not match. An empty
 * query matches everything with score 0.
 */
export function fuzzyScore(query: string, text: string): number | null {
  const q = fold(query.trim());
  if (!q) return 0;
  const t = fold(text);
  if (t.startsWith(q)) return PREFIX * 1000 - (t.length - q.length) / 1000;
  const starts = wordStarts(text, t);
  for (const start of starts) {
    if (t.startsWith(q, start)) return WORD_START * 1000 - start;
  }
  // Greedy subsequence from each possible first character; keep the tightest span.
  let best: number | null = null;
  for (let first = t.indexOf(q[0] as string); first !== -1; first = t.indexOf(q[0] as string, first + 1)) {
    let at = first;
    let ok = true;
    for (let k = 1; k < q.length; k++) {
      at = t.indexOf(q[k] as string, at + 1);
      if (at === -1) {
        ok = false;
        break;
      }
    }
    if (!ok) break;
    const span = at - first + 1;
    if (best === null || span < best) best = span;
  }
  return best === null ? null : SUBSEQUENCE * 1000 - best;
}

/**
 * The items that match, best first. Each item is scored on each of its fields and keeps its best
 * score; an earlier field wins a tie (the shortcut before the title); equal scores keep the input order.
 */
export function fuzzyFilter<T>(items: readonly T[], query: string, fields: (item: T) => (string | null)[]): T[] {
  const scored: { item: T; score: number; index: number }[] = [];
  items.forEach((item, index) => {
    let best: number | null = null;
    fields(item).forEach((field, position) => {
      if (field == null) return;
      const score = fuzzyScore(query, field);
      // A tiny penalty per field position, so the shortcut outranks the title at the same tier and rank.
      if (score !== null && (best === null || score - position * 1e-6 > best)) best = score - position * 1e-6;
    });
    if (best !== null) scored.push({ item, score: best, index });
  });
  scored.sort((a, b) => b.score - a.score || a.index - b.index);
  return scored.map((entry) => entry.item);
}
