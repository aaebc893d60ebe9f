import type {
  PlaygroundAnswer,
  PlaygroundEffectiveConfig,
  PlaygroundHandoff,
  PlaygroundSource,
} from "@tandem/contracts";
import type { ComposedReply } from "../../bots/compose-reply.ts";
import { llmErrorToDomain } from "../../bots/draft-bot-reply.ts";
import { handoffNote } from "../../bots/guardrails.ts";
import { DomainError } from "../../errors.ts";
import type { KnowledgeItem } from "../../llm/types.ts";
import { LlmError } from "../../llm/types.ts";

export type PlaygroundAnswerBody = Omit<PlaygroundAnswer, "messageId">;

/**
 * What the live bot would do with a composed reply, told to the tester: the text the customer would
 * receive after the output guardrails (`response`, "" when nothing would be sent), the product cards
 * it would carry, and the handoff that would follow, with the model's withheld text.
 */
export function answerOf(composed: ComposedReply, config: PlaygroundEffectiveConfig): PlaygroundAnswerBody {
  const { verdict, result } = composed;
  const response = verdict.action === "send" ? verdict.text : "text" in verdict ? (verdict.text ?? "") : "";
  const handoff: PlaygroundHandoff | null =
    verdict.action === "handoff"
      ? {
          reason: verdict.reason,
          note: handoffNote(verdict.reason),
          withheld: "withheld" in verdict ? verdict.withheld : null,
        }
      : null;
  return {
    response,
    sources: composed.knowledge.map(toSource),
    // The live reply's own cards (`judgeReply`), which go with its text: none when no text would be sent.
    products: response ? composed.productCards : [],
    usage: {
      promptTokens: result.usage.inputTokens,
      completionTokens: result.usage.outputTokens,
      totalTokens: result.usage.inputTokens + result.usage.outputTokens,
      vectorSearchTime: composed.retrievalMs,
      llmResponseTime: result.latencyMs,
    },
    handoff,
    config: { ...config, model: result.model || config.model },
  };
}

/**
 * A handoff without an answer to judge: the customer asked for a person (the live bot hands off before
 * any provider call), or the provider's content filter withheld the answer (the live job hands off too).
 */
export function handoffAnswer(
  reason: "human_requested" | "content_filtered",
  config: PlaygroundEffectiveConfig,
): PlaygroundAnswerBody {
  return {
    response: "",
    sources: [],
    products: [],
    usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0, vectorSearchTime: 0, llmResponseTime: 0 },
    handoff: { reason, note: handoffNote(reason), withheld: null },
    config,
  };
}

const toSource = (item: KnowledgeItem): PlaygroundSource => ({
  documentId: item.documentId ?? null,
  chunkId: item.id,
  content: item.content,
  similarity: item.score ?? 0,
  metadata: {
    kind: item.kind,
    title: item.title ?? null,
    sourceId: item.sourceId ?? null,
    fullTextRank: item.fullTextRank ?? null,
    vectorSimilarity: item.vectorSimilarity ?? null,
    fusedScore: item.fusedScore ?? null,
  },
});

/** The provider's content filter withheld the answer: a verdict on the answer, not an outage. */
export const isContentFiltered = (error: unknown) => error instanceof LlmError && error.code === "content_filtered";

/** A failure as the playground reports it: provider failures with their normalised code, domain errors as they are. */
export type PlaygroundFailure = { code: string; message: string; details?: unknown };

/**
 * Provider failures become their normalised code (the HTTP route answers 502), domain errors stay as
 * they are; null for anything else — a bug, which the caller logs and reports without its message.
 */
export function knownFailure(error: unknown): DomainError | null {
  if (error instanceof DomainError) return error;
  if (error instanceof LlmError) return llmErrorToDomain(error);
  return null;
}

/** The failure as a stream's `error` event or a compare slot carries it: an unexpected one without its message. */
export function failureOf(error: unknown): PlaygroundFailure {
  const known = knownFailure(error);
  if (!known)
    return { code: "internal_error", message: "Something went wrong while answering. The server log has the details." };
  return {
    code: known.code,
    message: known.message,
    ...(known.details === undefined ? {} : { details: known.details }),
  };
}
