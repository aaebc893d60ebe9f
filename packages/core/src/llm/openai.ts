/**
 * The OpenAI Chat Completions wire format (`POST …/v1/chat/completions`, SSE with a final usage
 * chunk, `…/v1/embeddings`). OpenAI itself, OpenRouter and every OpenAI-compatible server
 * (DigitalOcean GenAI, Ollama, vLLM, LM Studio) are this one implementation with different
 * settings: base URL, token-limit field, extra headers, whether a key is required.
 */
import { contentFiltered, errorFromPayload, isRecord, malformedResponse, parseJson, payloadError } from "./errors.ts";
import { type AdapterOptions, clampTemperature, type Deadline, endpoint, ProviderHttp, requireKey } from "./request.ts";
import { readSse } from "./sse.ts";
import {
  type EmbedResult,
  type FinishReason,
  LlmError,
  type LlmMessage,
  type LlmProvider,
  type LlmRequest,
  type LlmResult,
  type LlmStreamEvent,
  type ProviderConfig,
  type ProviderKind,
} from "./types.ts";

export const OPENAI_DEFAULT_BASE_URL = "https://api.openai.com";
export const OPENAI_DEFAULT_EMBEDDING_MODEL = "text-embedding-3-small";
/** OpenAI accepts at most this many inputs per embeddings call. */
export const OPENAI_EMBED_BATCH = 2048;

/** How one OpenAI-wire provider differs from another. */
export interface OpenAiWireSettings {
  kind: ProviderKind;
  baseUrl: string | undefined;
  /** Prefix added unless the base URL already ends in a version (`/v1`, OpenRouter `/api/v1`). */
  versionPrefix: string;
  /** OpenAI deprecated `max_tokens` for `max_completion_tokens`; compatible servers still read `max_tokens`. */
  tokenLimitField: "max_completion_tokens" | "max_tokens";
  keyRequired: boolean;
  headers?: Record<string, string>;
  /** Embedding model when neither the call nor the configuration names one. */
  defaultEmbeddingModel?: string;
}

interface ChatChoice {
  message?: { content?: unknown };
  delta?: { content?: unknown };
  finish_reason?: unknown;
}

interface OpenAiUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
}

export function createOpenAiProvider(config: ProviderConfig, options: AdapterOptions = {}): LlmProvider {
  return createOpenAiWireProvider(config, options, {
    kind: "OPENAI",
    baseUrl: config.baseUrl ?? options.baseUrls?.openaiBaseUrl ?? OPENAI_DEFAULT_BASE_URL,
    versionPrefix: "/v1",
    tokenLimitField: "max_completion_tokens",
    keyRequired: true,
    defaultEmbeddingModel: OPENAI_DEFAULT_EMBEDDING_MODEL,
  });
}

export function createOpenAiWireProvider(
  config: ProviderConfig,
  options: AdapterOptions,
  settings: OpenAiWireSettings,
): LlmProvider {
  const { kind } = settings;
  const http = new ProviderHttp(kind, config.apiKey, config, options);

  const url = (path: string): string => {
    if (!settings.baseUrl) {
      throw new LlmError("provider_bad_request", "An OpenAI-compatible provider needs a base URL", { provider: kind });
    }
    return endpoint(settings.baseUrl, settings.versionPrefix, path);
  };

  const headers = (): Record<string, string> => {
    const key = settings.keyRequired ? requireKey(kind, config.apiKey) : config.apiKey;
    return { ...settings.headers, ...(key ? { authorization: `Bearer ${key}` } : {}) };
  };

  const chatBody = (request: LlmRequest, stream: boolean) => ({
    model: request.model,
    messages: toOpenAiMessages(request),
    ...(request.temperature === undefined ? {} : { temperature: clampTemperature(request.temperature) }),
    ...(request.maxTokens === undefined ? {} : { [settings.tokenLimitField]: request.maxTokens }),
    ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  });

  const result = (
    deadline: Deadline,
    request: LlmRequest,
    fields: { text: string; model: unknown; usage: OpenAiUsage | undefined; finish: unknown },
  ): LlmResult => {
    const finishReason = mapFinishReason(fields.finish);
    if (finishReason === "content_filter") throw contentFiltered(kind, "finish_reason content_filter");
    return {
      text: fields.text,
      usage: {
        inputTokens: fields.usage?.prompt_tokens ?? 0,
        outputTokens: fields.usage?.completion_tokens ?? 0,
      },
      finishReason,
      latencyMs: deadline.elapsedMs(),
      provider: kind,
      model: typeof fields.model === "string" && fields.model ? fields.model : request.model,
    };
  };

  return {
    kind,

    async generate(request) {
      const deadline = http.deadline(request.timeoutMs, request.signal);
      try {
        const response = await http.post(url("/chat/completions"), headers(), chatBody(request, false), deadline);
        const payload = parseJson(await response.text());
        const error = payloadError(payload);
        if (error) throw errorFromPayload(kind, error, config.apiKey);
        if (!isRecord(payload) || !Array.isArray(payload.choices)) throw malformedResponse(kind, "chat completion");
        const choice = payload.choices[0] as ChatChoice | undefined;
        return result(deadline, request, {
          text: typeof choice?.message?.content === "string" ? choice.message.content : "",
          model: payload.model,
          usage: payload.usage as OpenAiUsage | undefined,
          finish: choice?.finish_reason,
        });
      } catch (error) {
        throw deadline.failure(kind, error);
      } finally {
        deadline.dispose();
      }
    },

    async *stream(request): AsyncGenerator<LlmStreamEvent> {
      const deadline = http.deadline(request.timeoutMs, request.signal);
      try {
        const response = await http.post(url("/chat/completions"), headers(), chatBody(request, true), deadline);
        if (!response.body) throw malformedResponse(kind, "stream");
        let text = "";
        let model: unknown;
        let usage: OpenAiUsage | undefined;
        let finish: unknown;
        for await (const event of readSse(response.body)) {
          if (event.data === "[DONE]") break;
          const chunk = parseJson(event.data);
          const error = payloadError(chunk);
          if (error) throw errorFromPayload(kind, error, config.apiKey);
          if (!isRecord(chunk)) throw malformedResponse(kind, "stream event");
          model ??= chunk.model;
          if (isRecord(chunk.usage)) usage = chunk.usage as OpenAiUsage;
          for (const choice of (Array.isArray(chunk.choices) ? chunk.choices : []) as ChatChoice[]) {
            const delta = choice.delta?.content;
            if (typeof delta === "string" && delta) {
              text += delta;
              yield { type: "delta", text: delta };
            }
            if (choice.finish_reason) finish = choice.finish_reason;
          }
        }
        yield { type: "done", result: result(deadline, request, { text, model, usage, finish }) };
      } catch (error) {
        throw deadline.failure(kind, error);
      } finally {
        deadline.dispose();
      }
    },

    async embed(texts, embedOptions = {}): Promise<EmbedResult> {
      const model = embedOptions.model ?? config.embeddingModel ?? settings.defaultEmbeddingModel;
      if (!model) {
        throw new LlmError("provider_bad_request", "No embedding model configured for this provider", {
          provider: kind,
        });
      }
      const deadline = http.deadline(embedOptions.timeoutMs, embedOptions.signal);
      try {
        const vectors: number[][] = [];
        let inputTokens = 0;
        for (let start = 0; start < texts.length; start += OPENAI_EMBED_BATCH) {
          const input = texts.slice(start, start + OPENAI_EMBED_BATCH);
          const body = {
            model,
            input,
            encoding_format: "float",
            ...(embedOptions.dimensions === undefined ? {} : { dimensions: embedOptions.dimensions }),
          };
          const response = await http.post(url("/embeddings"), headers(), body, deadline);
          const payload = parseJson(await response.text());
          if (!isRecord(payload) || !Array.isArray(payload.data)) throw malformedResponse(kind, "embeddings answer");
          const batch = readEmbeddings(payload.data, input.length);
          if (!batch) throw malformedResponse(kind, "embeddings answer");
          vectors.push(...batch);
          const usage = payload.usage as { prompt_tokens?: number } | undefined;
          inputTokens += usage?.prompt_tokens ?? 0;
        }
        return {
          vectors,
          model,
          dimensions: vectors[0]?.length ?? embedOptions.dimensions ?? 0,
          usage: { inputTokens },
        };
      } catch (error) {
        throw deadline.failure(kind, error);
      } finally {
        deadline.dispose();
      }
    },
  };
}

/** The system prompt as a leading system message; the conversation as it is. */
export function toOpenAiMessages(request: LlmRequest): LlmMessage[] {
  const messages = request.messages.map(({ role, content }) => ({ role, content }));
  return request.systemPrompt ? [{ role: "system", content: request.systemPrompt }, ...messages] : messages;
}

function mapFinishReason(value: unknown): FinishReason {
  switch (value) {
    case "stop":
      return "stop";
    case "length":
      return "length";
    case "content_filter":
      return "content_filter";
    default:
      return "other";
  }
}

/** Vectors in input order (the API tags each with its `index`); `undefined` when the shape is off. */
function readEmbeddings(data: unknown[], expected: number): number[][] | undefined {
  const vectors: number[][] = new Array(expected);
  for (const [position, item] of data.entries()) {
    if (!isRecord(item) || !Array.isArray(item.embedding)) return undefined;
    const index = typeof item.index === "number" ? item.index : position;
    vectors[index] = item.embedding as number[];
  }
  // `every` skips the holes of a sparse array, so check each position.
  for (let index = 0; index < expected; index++) if (!Array.isArray(vectors[index])) return undefined;
  return vectors;
}
