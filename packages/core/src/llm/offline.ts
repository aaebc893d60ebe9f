/**
 * The offline provider: no key, no network, deterministic — the default of new workspaces and of the
 * demo. It does not read the prompt. The bot orchestration passes what it retrieved for the
 * customer's message in `LlmRequest.knowledge` (the chatbot's FAQ entries and the knowledge-base
 * passages found by PostgreSQL full-text search, each with its lexical score from
 * `bots/retrieve-knowledge.ts`); the provider answers from the best item when its score reaches the
 * threshold:
 * - an FAQ entry → its answer, verbatim;
 * - a passage → its sentences closest to the question (at most two), introduced by the document title.
 * A question that names one of the products the orchestration passes (`LlmRequest.products`, the
 * current rows) is answered from it instead: price and stock of the named variant, out of stock said
 * plainly with alternatives (`shopify/product-answer.ts`).
 * Otherwise it answers with the handoff marker alone and a low `confidence`, which the orchestration
 * turns into a `low_confidence` handoff. Items without a score are scored here with the same matcher.
 */

import { DEFAULT_CONFIDENCE_THRESHOLD } from "../bots/guardrails.ts";
import { scoreEntries } from "../bots/offline-answer.ts";
import { HANDOFF_MARKER } from "../bots/prompt.ts";
import { answerProductQuestion } from "../shopify/product-answer.ts";
import { type KnowledgeItem, LlmError, type LlmProvider, type LlmRequest, type LlmResult } from "./types.ts";

export const OFFLINE_MODEL = "offline-faq";

export interface OfflineProviderOptions {
  /** Minimum score (0–1) of the best item to answer; default 0.35 (the chatbot's `confidenceThreshold`). */
  threshold?: number | undefined;
}

const MAX_EXCERPT_CHARS = 600;

export function createOfflineProvider(options: OfflineProviderOptions = {}): LlmProvider {
  const threshold = options.threshold ?? DEFAULT_CONFIDENCE_THRESHOLD;

  const generate = async (request: LlmRequest): Promise<LlmResult> => {
    const started = performance.now();
    const question = [...request.messages].reverse().find((m) => m.role === "user")?.content ?? "";
    const items = request.knowledge ?? [];
    const scores = items.every((i) => typeof i.score === "number")
      ? items.map((i) => i.score!)
      : scoreEntries(items.map(asEntry), question);

    let best = -1;
    let confidence = 0;
    scores.forEach((score, i) => {
      if (score > confidence) {
        best = i;
        confidence = score;
      }
    });
    // A question naming a product is answered from the current product rows (price, stock, alternatives).
    const product = request.products?.length ? answerProductQuestion(request.products, question, confidence) : null;
    if (product && product.confidence >= threshold) {
      return {
        text: product.text,
        usage: { inputTokens: 0, outputTokens: 0 },
        finishReason: "stop",
        latencyMs: Math.round(performance.now() - started),
        provider: "OFFLINE",
        model: request.model || OFFLINE_MODEL,
        confidence: product.confidence,
        sourceIds: [],
      };
    }
    const item = items[best];
    const answer = item && confidence >= threshold ? render(item, question) : null;
    return {
      text: answer ?? HANDOFF_MARKER,
      usage: { inputTokens: 0, outputTokens: 0 },
      finishReason: "stop",
      latencyMs: Math.round(performance.now() - started),
      provider: "OFFLINE",
      model: request.model || OFFLINE_MODEL,
      confidence,
      sourceIds: answer && item ? [item.id] : [],
    };
  };

  return {
    kind: "OFFLINE",
    generate,
    async *stream(request) {
      const result = await generate(request);
      yield { type: "delta", text: result.text };
      yield { type: "done", result };
    },
    async embed() {
      throw new LlmError("provider_bad_request", "the offline provider has no embeddings", { provider: "OFFLINE" });
    },
  };
}

/** How the matcher sees an item: FAQ question / answer; a passage's text counts as fully as a question. */
export const asEntry = (item: KnowledgeItem) =>
  item.kind === "faq"
    ? { question: item.title ?? "", answer: item.content }
    : { question: item.content, answer: item.title ?? "" };

function render(item: KnowledgeItem, question: string): string {
  if (item.kind === "faq") return item.content;
  const excerpt = bestSentences(item.content, question);
  return item.title ? `From “${item.title}”: ${excerpt}` : excerpt;
}

/** The passage's two sentences closest to the question, in their original order. */
function bestSentences(content: string, question: string): string {
  const sentences = content
    .split(/(?<=[.!?。！？])\s+|\n+/u)
    .map((s) => s.trim())
    .filter(Boolean);
  if (sentences.length <= 2) return clip(sentences.join(" "));
  const scores = scoreEntries(
    sentences.map((s) => ({ question: s, answer: "" })),
    question,
  );
  const top = scores
    .map((score, i) => ({ score, i }))
    .sort((a, b) => b.score - a.score || a.i - b.i)
    .slice(0, 2)
    .sort((a, b) => a.i - b.i);
  return clip(top.map(({ i }) => sentences[i]).join(" "));
}

const clip = (text: string) => (text.length > MAX_EXCERPT_CHARS ? `${text.slice(0, MAX_EXCERPT_CHARS - 1)}…` : text);
