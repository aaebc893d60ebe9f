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
