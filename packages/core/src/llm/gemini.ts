/**
 * Google Gemini (Developer API, `v1beta`): `models/{model}:generateContent`,
 * `:streamGenerateContent?alt=sse` (SSE without `[DONE]`, each event a partial response) and
 * `:batchEmbedContents`. The key goes in `x-goog-api-key`, never in the URL. The system prompt
 * becomes `systemInstruction`; roles are `user` and `model`, and Gemini wants them to alternate,
 * so consecutive messages of one role are merged into one turn with several parts.
 */
import { contentFiltered, errorFromPayload, isRecord, malformedResponse, parseJson, payloadError } from "./errors.ts";
import { type AdapterOptions, clampTemperature, type Deadline, endpoint, ProviderHttp, requireKey } from "./request.ts";
import { readSse } from "./sse.ts";
import type {
  EmbedResult,
  FinishReason,
  LlmProvider,
  LlmRequest,
  LlmResult,
  LlmStreamEvent,
  ProviderConfig,
} from "./types.ts";

export const GEMINI_DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com";
export const GEMINI_DEFAULT_EMBEDDING_MODEL = "gemini-embedding-001";
/** `batchEmbedContents` takes at most this many requests per call. */
export const GEMINI_EMBED_BATCH = 100;

const KIND = "GEMINI";

export interface GeminiContent {
  role: "user" | "model";
  parts: { text: string }[];
}

export interface GeminiGenerateBody {
  systemInstruction?: { parts: { text: string }[] };
  contents: GeminiContent[];
  generationConfig?: { temperature?: number; maxOutputTokens?: number };
}

interface GeminiUsage {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  thoughtsTokenCount?: number;
}

/** What one response (or one stream event) carries. */
interface GeminiChunk {
  text: string;
  finish: string | undefined;
  usage: GeminiUsage | undefined;
  model: string | undefined;
}

export function createGeminiProvider(config: ProviderConfig, options: AdapterOptions = {}): LlmProvider {
  const http = new ProviderHttp(KIND, config.apiKey, config, options);
  const base = config.baseUrl ?? options.baseUrls?.geminiBaseUrl ?? GEMINI_DEFAULT_BASE_URL;
  const modelUrl = (model: string, method: string) =>
    endpoint(base, "/v1beta", `/models/${encodeURIComponent(model.replace(/^models\//, ""))}:${method}`);
  const headers = () => ({ "x-goog-api-key": requireKey(KIND, config.apiKey) });

  const result = (deadline: Deadline, request: LlmRequest, chunk: GeminiChunk): LlmResult => {
    const finishReason = mapFinishReason(chunk.finish);
    if (finishReason === "content_filter") throw contentFiltered(KIND, `finishReason ${chunk.finish}`);
    return {
      text: chunk.text,
      usage: {
        inputTokens: chunk.usage?.promptTokenCount ?? 0,
        outputTokens: (chunk.usage?.candidatesTokenCount ?? 0) + (chunk.usage?.thoughtsTokenCount ?? 0),
      },
      finishReason,
      latencyMs: deadline.elapsedMs(),
      provider: KIND,
      model: chunk.model ?? request.model,
    };
  };

  return {
    kind: KIND,

    async generate(request) {
      const deadline = http.deadline(request.timeoutMs, request.signal);
      try {
        const url = modelUrl(request.model, "generateContent");
        const response = await http.post(url, headers(), toGeminiRequest(request), deadline);
        return result(deadline, request, readChunk(parseJson(await response.text()), config.apiKey));
      } catch (error) {
        throw deadline.failure(KIND, error);
      } finally {
        deadline.dispose();
      }
    },

    async *stream(request): AsyncGenerator<LlmStreamEvent> {
      const deadline = http.deadline(request.timeoutMs, request.signal);
      try {
        const url = `${modelUrl(request.model, "streamGenerateContent")}?alt=sse`;
        const response = await http.post(url, headers(), toGeminiRequest(request), deadline);
        if (!response.body) throw malformedResponse(KIND, "stream");
        const total: GeminiChunk = { text: "", finish: undefined, usage: undefined, model: undefined };
        for await (const event of readSse(response.body)) {
          const chunk = readChunk(parseJson(event.data), config.apiKey);
          if (chunk.text) {
            total.text += chunk.text;
            yield { type: "delta", text: chunk.text };
          }
          total.finish = chunk.finish ?? total.finish;
          total.usage = chunk.usage ?? total.usage;
          total.model = chunk.model ?? total.model;
        }
        yield { type: "done", result: result(deadline, request, total) };
      } catch (error) {
        throw deadline.failure(KIND, error);
      } finally {
        deadline.dispose();
      }
    },

    async embed(texts, embedOptions = {}): Promise<EmbedResult> {
      const model = (embedOptions.model ?? config.embeddingModel ?? GEMINI_DEFAULT_EMBEDDING_MODEL).replace(
        /^models\//,
        "",
      );
      const deadline = http.deadline(embedOptions.timeoutMs, embedOptions.signal);
      try {
        const vectors: number[][] = [];
        for (let start = 0; start < texts.length; start += GEMINI_EMBED_BATCH) {
          const batch = texts.slice(start, start + GEMINI_EMBED_BATCH);
          const body = {
            requests: batch.map((text) => ({
              model: `models/${model}`,
              content: { parts: [{ text }] },
              ...(embedOptions.dimensions === undefined ? {} : { outputDimensionality: embedOptions.dimensions }),
            })),
          };
          const response = await http.post(modelUrl(model, "batchEmbedContents"), headers(), body, deadline);
          const payload = parseJson(await response.text());
          const embeddings = isRecord(payload) && Array.isArray(payload.embeddings) ? payload.embeddings : [];
          const values = embeddings.map((e) =>
            isRecord(e) && Array.isArray(e.values) ? (e.values as number[]) : null,
          );
          if (values.length !== batch.length || values.some((v) => v === null)) {
            throw malformedResponse(KIND, "embeddings answer");
          }
          vectors.push(...(values as number[][]));
        }
        // Gemini does not report token counts for embeddings.
        return {
          vectors,
          model,
          dimensions: vectors[0]?.length ?? embedOptions.dimensions ?? 0,
          usage: { inputTokens: 0 },
        };
      } catch (error) {
        throw deadline.failure(KIND, error);
      } finally {
        deadline.dispose();
      }
    },
  };
}

/**
 * The request body: system prompt and any `system` messages as `systemInstruction`, the rest as
 * alternating `user` / `model` turns.
 */
export function toGeminiRequest(request: LlmRequest): GeminiGenerateBody {
  const system = [request.systemPrompt, ...request.messages.filter((m) => m.role === "system").map((m) => m.content)]
    .filter((text): text is string => Boolean(text))
    .join("\n\n");
  const contents: GeminiContent[] = [];
  for (const message of request.messages) {
    if (message.role === "system") continue;
    const role = message.role === "assistant" ? "model" : "user";
    const last = contents[contents.length - 1];
    if (last?.role === role) last.parts.push({ text: message.content });
    else contents.push({ role, parts: [{ text: message.content }] });
  }
  const generationConfig = {
    ...(request.temperature === undefined ? {} : { temperature: clampTemperature(request.temperature) }),
    ...(request.maxTokens === undefined ? {} : { maxOutputTokens: request.maxTokens }),
  };
  return {
    ...(system ? { systemInstruction: { parts: [{ text: system }] } } : {}),
    contents,
    ...(Object.keys(generationConfig).length > 0 ? { generationConfig } : {}),
  };
}

/** One response or stream event: its text (thought parts left out), finish reason, usage; errors thrown. */
function readChunk(payload: unknown, secret: string | undefined): GeminiChunk {
  const error = payloadError(payload);
  if (error) throw errorFromPayload(KIND, error, secret);
  if (!isRecord(payload)) throw malformedResponse(KIND, "response");
  const feedback = isRecord(payload.promptFeedback) ? payload.promptFeedback : {};
  if (typeof feedback.blockReason === "string") throw contentFiltered(KIND, `prompt blocked: ${feedback.blockReason}`);

  const candidate = Array.isArray(payload.candidates) && isRecord(payload.candidates[0]) ? payload.candidates[0] : {};
  const content = isRecord(candidate.content) ? candidate.content : {};
  const parts = Array.isArray(content.parts) ? content.parts : [];
  return {
    text: parts
      .filter((part) => isRecord(part) && typeof part.text === "string" && part.thought !== true)
      .map((part) => (part as { text: string }).text)
      .join(""),
    finish: typeof candidate.finishReason === "string" ? candidate.finishReason : undefined,
    usage: isRecord(payload.usageMetadata) ? (payload.usageMetadata as GeminiUsage) : undefined,
    model: typeof payload.modelVersion === "string" ? payload.modelVersion : undefined,
  };
}

const FILTER_REASONS = new Set(["SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY"]);

function mapFinishReason(value: string | undefined): FinishReason {
  if (value === "STOP") return "stop";
  if (value === "MAX_TOKENS") return "length";
  if (value && FILTER_REASONS.has(value)) return "content_filter";
  return "other";
}
