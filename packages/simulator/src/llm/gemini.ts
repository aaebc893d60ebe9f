/**
 * A fake Gemini Developer API (`v1beta`), key in `x-goog-api-key` (or `?key=`):
 *
 *   POST /v1beta/models/{model}:generateContent
 *   POST /v1beta/models/{model}:streamGenerateContent?alt=sse   SSE, no `[DONE]`; without
 *                                                               `alt=sse`, a JSON array of chunks
 *   POST /v1beta/models/{model}:embedContent                   `{embedding:{values}}`
 *   POST /v1beta/models/{model}:batchEmbedContents             `{embeddings:[{values}]}`
 *
 * Roles other than `user` / `model` are rejected as Gemini does, so a client that sends
 * `assistant` finds out here rather than in production.
 */
import { Hono } from "hono";
import { isRecord, type LlmSimulatorOptions, llmRoute, sseData, sseResponse } from "./common.ts";
import { embedText } from "./embed.ts";
import { geminiErrors, geminiNotFound, streamErrorPayload } from "./errors.ts";
import { composeReply, countTokens, replyPieces } from "./replies.ts";
import type { LlmSimState } from "./state.ts";

const DEFAULT_DIMENSIONS = 3072;
const MAX_BATCH = 100;
/** Words per stream event: Gemini streams in larger pieces than OpenAI. */
const WORDS_PER_EVENT = 3;

const SAFETY_RATINGS = [
  { category: "HARM_CATEGORY_HARASSMENT", probability: "HIGH", blocked: true },
  { category: "HARM_CATEGORY_HATE_SPEECH", probability: "NEGLIGIBLE" },
];

export function createGeminiSimulatorApp(state: LlmSimState, options: LlmSimulatorOptions = {}): Hono {
  const app = new Hono();
  const routeOptions = { ...options, provider: "gemini" as const };
  const errors = geminiErrors;

  llmRoute(app, state, routeOptions, "/v1beta/models/:target", ({ c, body, fault }) => {
    const target = c.req.param("target") ?? "";
    const colon = target.lastIndexOf(":");
    const model = colon === -1 ? target : target.slice(0, colon);
    const method = colon === -1 ? "" : target.slice(colon + 1);

    if (method === "embedContent") {
      const request = readEmbedRequest(body);
      return c.json({ embedding: { values: embedText(request.text, request.dimensions) } });
    }
    if (method === "batchEmbedContents") {
      const requests = isRecord(body) && Array.isArray(body.requests) ? body.requests : undefined;
      if (!requests || requests.length === 0) throw errors.badRequest("* BatchEmbedContentsRequest.requests: missing");
      if (requests.length > MAX_BATCH) {
        throw errors.badRequest(`* BatchEmbedContentsRequest.requests: at most ${MAX_BATCH} requests are allowed`);
      }
      const embeddings = requests.map((request, index) => {
        if (isRecord(request) && request.model !== undefined && request.model !== `models/${model}`) {
          throw errors.badRequest(
            `Model names should match: requests[${index}].model is ${String(request.model)}, the call is for models/${model}`,
          );
        }
        const { text, dimensions } = readEmbedRequest(request);
        return { values: embedText(text, dimensions) };
      });
      return c.json({ embeddings });
    }
    if (method !== "generateContent" && method !== "streamGenerateContent") {
      throw geminiNotFound(`Method ${method || "(none)"} is not supported for models/${model}.`);
    }

    const { system, contents, maxTokens } = readGenerateRequest(body);
    const lastUser = contents.findLast((content) => content.role === "user")?.text ?? "";
    const reply = state.takeReply("gemini", lastUser) ?? composeReply({ system, lastUserMessage: lastUser });
    const promptTokens = countTokens(system) + contents.reduce((sum, content) => sum + countTokens(content.text), 0);
    const responseId = `sim-${state.nextId()}`;

    if (fault?.kind === "prompt_blocked") {
      const blocked = {
        promptFeedback: { blockReason: "SAFETY", safetyRatings: SAFETY_RATINGS },
        usageMetadata: { promptTokenCount: promptTokens, totalTokenCount: promptTokens },
        modelVersion: model,
        responseId,
      };
      return method === "generateContent" ? c.json(blocked) : streamAnswer([blocked]);
    }

    let pieces = replyPieces(reply);
    let finishReason = "STOP";
    if (maxTokens !== undefined && pieces.length > maxTokens) {
      pieces = pieces.slice(0, maxTokens);
      finishReason = "MAX_TOKENS";
    }
    if (fault?.kind === "content_filter") {
      pieces = [];
      finishReason = "SAFETY";
    }
    const usageMetadata = {
      promptTokenCount: promptTokens,
      candidatesTokenCount: pieces.length,
      totalTokenCount: promptTokens + pieces.length,
    };
    const candidate = (text: string, finish?: string) => ({
      content: { parts: text ? [{ text }] : [], role: "model" },
      ...(finish ? { finishReason: finish, index: 0 } : {}),
      ...(finish === "SAFETY" ? { safetyRatings: SAFETY_RATINGS } : {}),
    });

    if (method === "generateContent") {
      if (fault?.kind === "stream_error") throw errors.serverError();
      return c.json({
        candidates: [candidate(pieces.join(""), finishReason)],
        usageMetadata,
        modelVersion: model,
        responseId,
      });
    }

    const groups: string[] = [];
    for (let i = 0; i < pieces.length; i += WORDS_PER_EVENT) groups.push(pieces.slice(i, i + WORDS_PER_EVENT).join(""));
    if (groups.length === 0) groups.push("");
    const chunks: Record<string, unknown>[] = groups.map((text, index) => {
      const last = index === groups.length - 1;
      return {
        candidates: [candidate(text, last ? finishReason : undefined)],
        usageMetadata: last ? usageMetadata : { promptTokenCount: promptTokens, totalTokenCount: promptTokens },
        modelVersion: model,
        responseId,
      };
    });
    if (fault?.kind === "stream_error") {
      chunks.splice(Math.max(1, Math.floor(chunks.length / 2)), chunks.length, streamErrorPayload("gemini"));
    }
    return streamAnswer(chunks);

    function streamAnswer(items: Record<string, unknown>[]): Response {
      if (c.req.query("alt") === "sse") return sseResponse(items.map(sseData), options.streamDelayMs);
      return c.json(items);
    }
  });

  app.all("*", (c) => geminiNotFound(`Requested entity was not found: ${c.req.path}`).toResponse());
  return app;

  function readGenerateRequest(body: unknown) {
    if (!isRecord(body)) throw errors.badRequest("Invalid JSON payload received.");
    if (!Array.isArray(body.contents) || body.contents.length === 0) {
      throw errors.badRequest("* GenerateContentRequest.contents: contents is not specified");
    }
    const contents = body.contents.map((content: unknown, index: number) => {
      const role = isRecord(content) ? content.role : undefined;
      if (role !== undefined && role !== "user" && role !== "model") {
        throw errors.badRequest(`Please use a valid role: user, model. (contents[${index}].role is ${String(role)})`);
      }
      const text = partsText(isRecord(content) ? content.parts : undefined);
      if (text === undefined) {
        throw errors.badRequest(`* GenerateContentRequest.contents[${index}].parts: contents.parts must not be empty.`);
      }
      return { role: (role ?? "user") as string, text };
    });
    const instruction = isRecord(body.systemInstruction) ? partsText(body.systemInstruction.parts) : undefined;
    const config = isRecord(body.generationConfig) ? body.generationConfig : {};
    const limit = config.maxOutputTokens;
    return {
      system: instruction ?? "",
      contents,
      maxTokens: typeof limit === "number" && limit > 0 ? limit : undefined,
    };
  }

  function readEmbedRequest(request: unknown): { text: string; dimensions: number } {
    const content = isRecord(request) && isRecord(request.content) ? request.content : undefined;
    const text = partsText(content?.parts);
    if (text === undefined) throw errors.badRequest("* EmbedContentRequest.content: content is not specified");
    const dimensions = isRecord(request) ? (request.outputDimensionality ?? DEFAULT_DIMENSIONS) : DEFAULT_DIMENSIONS;
    if (typeof dimensions !== "number" || !Number.isInteger(dimensions) || dimensions < 1) {
      throw errors.badRequest("* EmbedContentRequest.output_dimensionality: must be a positive integer");
    }
    return { text, dimensions };
  }
}

/** The text of `parts` joined (several parts are one turn), or `undefined` when there are none. */
function partsText(parts: unknown): string | undefined {
  if (!Array.isArray(parts) || parts.length === 0) return undefined;
  return parts.map((part) => (isRecord(part) && typeof part.text === "string" ? part.text : "")).join("\n");
}
