import { z } from "zod";
import { ProviderKind } from "./providers.ts";
import { ProductCard } from "./shopify.ts";

/**
 * The chatbot playground (`/api/v1/chatbots/{id}/playground/*`, seed S2 §2): try a chatbot with
 * overrides that never touch its live configuration. Every route needs `chatbots.manage` (OWNER,
 * ADMIN): the playground spends the workspace's provider tokens.
 */

export const PLAYGROUND_LIMITS = {
  messageLength: 4_000,
  temperature: { min: 0, max: 2 },
  maxTokens: { min: 1, max: 32_000 },
  modelLength: 200,
  systemPromptLength: 20_000,
  /** Compare mode runs at most this many configurations side by side. */
  compareConfigs: { min: 2, max: 4 },
} as const;

const id = z.string().trim().min(1).max(64);

/**
 * What a playground session or message may change for its answers. `systemPrompt` is a template like
 * the live one (`{brand_name}`, `{knowledge}`…); `promptVersionId` uses the text of one of the
 * chatbot's prompt versions instead (not both). `credentialId` is a provider credential of the
 * workspace: its provider answers (with `model`, else the credential's default model).
 */
export const PlaygroundOverrides = z
  .object({
    systemPrompt: z.string().max(PLAYGROUND_LIMITS.systemPromptLength).optional(),
    promptVersionId: id.optional(),
    model: z.string().trim().min(1).max(PLAYGROUND_LIMITS.modelLength).optional(),
    temperature: z.number().min(PLAYGROUND_LIMITS.temperature.min).max(PLAYGROUND_LIMITS.temperature.max).optional(),
    maxTokens: z.number().int().min(PLAYGROUND_LIMITS.maxTokens.min).max(PLAYGROUND_LIMITS.maxTokens.max).optional(),
    credentialId: id.optional(),
  })
  .strict()
  .refine((o) => o.systemPrompt === undefined || o.promptVersionId === undefined, {
    message: "give either systemPrompt or promptVersionId, not both",
    path: ["promptVersionId"],
  });
export type PlaygroundOverrides = z.infer<typeof PlaygroundOverrides>;

export const PlaygroundChatbotParam = z.object({ id });
export const PlaygroundSessionParam = z.object({ id, sessionId: id });

export const CreatePlaygroundSessionInput = z.object({ overrideConfig: PlaygroundOverrides.optional() }).strict();
export type CreatePlaygroundSessionInput = z.infer<typeof CreatePlaygroundSessionInput>;

const message = z.string().trim().min(1, "must not be empty").max(PLAYGROUND_LIMITS.messageLength);

export const PlaygroundChatInput = z
  .object({ sessionId: id, message, overrideConfig: PlaygroundOverrides.optional() })
  .strict();
export type PlaygroundChatInput = z.infer<typeof PlaygroundChatInput>;

export const PlaygroundCompareInput = z
  .object({
    message,
    configs: z
      .array(PlaygroundOverrides)
      .min(PLAYGROUND_LIMITS.compareConfigs.min)
      .max(PLAYGROUND_LIMITS.compareConfigs.max),
  })
  .strict();
export type PlaygroundCompareInput = z.infer<typeof PlaygroundCompareInput>;

/** A piece of knowledge the answer used; `similarity` is the retrieval score, 0–1. */
export const PlaygroundSource = z.object({
  documentId: z.string().nullable(),
  chunkId: z.string(),
  content: z.string(),
  similarity: z.number(),
  metadata: z.object({
    kind: z.enum(["faq", "passage"]),
    title: z.string().nullable(),
    sourceId: z.string().nullable(),
    /** Why it ranked (see `KnowledgeSearchResult`); absent on answers recorded before hybrid retrieval. */
    fullTextRank: z.number().int().nullable().optional(),
    vectorSimilarity: z.number().nullable().optional(),
    fusedScore: z.number().nullable().optional(),
  }),
});
export type PlaygroundSource = z.infer<typeof PlaygroundSource>;

/** Tokens as the provider counted them; times in milliseconds (retrieval, and the provider call). */
export const PlaygroundUsage = z.object({
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  totalTokens: z.number().int(),
  vectorSearchTime: z.number().int(),
  llmResponseTime: z.number().int(),
});
export type PlaygroundUsage = z.infer<typeof PlaygroundUsage>;

/**
 * The live bot would hand the conversation to a person after this answer (the guardrails' verdict):
 * `reason` is the handoff reason (`low_confidence`, `model_handoff`, `human_requested`…), `note` the
 * SYSTEM note the inbox would show, `withheld` the model's text when it would not be sent.
 */
export const PlaygroundHandoff = z.object({
  reason: z.string(),
  note: z.string(),
  withheld: z.string().nullable(),
});
export type PlaygroundHandoff = z.infer<typeof PlaygroundHandoff>;

/** The configuration an answer was made with, after the overrides. */
export const PlaygroundEffectiveConfig = z.object({
  provider: ProviderKind,
  model: z.string(),
  temperature: z.number(),
  maxTokens: z.number().int(),
  credentialId: z.string().nullable(),
  /** The prompt version whose text was used; null for a `systemPrompt` override. */
  promptVersionId: z.string().nullable(),
});
export type PlaygroundEffectiveConfig = z.infer<typeof PlaygroundEffectiveConfig>;

export const PlaygroundAnswer = z.object({
  /** The stored BOT message (or the SYSTEM note when the bot would say nothing). */
  messageId: z.string(),
  /** What the customer would receive: the model's text after the output guardrails ("" when nothing). */
  response: z.string(),
  sources: z.array(PlaygroundSource),
  /**
   * The product cards the reply would carry (the products its text recommends, chosen as for a live
   * reply); empty when it recommends none or nothing would be sent.
   */
  products: z.array(ProductCard),
  usage: PlaygroundUsage,
  handoff: PlaygroundHandoff.nullable(),
  config: PlaygroundEffectiveConfig,
});
export type PlaygroundAnswer = z.infer<typeof PlaygroundAnswer>;

export const PlaygroundMessageDto = z.object({
  id: z.string(),
  role: z.enum(["USER", "BOT", "SYSTEM"]),
  text: z.string().nullable(),
  createdAt: z.string(),
  provider: z.string().nullable(),
  model: z.string().nullable(),
  latencyMs: z.number().nullable(),
  promptVersionId: z.string().nullable(),
  sources: z.array(z.object({ chunkId: z.string(), title: z.string().nullable(), score: z.number() })),
  /** A BOT message's product cards (empty when none). */
  products: z.array(ProductCard),
  /** SYSTEM notes: the handoff reason or the provider's error code. */
  reason: z.string().nullable(),
});
export type PlaygroundMessageDto = z.infer<typeof PlaygroundMessageDto>;

export const PlaygroundSessionDto = z.object({
  id: z.string(),
  chatbotId: z.string(),
  userId: z.string().nullable(),
  overrideConfig: PlaygroundOverrides,
  active: z.boolean(),
  createdAt: z.string(),
  endedAt: z.string().nullable(),
});
export type PlaygroundSessionDto = z.infer<typeof PlaygroundSessionDto>;

export const PlaygroundSessionDetail = PlaygroundSessionDto.extend({ messages: z.array(PlaygroundMessageDto) });
export type PlaygroundSessionDetail = z.infer<typeof PlaygroundSessionDetail>;

/** One configuration's outcome in compare mode: its answer, or its error (the others still answer). */
export const PlaygroundCompareResult = z.object({
  overrideConfig: PlaygroundOverrides,
  answer: PlaygroundAnswer.omit({ messageId: true }).nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type PlaygroundCompareResult = z.infer<typeof PlaygroundCompareResult>;

export const PlaygroundCompareResponse = z.object({ results: z.array(PlaygroundCompareResult) });
export type PlaygroundCompareResponse = z.infer<typeof PlaygroundCompareResponse>;

/**
 * Server-sent events of `POST …/playground/chat` with `Accept: text/event-stream`, in order:
 * `message.delta` (the model's text as it arrives, before the output guardrails), `message.sources`,
 * `message.completed` (the answer as the JSON call returns it); or `error` at any point, after which
 * the stream ends.
 */
export const PLAYGROUND_SSE_EVENTS = {
  delta: "message.delta",
  sources: "message.sources",
  completed: "message.completed",
  error: "error",
} as const;

export const PlaygroundStreamDelta = z.object({ text: z.string() });
export const PlaygroundStreamSources = z.object({ sources: z.array(PlaygroundSource) });
export const PlaygroundStreamError = z.object({ code: z.string(), message: z.string(), details: z.unknown() });
