/**
 * The middle of a bot reply, shared by the automatic reply job, "reply as bot", AI drafts and the
 * playground: read the conversation, retrieve knowledge, build the prompt (`prepareReply`), call the
 * chatbot's provider (`generate`, or `stream` in the playground), and judge the output with the
 * guardrails (`judgeReply`). It writes nothing and holds no transaction — a provider call takes
 * seconds, and no row may stay locked (nor PGlite's single connection stay busy) meanwhile.
 */
import { createHash } from "node:crypto";
import { SUGGESTED_MODELS } from "@tandem/contracts";
import { channels, conversations, type Db, type MessageProductCard, messages, type RetrievedSource } from "@tandem/db";
import { and, desc, eq } from "drizzle-orm";
import { facebookMetadataOf } from "../channels/messenger/facebook-metadata.ts";
import { observedProvider } from "../llm/observed-provider.ts";
import type { KnowledgeItem, LlmProvider, LlmRequest, LlmResult } from "../llm/types.ts";
import type { CredentialRow } from "../providers/provider-deps.ts";
import { formatStore, selectProductCards } from "../shopify/product-facts.ts";
import { productsForQuestion } from "../shopify/products-for-question.ts";
import type { ChatbotRow } from "./chatbot-for.ts";
import { checkOutput, type OutputVerdict, type ResolvedGuardrails, resolveGuardrails } from "./guardrails.ts";
import { resolveMemorySettings } from "./memory.ts";
import { type BuiltPrompt, buildPrompt } from "./prompt.ts";
import { type ProviderResolutionDeps, providerForChatbot } from "./provider-for-chatbot.ts";
import { type Retrieval, type RetrievalFailure, retrieve } from "./retrieve-knowledge.ts";
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
  /** The same knowledge as retrieved, with its text (`sources` is what a message records). */
  knowledge: KnowledgeItem[];
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
  /** Time spent retrieving knowledge, ms. */
  retrievalMs: number;
  /** The products the reply recommends (mentions), as cards; empty when none. */
  productCards: MessageProductCard[];
  /** The vector path failed and the answer used full text only (recorded for the chatbot's health). */
  retrievalFailure: RetrievalFailure | null;
}

export interface ComposeInput {
  conversation: Pick<ConversationRow, "id" | "summary">;
  chatbot: ChatbotRow;
  guardrails?: ResolvedGuardrails;
  /** The newest `recentMessageLimit(chatbot)` messages, oldest first, when the caller has read them. */
  recent?: TurnRow[];
  /** The provider credential of the chatbot's kind, when the caller has read it (null: none stored). */
  credential?: CredentialRow | null;
  /** The customer's locale: a translation of the chatbot for its language replaces the system prompt. */
  locale?: string | null | undefined;
  /**
   * The conversation's channel (its type and config: `{facebook_metadata}`), when the caller has read
   * it; null for none (the playground). Omitted: read here from the conversation.
   */
  channel?: { type: string; config: Record<string, unknown> } | null;
  signal?: AbortSignal | undefined;
}

/** Everything before the provider call: the provider, the request to send it and what judging needs. */
export interface PreparedReply {
  /** Observed (`observedProvider`): its generations, whole or streamed, count in the LLM metrics. */
  provider: LlmProvider;
  request: LlmRequest;
  guardrails: ResolvedGuardrails;
  prompt: BuiltPrompt;
  promptVersionId: string | null;
  question: TurnRow | null;
  /** Time spent retrieving knowledge, ms. */
  retrievalMs: number;
  retrievalFailure: RetrievalFailure | null;
}

/** The whole composition: prepare, `generate`, judge. Callers that stream use the three steps themselves. */
export async function composeReply(deps: ProviderResolutionDeps, input: ComposeInput): Promise<ComposedReply> {
  const prepared = await prepareReply(deps, input);
  return judgeReply(prepared, await prepared.provider.generate(prepared.request));
}

/** Provider, knowledge and prompt for the conversation's latest customer message; reads only. */
export async function prepareReply(deps: ProviderResolutionDeps, input: ComposeInput): Promise<PreparedReply> {
  const { chatbot } = input;
  const guardrails = input.guardrails ?? resolveGuardrails(chatbot.guardrails);
  const memory = resolveMemorySettings(chatbot.memorySettings);

  // Resolved first: a missing credential fails before any work (and per reply, so a switch applies at once).
  const provider = observedProvider(await providerForChatbot(deps, chatbot, input.credential));
  const rows = input.recent ?? (await recentTurns(deps.db, input.conversation.id, recentMessageLimit(chatbot)));
  const question = rows.findLast((m) => m.role === "USER" && (m.kind === "text" || m.kind === "attachment")) ?? null;
  const retrievalStarted = performance.now();
  const [retrieval, translation, channel] = await Promise.all([
    question?.text ? retrieve(deps.db, chatbot, question.text, { providers: deps }) : null,
    input.locale ? translationFor(deps.db, chatbot.id, input.locale) : undefined,
    input.channel !== undefined ? input.channel : channelOf(deps.db, input.conversation.id),
  ]);
  // The products the question is about, read fresh (prices and stock are never taken from passages).
  const retrieved: Retrieval["items"] = retrieval?.items ?? [];
  const sales = await productsForQuestion(deps.db, chatbot, question?.text ?? "", retrieved);
  const retrievalMs = Math.round(performance.now() - retrievalStarted);
  const prompt = buildPrompt({
    template: translation?.systemPrompt || chatbot.systemPrompt,
    variables: chatbot.promptVariables,
    chatbotName: chatbot.name,
    knowledge: retrieved,
    summary: input.conversation.summary,
    turns: rows,
    lastNMessages: memory.lastNMessages,
    tokenBudget: memory.maxPromptTokens,
    shopifyMetadata: sales.stores.map(formatStore).join("\n\n"),
    products: sales.products,
    documentProducts: sales.documentProducts,
    facebookMetadata: facebookMetadataOf(channel),
  });
  const request: LlmRequest = {
    model: modelOf(chatbot),
    temperature: chatbot.temperature,
    maxTokens: chatbot.maxTokens,
    timeoutMs: chatbot.timeoutMs,
    systemPrompt: prompt.systemPrompt,
    messages: prompt.messages,
    knowledge: prompt.knowledge,
    ...(prompt.products.length ? { products: prompt.products } : {}),
    ...(input.signal ? { signal: input.signal } : {}),
  };
  return {
    provider,
    request,
    guardrails,
    prompt,
    promptVersionId: chatbot.currentPromptVersionId,
    question,
    retrievalMs,
    retrievalFailure: retrieval?.failure ?? null,
  };
}

/** The output guardrails' verdict on the provider's answer, with the sources it used. */
export function judgeReply(prepared: PreparedReply, result: LlmResult): ComposedReply {
  const { guardrails, prompt } = prepared;
  let verdict: ReplyVerdict = checkOutput(result.text, guardrails, { finishReason: result.finishReason });
  if (result.confidence !== undefined && result.confidence < guardrails.confidenceThreshold) {
    verdict = { action: "handoff", reason: "low_confidence", text: null };
  }
  const used = result.sourceIds ? prompt.knowledge.filter((k) => result.sourceIds!.includes(k.id)) : prompt.knowledge;
  return {
    result,
    verdict,
    sources: used.map(toSource),
    knowledge: used,
    promptVersionId: prepared.promptVersionId,
    promptHash: createHash("sha256").update(prompt.systemPrompt).digest("hex").slice(0, 16),
    question: prepared.question,
    promptTokens: prompt.estimatedTokens,
    droppedTurns: prompt.droppedTurns,
    retrievalMs: prepared.retrievalMs,
    productCards: selectProductCards(prompt.products, result.text, prepared.question?.text ?? null),
    retrievalFailure: prepared.retrievalFailure,
  };
}

/** The type and config of a conversation's channel; null without one (the playground). */
async function channelOf(db: Db, conversationId: string) {
  const [row] = await db
    .select({ type: channels.type, config: channels.config })
    .from(conversations)
    .innerJoin(channels, eq(channels.id, conversations.channelId))
    .where(eq(conversations.id, conversationId))
    .limit(1);
  return row ?? null;
}

/** How many of the newest messages a reply reads: the prompt's last N turns, with room for notes and events. */
export const recentMessageLimit = (chatbot: Pick<ChatbotRow, "memorySettings"> | undefined) =>
  resolveMemorySettings(chatbot?.memorySettings).lastNMessages * 2 + 10;

/** The chatbot's model, else the first suggestion for its provider. */
export const modelOf = (chatbot: Pick<ChatbotRow, "model" | "providerKind">) =>
  chatbot.model || SUGGESTED_MODELS[chatbot.providerKind][0]!;

/** The newest `limit` messages, oldest first. */
export async function recentTurns(db: Db, conversationId: string, limit: number): Promise<TurnRow[]> {
  const rows = await db
    .select(turnColumns)
    .from(messages)
    .where(and(eq(messages.conversationId, conversationId)))
    .orderBy(desc(messages.createdAt), desc(messages.id))
    .limit(limit);
  return rows.reverse();
}

/** A stored source: what it was, its text as used, and why it ranked (see `bots/retrieve-knowledge.ts`). */
function toSource(item: KnowledgeItem): RetrievedSource {
  return {
    chunkId: item.id,
    kind: item.kind,
    ...(item.documentId ? { documentId: item.documentId } : {}),
    ...(item.sourceId ? { sourceId: item.sourceId } : {}),
    ...(item.title ? { title: item.title } : {}),
    score: item.score ?? 0,
    content: item.content.slice(0, SOURCE_CONTENT_LENGTH),
    fullTextRank: item.fullTextRank ?? null,
    vectorSimilarity: item.vectorSimilarity ?? null,
    fusedScore: item.fusedScore ?? null,
  };
}

/** The passage text a message keeps with each source (the DTO's excerpt is at most 1,000 characters). */
const SOURCE_CONTENT_LENGTH = 1000;
