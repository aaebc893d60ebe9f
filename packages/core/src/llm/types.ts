/**
 * The provider interface every LLM adapter implements (`core/llm`). Channel- and bot-agnostic: the
 * bot orchestration (`bots/`), the AI drafts, the summaries and the knowledge embeddings all call
 * providers through it, never an HTTP API directly.
 */
import type { ProductFact } from "../shopify/product-facts.ts";

/** The provider kinds a workspace can configure (the `provider_kind` enum of the database). */
export type ProviderKind = "OPENAI" | "GEMINI" | "OPENROUTER" | "OPENAI_COMPATIBLE" | "OFFLINE";

export type LlmRole = "system" | "user" | "assistant";

export interface LlmMessage {
  role: LlmRole;
  content: string;
}

export interface LlmRequest {
  model: string;
  /** 0–2; providers clamp to their own range. */
  temperature?: number;
  maxTokens?: number;
  /** Sent as the provider's system instruction (OpenAI: a leading system message; Gemini: systemInstruction). */
  systemPrompt?: string;
  messages: LlmMessage[];
  /** Whole-request deadline, connection to last byte. Default 30 s. */
  timeoutMs?: number;
  /** Cancels the request (job shutdown, client gone). */
  signal?: AbortSignal;
  /**
   * The knowledge the bot orchestration retrieved for this request (FAQ entries and passages), best
   * first. The LLM adapters ignore it — the same items are already rendered into `systemPrompt` as
   * the `{knowledge}` block; the offline provider, which reads no prompt, answers from it.
   */
  knowledge?: readonly KnowledgeItem[];
  /**
   * The products the customer's message is about (current prices and stock, `{products}`), best
   * first. Ignored by the LLM adapters (the prompt carries them); the offline provider answers
   * product questions from them.
   */
  products?: readonly ProductFact[];
}

/** One retrieved piece of knowledge: an FAQ entry of the chatbot or a passage of the knowledge base. */
export interface KnowledgeItem {
  /** `faq:{index}` for an FAQ entry, the chunk id for a passage. */
  id: string;
  kind: "faq" | "passage";
  /** The FAQ question, or the passage's document title. */
  title?: string | undefined;
  /** The FAQ answer, or the passage text. */
  content: string;
  /** Relevance to the customer's message, 0–1: the lexical match, or the vector similarity when higher (see `bots/retrieve-knowledge.ts`). */
  score?: number | undefined;
  documentId?: string | undefined;
  sourceId?: string | undefined;
  /** Rank among the full-text candidates (1 = best), null when full text did not find it. */
  fullTextRank?: number | null | undefined;
  /** Cosine similarity to the question, null when the vector path did not find it. */
  vectorSimilarity?: number | null | undefined;
  /** Reciprocal rank fusion of both ranks: what retrieval orders by. */
  fusedScore?: number | null | undefined;
}

export interface LlmUsage {
  inputTokens: number;
  outputTokens: number;
}

/** Normalised across providers: OpenAI `stop|length|content_filter`, Gemini `STOP|MAX_TOKENS|SAFETY…`. */
export type FinishReason = "stop" | "length" | "content_filter" | "other";

export interface LlmResult {
  text: string;
  usage: LlmUsage;
  finishReason: FinishReason;
  /** Wall time of the call, including retries. */
  latencyMs: number;
  provider: ProviderKind;
  /** The model that answered (as the provider reports it, else the requested one). */
  model: string;
  /** How sure the provider is, 0–1, when it can tell (the offline provider); LLM adapters leave it unset. */
  confidence?: number | undefined;
  /** Ids of the `knowledge` items the answer was built from, when the provider knows (offline). */
  sourceIds?: string[] | undefined;
}

/** What `stream()` yields: text deltas as they arrive, then exactly one `done` with the totals. */
export type LlmStreamEvent = { type: "delta"; text: string } | { type: "done"; result: LlmResult };

export interface EmbedResult {
  vectors: number[][];
  model: string;
  dimensions: number;
  usage: { inputTokens: number };
}

export interface EmbedOptions {
  model?: string;
  dimensions?: number;
  /** Deadline of the whole call, every batch included. Default 30 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface LlmProvider {
  readonly kind: ProviderKind;
  generate(request: LlmRequest): Promise<LlmResult>;
  stream(request: LlmRequest): AsyncIterable<LlmStreamEvent>;
  /** Throws `LlmError("provider_bad_request")` when the provider has no embeddings (offline). */
  embed(texts: string[], options?: EmbedOptions): Promise<EmbedResult>;
}

/** Everything an adapter needs: the decrypted credential plus server-wide defaults. */
export interface ProviderConfig {
  kind: ProviderKind;
  apiKey?: string | undefined;
  /** From the credential, else `OPENAI_BASE_URL` / `GEMINI_BASE_URL` / `OPENROUTER_BASE_URL`, else the public API. */
  baseUrl?: string | undefined;
  /** Embedding model for `embed()` when the call does not name one. */
  embeddingModel?: string | undefined;
  /** OpenRouter attribution (`HTTP-Referer`, `X-Title`): the app's URL and name. */
  appUrl?: string | undefined;
  appName?: string | undefined;
  /** Test hook: a fetch to use instead of the global one. */
  fetch?: typeof fetch;
}

export type LlmErrorCode =
  | "provider_auth_failed"
  | "provider_rate_limited"
  | "provider_quota_exhausted"
  | "provider_timeout"
  | "provider_unavailable"
  | "provider_bad_request"
  | "content_filtered";

/** Retryable codes: the same request may succeed later. */
export const RETRYABLE_LLM_ERRORS: ReadonlySet<LlmErrorCode> = new Set([
  "provider_rate_limited",
  "provider_timeout",
  "provider_unavailable",
]);

/**
 * A provider failure, normalised. `retryable` and `retryAfterMs` follow the duck-typed contract of
 * `jobs/errors.ts`, so a job that lets it through is retried (or not) correctly. `status` is the
 * provider's HTTP status (0 for network errors and timeouts); the provider's own message is kept
 * for logs and for the "test connection" verdict, never the request's key.
 */
export class LlmError extends Error {
  readonly code: LlmErrorCode;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly status: number;
  readonly provider: ProviderKind;

  constructor(
    code: LlmErrorCode,
    message: string,
    options: { provider: ProviderKind; status?: number; retryAfterMs?: number; cause?: unknown },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "LlmError";
    this.code = code;
    this.retryable = RETRYABLE_LLM_ERRORS.has(code);
    this.retryAfterMs = options.retryAfterMs;
    this.status = options.status ?? 0;
    this.provider = options.provider;
  }
}
