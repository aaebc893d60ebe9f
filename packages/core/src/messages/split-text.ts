/**
 * Splits a long reply into parts a platform accepts (Messenger: 2000 characters). Each cut falls on a
 * sentence boundary where one fits, else on a word boundary, else between two graphemes — never inside
 * an emoji or a combining sequence. Boundaries come from `Intl.Segmenter` (ICU), which knows scripts
 * written without spaces: Thai and Lao words by dictionary, Japanese and Chinese sentences by `。！？`.
 * Lengths are counted in code points, as the platforms count them. The same text always gives the
 * same parts, so a retried send can skip the parts that already went out.
 */
const sentences = new Intl.Segmenter(undefined, { granularity: "sentence" });
const words = new Intl.Segmenter(undefined, { granularity: "word" });
const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

export function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

export function splitText(text: string, maxLength: number): string[] {
  if (!Number.isInteger(maxLength) || maxLength < 1) throw new Error("maxLength must be a positive integer");
  const trimmed = text.trim();
  if (trimmed === "") return [];
  if (codePointLength(trimmed) <= maxLength) return [trimmed];
  return pack(trimmed, maxLength, [sentences, words, graphemes])
    .map((part) => part.trim())
    .filter(Boolean);
}

/**
 * Greedy packing of the segments of the first segmenter; a segment too long is split with the next ones.
 * Parts keep their whitespace (the caller trims them), so text joined after a split segment stays intact.
 */
function pack(text: string, max: number, segmenters: Intl.Segmenter[]): string[] {
  const [segmenter, ...finer] = segmenters;
  const parts: string[] = [];
  let current = "";
  const flush = () => {
    if (current.trim()) parts.push(current);
    current = "";
  };
  for (const { segment } of segmenter!.segment(text)) {
    if (codePointLength((current + segment).trim()) <= max) {
      current += segment;
      continue;
    }
    flush();
    if (codePointLength(segment.trim()) <= max) {
      current = segment;
    } else if (finer.length > 0) {
      // The pieces of an oversized segment are packed on their own; the last one may take more text.
      const pieces = pack(segment, max, finer);
      current = pieces.pop() ?? "";
      parts.push(...pieces);
    } else {
      // Only reached for a single grapheme longer than the limit (absurd limits): cut by code points.
      const chars = [...segment];
      for (let i = 0; i < chars.length; i += max) parts.push(chars.slice(i, i + max).join(""));
    }
  }
  flush();
  return parts;
}
