/**
 * The fake embedding model behind the simulator's OpenAI and Gemini embedding endpoints. A simulator,
 * not a real model: deterministic, fast, offline, and good enough that vector similarity means
 * something in tests, the demo and the knowledge evaluation (`bench/knowledge/eval.ts`):
 *
 * - words are normalised (lowercase, NFKC, accents folded on Latin letters) and split with
 *   `Intl.Segmenter`, so Thai, Japanese and Chinese get words although they have no spaces;
 * - common words ("the", "how", "ครับ") are dropped;
 * - a Latin word gives its lightly stemmed form ("refunded" → "refund", "shipping" → "ship") and its
 *   character 4-grams and 3-grams (with word boundaries), so spelling variants and word families
 *   stay near; the shorter n-grams weigh less, as they are shared by more unrelated words;
 * - a word in an unspaced script gives itself and its character bigrams (segmenters disagree on
 *   word boundaries; bigrams still overlap);
 * - phrases of the concept table (`concepts.ts`: "money back", "คืนเงิน", "refund") add a shared
 *   concept feature, which is what lets a paraphrase or an English question meet a Thai passage;
 * - repeated features grow sublinearly (1 + ln n), so a long passage is not decided by one word.
 *
 * Features are hashed into `dimensions` buckets with a hashed sign (feature hashing) and the vector
 * is scaled to unit length, so the dot product of two vectors is their cosine similarity.
 */
import { CONCEPTS } from "./concepts.ts";

const STOP_WORDS = new Set(
  (
    "a an the and or but if of to in on at by for with from as into onto about over under than then so " +
    "is are was were be been being am do does did done have has had having will would shall should can " +
    "could may might must i me my mine we us our ours you your yours he him his she her it its they them " +
    "their this that these those there here what which who whom whose when where why how all any some " +
    "no not also just very too more most much many such own same other only again once please thanks " +
    "thank hi hello dear get got want need like know tell let make one yes ok okay " +
    "ครับ ค่ะ คะ คับ จ้า นะ ที่ และ ของ ใน ได้ ไหม มั้ย ไหมคะ ไหมครับ จะ เป็น มี ให้ การ ความ ก็ ว่า นี้ นั้น " +
    "หรือ กับ แล้ว ไป มา อยู่ คือ โดย ซึ่ง เพื่อ จาก ถ้า หาก ต้อง อย่างไร ยังไง อะไร ทำ ผม ฉัน ดิฉัน เรา คุณ หนู " +
    "です ます は が を に の で と も か"
  ).split(/\s+/),
);

/** Weights of one occurrence of each kind of feature (before the sublinear count and the unit norm). */
const WEIGHT = { word: 1, gram4: 0.3, gram3: 0.15, bigram: 0.45, concept: 2.2 } as const;

const LATIN_WORD = /^[\p{Script=Latin}\p{N}'’-]+$/u;
const UNSPACED =
  /[\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;
const NUMBER = /^\p{N}+$/u;

const segmenter = new Intl.Segmenter(undefined, { granularity: "word" });

/** Lowercase, compatibility forms unified, accents removed from Latin letters (Thai marks are kept). */
function normalise(text: string): string {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/\p{Script=Latin}/gu, (ch) => ch.normalize("NFKD").replace(/\p{M}/gu, ""));
}

/** A light English stemmer: enough to merge plurals and -ed/-ing forms, never a dictionary. */
function stem(word: string): string {
  let w = word.replace(/['’]s$/, "");
  if (w.length <= 3) return w;
  if (w.endsWith("ies") && w.length > 4) return `${w.slice(0, -3)}y`;
  if (/(ss|ch|sh|x|z)es$/.test(w)) return w.slice(0, -2);
  if (w.endsWith("s") && !/(ss|us|is)$/.test(w)) w = w.slice(0, -1);
  const suffix = /(ing|ed)$/.exec(w);
  if (suffix && w.length - suffix[0].length >= 3) {
    w = w.slice(0, -suffix[0].length);
    // shipp → ship, stopp → stop; but not "fill", "pass", "buzz"
    if (/([^aeiouls])\1$/.test(w)) w = w.slice(0, -1);
  }
  return w;
}

interface Word {
  text: string;
  latin: boolean;
}

function wordsOf(normalised: string): Word[] {
  const out: Word[] = [];
  for (const { segment, isWordLike } of segmenter.segment(normalised)) {
    if (!isWordLike || STOP_WORDS.has(segment)) continue;
    const latin = LATIN_WORD.test(segment);
    out.push({ text: latin ? stem(segment.replace(/['’-]/g, "")) : segment, latin });
  }
  return out;
}

/** Concept phrases, prepared once: Latin ones as stemmed word sequences, the others as substrings. */
const PHRASES = (() => {
  const latin = new Map<string, { words: string[]; concept: string }[]>();
  const substrings: { text: string; concept: string }[] = [];
  for (const [concept, phrases] of Object.entries(CONCEPTS)) {
    for (const phrase of phrases) {
      const text = normalise(phrase);
      if (UNSPACED.test(text)) {
        substrings.push({ text, concept });
        continue;
      }
      const words = (text.match(/[\p{L}\p{N}]+/gu) ?? []).map(stem);
      if (words.length === 0) continue;
      const list = latin.get(words[0]!) ?? [];
      list.push({ words, concept });
      latin.set(words[0]!, list);
    }
  }
  return { latin, substrings };
})();

/** Words a phrase may have between two of its own: "send back" matches "send the parcel back". */
const PHRASE_GAP = 2;

/** Whether `words` follow `tokens[start]` in order, each within PHRASE_GAP other tokens of the last. */
function phraseAt(tokens: readonly string[], start: number, words: readonly string[]): boolean {
  let at = start;
  for (const word of words.slice(1)) {
    const next = tokens.slice(at + 1, at + 2 + PHRASE_GAP).indexOf(word);
    if (next === -1) return false;
    at += next + 1;
  }
  return true;
}

/** The concepts a text mentions, once per mention. */
function conceptsOf(normalised: string): string[] {
  const found: string[] = [];
  // Phrases match the stemmed words in order, stop words included ("money back", "how much").
  const tokens = (normalised.match(/[\p{Script=Latin}\p{N}]+/gu) ?? []).map(stem);
  for (let i = 0; i < tokens.length; i++) {
    for (const { words, concept } of PHRASES.latin.get(tokens[i]!) ?? []) {
      if (phraseAt(tokens, i, words)) found.push(concept);
    }
  }
  for (const { text, concept } of PHRASES.substrings) {
    for (let at = normalised.indexOf(text); at !== -1; at = normalised.indexOf(text, at + text.length)) {
      found.push(concept);
    }
  }
  return found;
}

function features(text: string): Map<string, { weight: number; count: number }> {
  const normalised = normalise(text);
  const out = new Map<string, { weight: number; count: number }>();
  const add = (key: string, weight: number) => {
    const entry = out.get(key);
    if (entry) entry.count += 1;
    else out.set(key, { weight, count: 1 });
  };
  for (const word of wordsOf(normalised)) {
    add(`w:${word.text}`, WEIGHT.word);
    if (NUMBER.test(word.text)) continue;
    if (word.latin) {
      const bounded = `<${word.text}>`;
      for (let i = 0; i + 4 <= bounded.length; i++) add(`g:${bounded.slice(i, i + 4)}`, WEIGHT.gram4);
      for (let i = 0; i + 3 <= bounded.length; i++) add(`g:${bounded.slice(i, i + 3)}`, WEIGHT.gram3);
    } else {
      const chars = [...word.text];
      for (let i = 0; i + 2 <= chars.length; i++) add(`b:${chars[i]}${chars[i + 1]}`, WEIGHT.bigram);
    }
  }
  for (const concept of conceptsOf(normalised)) add(`c:${concept}`, WEIGHT.concept);
  return out;
}

/** FNV-1a, 32 bits, with a seed: two seeds give a bucket and an independent sign. */
function hash(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

/**
 * A unit vector of `dimensions` numbers for `text`. Texts about the same thing (shared words, word
 * families, concept-table synonyms in English or Thai) have a higher cosine similarity than unrelated
 * ones; a text with no features at all (punctuation only, empty) hashes as itself.
 */
export function embedText(text: string, dimensions: number): number[] {
  const vector = new Float64Array(dimensions);
  const found = features(text);
  if (found.size === 0) found.set(`raw:${text}`, { weight: 1, count: 1 });
  for (const [key, { weight, count }] of found) {
    const value = weight * (1 + Math.log(count));
    const index = hash(key, 0) % dimensions;
    vector[index]! += hash(key, 0x9e3779b9) & 1 ? value : -value;
  }
  let norm = 0;
  for (const v of vector) norm += v * v;
  norm = Math.sqrt(norm) || 1;
  return Array.from(vector, (v) => Number((v / norm).toFixed(6)));
}
