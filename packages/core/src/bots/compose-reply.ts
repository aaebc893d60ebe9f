/**
 * The middle of a bot reply, shared by the automatic reply job, "reply as bot" and AI drafts: read the
 * conversation, retrieve knowledge, build the prompt, call the chatbot's provider, and judge the
 * output with the guardrails. It writes nothing and holds no transaction — a provider call takes
 * seconds, and no row may stay locked (nor PGlite's single connection stay busy) meanwhile.
 */
import { createHash } from "node:crypto";
import { SUGGESTED_MODELS } from "@tandem/contracts";
import { type conversations, type Db, messages, type RetrievedSource } from "@tandem/db";
import { and, desc, eq } from "drizzle-orm";
import type { KnowledgeItem, LlmResult } from "../llm/types.ts";
import type { CredentialRow } from "../providers/provider-deps.ts";
import type { ChatbotRow } from "./chatbot-for.ts";
import { checkOutput, type OutputVerdict, type ResolvedGuardrails, resolveGuardrails } from "./guardrails.ts";
import { resolveMemorySettings } from "./memory.ts";
import { buildPrompt } from "./prompt.ts";
import { type ProviderResolutionDeps, providerForChatbot } from "./provider-for-chatbot.ts";
import { retrieveKnowledge } from "./retrieve-knowledge.ts";
import { translationFor } from "./translation-for.ts";

type ConversationRow = typeof conversations.$inferSelect;

/** What a reply reads of each recent message: enough for the prompt's turns and to answer the question. */
export const turnColumns = {
  id: messages.id,
  role: messages.role,
  kind: messages.kind,
  text: messages.text,
  status: messages.status,
  attachments: messages.attachments,
  createdAt: messages.createdAt,
};
export type TurnRow = { [K in keyof typeof turnColumns]: (typeof messages.$inferSelect)[K] };

export type ReplyVerdict =
  | OutputVerdict
  /** The offline provider found nothing good enough (its confidence under the chatbot's threshold). */
  | { action: "handoff"; reason: "low_confidence"; text: null };

export interface ComposedReply {
  result: LlmResult;
  verdict: ReplyVerdict;
  /** The knowledge the answer used: the item the offline provider answered from, or all the prompt carried. */
  sources: RetrievedSource[];
  promptVersionId: string | null;
  /**
   * The filled system prompt's fingerprint (sha256, 16 hex): the version names the template, this
   * the whole prompt — bot behaviour settings, knowledge and memory included — as sent.
   */
  promptHash: string;
  /** The customer message the reply answers (the latest one), if any. */
  question: TurnRow | null;
  promptTokens: number;
  droppedTurns: number;
}

export async function composeReply(
  deps: ProviderResolutionDeps,
  input: {
    conversation: Pick<ConversationRow, "id" | "summary">;
    chatbot: ChatbotRow;
    guardrails?: ResolvedGuardrails;
    /** The newest `recentMessageLimit(chatbot)` messages, oldest first, when the caller has read them. */
    recent?: TurnRow[];
    /** The provider credential of the chatbot's kind, when the caller has read it (null: none stored). */
    credential?: CredentialRow | null;
    /** The customer's locale: a translation of the chatbot for its language replaces the system prompt. */
    locale?: string | null | undefined;
    signal?: AbortSignal | undefined;
  },
): Promise<ComposedReply> {
  const { chatbot } = input;
  const guardrails = input.guardrails ?? resolveGuardrails(chatbot.guardrails);
  const memory = resolveMemorySettings(chatbot.memorySettings);

  // Resolved first: a missing credential fails before any work (and per reply, so a switch applies at once).
  const provider = await providerForChatbot(deps, chatbot, input.credential);
  const rows = input.recent ?? (await recentMessages(deps.db, input.conversation.id, recentMessageLimit(chatbot)));
  const question = rows.findLast((m) => m.role === "USER" && (m.kind === "text" || m.kind === "attachment")) ?? null;
  const [knowledge, translation] = await Promise.all([
    question?.text ? retrieveKnowledge(deps.db, chatbot, question.text) : [],
    input.locale ? translationFor(deps.db, chatbot.id, input.locale) : undefined,
  ]);
  const prompt = buildPrompt({
    template: translation?.systemPrompt || chatbot.systemPrompt,
    variables: chatbot.promptVariables,
    chatbotName: chatbot.name,
    knowledge,
    summary: input.conversation.summary,
    turns: rows,
    lastNMessages: memory.lastNMessages,
    tokenBudget: memory.maxPromptTokens,
  });

  const result = await provider.generate({
    model: modelOf(chatbot),
    temperature: chatbot.temperature,
    maxTokens: chatbot.maxTokens,
    timeoutMs: chatbot.timeoutMs,
    systemPrompt: prompt.systemPrompt,
    messages: prompt.messages,
    knowledge: prompt.knowledge,
    ...(input.signal ? { signal: input.signal } : {}),
  });

  let verdict: ReplyVerdict = checkOutput(result.text, guardrails, { finishReason: result.finishReason });
  if (result.confidence !== undefined && result.confidence < guardrails.confidenceThreshold) {
    verdict = { action: "handoff", reason: "low_confidence", text: null };
  }
  const used = result.sourceIds ? prompt.knowledge.filter((k) => result.sourceIds!.includes(k.id)) : prompt.knowledge;
  return {
    result,
    verdict,
    sources: used.map(toSource),
    promptVersionId: chatbot.currentPromptVersionId,
    promptHash: createHash("sha256").update(prompt.systemPrompt).digest("hex").slice(0, 16),
    question,
    promptTokens: prompt.estimatedTokens,
    droppedTurns: prompt.droppedTurns,
  };
}

/** How many of the newest messages a reply reads: the prompt's last N turns, with room for notes and events. */
export const recentMessageLimit = (chatbot: Pick<ChatbotRow, "memorySettings"> | undefined) =>
  resolveMemorySettings(chatbot?.memorySettings).lastNMessages * 2 + 10;

/** The chatbot's model, else the first suggestion for its provider. */
export const modelOf = (chatbot: Pick<ChatbotRow, "model" | "providerKind">) =>
  chatbot.model || SUGGESTED_MODELS[chatbot.providerKind][0]!;

/** The newest `limit` messages, oldest first. */
async function recentMessages(db: Db, conversationId: string, limit: number): Promise<TurnRow[]> {
  const rows = await db
    .select(turnColumns)
    .from(messages)
    .where(and(eq(messages.conversationId, conversationId)))
    .orderBy(desc(messages.createdAt), desc(messages.id))
    .limit(limit);
  return rows.reverse();
}

function toSource(item: KnowledgeItem): RetrievedSource {
  return {
    chunkId: item.id,
    ...(item.documentId ? { documentId: item.documentId } : {}),
    ...(item.sourceId ? { sourceId: item.sourceId } : {}),
    ...(item.title ? { title: item.title } : {}),
    score: item.score ?? 0,
  };
}
