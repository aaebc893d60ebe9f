/**
 * The offline "provider": no key, no network, deterministic. It answers from the chatbot's FAQ
 * entries when one matches the customer's text well enough, and otherwise asks for a human.
 *
 * Matching is a small lexical retrieval over question + answer:
 * - Latin-script words are lower-cased, stripped of accents and stop words, and stemmed with a light
 *   English suffix stripper ("shipping" → "ship", "policies" → "polici");
 * - other scripts — Thai, Japanese and Chinese have no spaces between words — become character
 *   bigrams, so "คุยกับพนักงาน" still overlaps "พนักงาน";
 * - each term is weighted by a BM25-style inverse document frequency over the FAQ, so words every
 *   entry shares ("order") count less than distinctive ones ("refund").
 *
 * The confidence (0–1) is mostly how much of the customer's text the entry covers (a term in the
 * entry's question counts fully, one only in its answer counts `ANSWER_WEIGHT`), and partly how
 * much of the entry's question the customer asked about.
 */
import type { FaqEntry } from "@tandem/db";
import { DEFAULT_CONFIDENCE_THRESHOLD } from "./guardrails.ts";

export interface OfflineAnswerOptions {
  /** Minimum confidence to answer; below it the conversation goes to a person. Default 0.35. */
  threshold?: number;
}

export interface OfflineAnswerSource {
  /** Position of the entry in the chatbot's FAQ list. */
  index: number;
  question: string;
  /** The entry's confidence, rounded to 3 decimals. */
  score: number;
}

export type OfflineAnswer =
  | { handoff: false; text: string; confidence: number; source: OfflineAnswerSource }
  | { handoff: true; reason: "low_confidence"; confidence: number };

/** A term found only in an entry's answer counts this much of one found in its question. */
const ANSWER_WEIGHT = 0.6;
/** Share of the confidence that comes from covering the customer's text (the rest: the FAQ question). */
const QUERY_COVERAGE_SHARE = 0.75;

const STOP_WORDS = new Set(
  (
    "a about also am an and any are as ask at be been being but by can could did do does doing for from get got " +
    "had has have hello hey hi how i i'd i'm if in into is it its just know let like me my need of ok okay on or " +
    "our please question so some tell than thank thanks that the their them then there these they this those to " +
    "us want wanted was we were what when where which who why will wish with wonder would you your yours"
  ).split(" "),
);

const LATIN_WORD = /^[\p{Script=Latin}\p{N}'’]+$/u;
const TOKEN = /[\p{L}\p{N}\p{M}'’]+/gu;

/** Terms of a text: stemmed Latin words, character bigrams for everything else. */
export function terms(text: string): string[] {
  const out: string[] = [];
  const normalized = text.normalize("NFKC").toLowerCase();
  for (const match of normalized.matchAll(TOKEN)) {
    const raw = match[0];
    const word = stemmedLatinWord(raw);
    if (word !== undefined) {
      if (word) out.push(word);
    } else {
      for (const run of scriptRuns(raw)) {
        const chars = [...run];
        if (chars.length === 1) out.push(chars[0]!);
        for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!);
      }
    }
  }
  return out;
}

/** The Latin words of a text, lowercased, without accents, apostrophes or stop words (unstemmed). */
export function latinWords(text: string): string[] {
  const out: string[] = [];
  for (const match of text.normalize("NFKC").toLowerCase().matchAll(TOKEN)) {
    const word = latinWord(match[0]);
    if (word) out.push(word);
  }
  return out;
}

/**
 * `stem(latinWord(token))`, remembered: passages repeat the same words, and scoring the 20 passages of
 * a retrieval reads thousands of them. Cleared when it grows past a bound.
 */
function stemmedLatinWord(token: string): string | undefined {
  let known = stemmedWords.get(token);
  if (known === undefined && !stemmedWords.has(token)) {
    const word = latinWord(token);
    known = word ? stem(word) : word;
    if (stemmedWords.size >= STEMMED_WORDS_KEPT) stemmedWords.clear();
    stemmedWords.set(token, known);
  }
  return known;
}
const stemmedWords = new Map<string, string | undefined>();
const STEMMED_WORDS_KEPT = 50_000;

/** A lowercase token as a Latin word: "" for a stop word, undefined when it is not Latin. */
function latinWord(token: string): string | undefined {
  const latin = token.normalize("NFD").replace(/\p{M}/gu, "").replace(/’/g, "'");
  if (!LATIN_WORD.test(latin)) return undefined;
  const word = latin.replace(/'s$/, "").replace(/'/g, "");
  return !word || STOP_WORDS.has(latin) || STOP_WORDS.has(word) ? "" : word;
}

/** Japanese mixes scripts within a word run: kanji, hiragana and katakana are split apart. */
function scriptRuns(text: string): string[] {
  // Most runs (Thai, Korean…) have none of those scripts: one test instead of three per character.
  if (!JAPANESE.test(text)) return [text];
  const runs: string[] = [];
  let current = "";
  let currentClass = "";
  for (const char of text) {
    const cls = /\p{Script=Han}/u.test(char)
      ? "han"
      : /\p{Script=Hiragana}/u.test(char)
        ? "hiragana"
        : /[\p{Script=Katakana}ー]/u.test(char)
          ? "katakana"
          : "other";
    if (cls !== currentClass && current && !/\p{M}/u.test(char)) {
      runs.push(current);
      current = "";
    }
    current += char;
    currentClass = cls;
  }
  if (current) runs.push(current);
  return runs;
}

const JAPANESE = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}ー]/u;

/** Hiragana is mostly grammar (particles, endings): its bigrams count for little. */
const termWeight = (term: string) => (HIRAGANA_ONLY.test(term) ? 0.25 : 1);
const HIRAGANA_ONLY = /^\p{Script=Hiragana}+$/u;

const VOWEL = /[aeiouy]/;
/** Suffix, replacement, and the shortest stem left after removing it. */
const SUFFIXES: [suffix: string, replacement: string, minStem: number][] = [
  ["ments", "", 3],
  ["ment", "", 3],
  ["ness", "", 3],
  ["ally", "al", 3],
  ["ly", "", 5],
];

/** A light English stemmer: plurals, -ed/-ing, a few derivational suffixes, final y → i. */
export function stem(word: string): string {
  let w = word;
  if (w.length <= 3 || /\d/.test(w)) return w;
  if (w.endsWith("sses")) w = w.slice(0, -2);
  else if (w.endsWith("ies")) w = `${w.slice(0, -3)}i`;
  else if (w.endsWith("s") && !w.endsWith("ss") && !w.endsWith("us") && !w.endsWith("is")) w = w.slice(0, -1);

  for (const suffix of ["ing", "ed"]) {
    if (w.endsWith(suffix) && w.length - suffix.length >= 3 && VOWEL.test(w.slice(0, -suffix.length))) {
      w = w.slice(0, -suffix.length);
      // shipp → ship, but keep "ll", "ss", "zz" (call, pass)
      if (/([^aeiouylsz])\1$/.test(w)) w = w.slice(0, -1);
      break;
    }
  }
  for (const [suffix, replacement, minStem] of SUFFIXES) {
    if (w.endsWith(suffix) && w.length - suffix.length >= minStem) {
      w = w.slice(0, -suffix.length) + replacement;
      break;
    }
  }
  if (w.length > 3 && w.endsWith("y") && !VOWEL.test(w.charAt(w.length - 2))) w = `${w.slice(0, -1)}i`;
  if (w.length > 4 && w.endsWith("e")) w = w.slice(0, -1);
  return w;
}

/**
 * The regular words `stem` turns into `stemmed` ("ship" → ship, ships, shipped, shipping, shipment;
 * "polici" → policy, policies; "pric" → price, priced, pricing), for an exact full-text query: a
 * prefix one ("ship:*") also matches unrelated words (shipyard) and costs the index far more. Starts
 * with `word`, the question's own spelling, when given. Inflections and -ment only (not -ly, -ness,
 * which the stemmer also removes): every form costs the index on each chunk it checks. A few forms are
 * not words ("shipe") and match nothing.
 */
export function wordForms(stemmed: string, word?: string): string[] {
  const last = stemmed.slice(-1);
  const endings = (base: string, list: string[]) => list.map((ending) => base + ending);
  const candidates =
    last === "i"
      ? [...endings(stemmed, ["es", "ed"]), ...endings(stemmed.slice(0, -1), ["y", "ying"])]
      : /[aeiouy]/.test(last)
        ? endings(stemmed, ["", "s", "e", "es", "ment", "ments"])
        : // The stemmer also drops a final e: pric → price, prices.
          endings(stemmed, ["", "s", "es", "ed", "ing", "ment", "ments", "e"]);
  // A doubled final consonant: shipped, shipping.
  if (stemmed.length <= 4 && /[aeiou][^aeiouwxy]$/.test(stemmed))
    candidates.push(...endings(stemmed + last, ["ed", "ing"]));
  const forms = new Set(word ? [word] : []);
  for (const form of candidates) if (stem(form) === stemmed) forms.add(form);
  return [...forms];
}

interface IndexedEntry {
  question: Set<string>;
  answer: Set<string>;
}

function idfTable(entries: IndexedEntry[]): (term: string) => number {
  const df = new Map<string, number>();
  for (const e of entries) for (const t of new Set([...e.question, ...e.answer])) df.set(t, (df.get(t) ?? 0) + 1);
  const n = entries.length;
  const idf = (count: number) => Math.log(1 + (n - count + 0.5) / (count + 0.5));
  // A word the FAQ never uses weighs as much as its rarest word, not more: one unknown word in a
  // long question should not sink an otherwise clear match.
  const unseen = idf(1);
  return (term) => {
    const count = df.get(term);
    return count ? idf(count) : unseen;
  };
}

function confidenceOf(query: Set<string>, entry: IndexedEntry, idf: (term: string) => number): number {
  let queryTotal = 0;
  let queryMatched = 0;
  for (const t of query) {
    const weight = idf(t) * termWeight(t);
    queryTotal += weight;
    if (entry.question.has(t)) queryMatched += weight;
    else if (entry.answer.has(t)) queryMatched += weight * ANSWER_WEIGHT;
  }
  let questionTotal = 0;
  let questionMatched = 0;
  for (const t of entry.question) {
    const weight = idf(t) * termWeight(t);
    questionTotal += weight;
    if (query.has(t)) questionMatched += weight;
  }
  if (queryTotal === 0) return 0;
  const queryCoverage = queryMatched / queryTotal;
  const questionCoverage = questionTotal === 0 ? 0 : questionMatched / questionTotal;
  return QUERY_COVERAGE_SHARE * queryCoverage + (1 - QUERY_COVERAGE_SHARE) * questionCoverage;
}

const round = (value: number) => Math.round(value * 1000) / 1000;

/**
 * The confidence (0–1) of each entry for `text`, in the entries' order. Entries are FAQ pairs, or
 * passages given as `{ question: passage, answer: title }` (see `bots/retrieve-knowledge.ts`).
 */
export function scoreEntries(entries: readonly { question: string; answer: string }[], text: string): number[] {
  const query = new Set(terms(text));
  const indexed = entries.map((e) => ({ question: new Set(terms(e.question)), answer: new Set(terms(e.answer)) }));
  if (query.size === 0) return indexed.map(() => 0);
  const idf = idfTable(indexed);
  return indexed.map((entry) => round(confidenceOf(query, entry, idf)));
}

/** The best FAQ answer for `text`, or a low-confidence handoff when none is good enough. */
export function offlineAnswer(
  faqEntries: readonly FaqEntry[],
  text: string,
  options: OfflineAnswerOptions = {},
): OfflineAnswer {
  const threshold = options.threshold ?? DEFAULT_CONFIDENCE_THRESHOLD;
  const scores = scoreEntries(faqEntries, text);
  let best = -1;
  let confidence = 0;
  scores.forEach((score, i) => {
    // Strictly greater: on a tie the earlier entry wins, so the answer is deterministic.
    if (score > confidence) {
      best = i;
      confidence = score;
    }
  });
  const entry = faqEntries[best];
  if (!entry || confidence < threshold) return { handoff: true, reason: "low_confidence", confidence };
  return {
    handoff: false,
    text: entry.answer,
    confidence,
    source: { index: best, question: entry.question, score: confidence },
  };
}
