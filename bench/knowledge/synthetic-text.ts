/**
 * Realistic text for the knowledge benches, made from the sentences of the evaluation set's English
 * documents (`eval/documents`) shuffled by a seeded generator, so every run writes the same text.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const DOCUMENTS = path.join(path.dirname(fileURLToPath(import.meta.url)), "eval", "documents");

/** Mulberry32: a small seeded generator; `random()` is in [0, 1). */
export function seededRandom(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The sentences of the English documents (markup removed), plain ASCII where a PDF's base font needs it. */
export function englishSentences(): string[] {
  const text = ["shipping-and-returns.md", "kiln-grind-2-manual.txt", "account-and-billing.html"]
    .map((name) => readFileSync(path.join(DOCUMENTS, name), "utf8"))
    .join("\n")
    .replace(/<[^>]+>/g, " ")
    .replace(/&amp;/g, "&")
    .replace(/[#*`]/g, "")
    .replace(/[–—]/g, "-")
    .replace(/→/g, ">")
    .replace(/[’]/g, "'")
    .replace(/[^\x20-\x7e\n]/g, "");
  return text
    .split(/(?<=[.!?])\s+|\n\s*\n/)
    .map((s) => s.replace(/\s+/g, " ").trim())
    .filter((s) => s.length > 30 && /[a-z]/.test(s));
}

/** `count` sentences drawn from `sentences` with `random`, joined with spaces. */
export function paragraph(sentences: readonly string[], random: () => number, count: number): string {
  return Array.from({ length: count }, () => sentences[Math.floor(random() * sentences.length)]).join(" ");
}

/**
 * Text whose words are spread as in a large real knowledge base (Zipf's law: a few words in most
 * passages, most words in few), for `retrieval.ts`'s `BENCH_CORPUS=zipf`. The vocabulary is the
 * English documents' own words plus generated ones (30,000 in all), stop words the most frequent,
 * the rest in a seeded random order of frequency (the frequency of rank r ∝ 1/r). Each document has
 * a topic, 200 words of its own: half of its words are drawn from the topic, half from the whole
 * vocabulary. `sentences(document, count)` writes `count` sentences of 6 to 20 words.
 */
export function zipfText(random: () => number) {
  const own = [
    ...new Set(
      englishSentences()
        .join(" ")
        .toLowerCase()
        .match(/[a-z]+/g) ?? [],
    ),
  ];
  const stop = own.filter((w) => STOP.has(w));
  const rest = own.filter((w) => !STOP.has(w));
  const generated = new Set<string>();
  const syllable = () =>
    CONSONANTS[Math.floor(random() * CONSONANTS.length)]! + VOWELS[Math.floor(random() * VOWELS.length)]!;
  while (rest.length + generated.size < VOCABULARY - stop.length) {
    const word = Array.from({ length: 2 + Math.floor(random() * 3) }, syllable).join("");
    if (!own.includes(word)) generated.add(word);
  }
  const ranked = [...rest, ...generated].map((w) => ({ w, key: random() })).sort((a, b) => a.key - b.key);
  const vocabulary = [...stop, ...ranked.map(({ w }) => w)];
  // Cumulative 1/r weights, searched by bisection.
  const cumulative: number[] = [];
  let total = 0;
  for (let r = 1; r <= vocabulary.length; r++) {
    total += 1 / r;
    cumulative.push(total);
  }
  const zipfWord = () => {
    const x = random() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return vocabulary[lo]!;
  };
  const topics = new Map<number, string[]>();
  const topicOf = (document: number) => {
    let topic = topics.get(document);
    if (!topic) {
      topic = Array.from(
        { length: 200 },
        () => vocabulary[stop.length + Math.floor(random() * (vocabulary.length - stop.length))]!,
      );
      topics.set(document, topic);
    }
    return topic;
  };
  return {
    sentences(document: number, count: number): string {
      const topic = topicOf(document);
      return Array.from({ length: count }, () => {
        const words = Array.from({ length: 6 + Math.floor(random() * 15) }, () =>
          random() < 0.5 ? topic[Math.floor(random() * topic.length)]! : zipfWord(),
        );
        const sentence = words.join(" ");
        return `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}.`;
      }).join(" ");
    },
  };
}

const VOCABULARY = 30_000;
const CONSONANTS = "bcdfghklmnprstvz";
const VOWELS = "aeiou";
const STOP = new Set(
  "the a an and or of to in on for with is are be it this that you your we our can will at by from as if not".split(
    " ",
  ),
);
