/**
 * A fake OpenAI Chat Completions API — also playing OpenRouter (`/api/v1/…`) and any
 * OpenAI-compatible server (DigitalOcean GenAI, Ollama, vLLM, LM Studio):
 *
 *   POST /v1/chat/completions   JSON, or SSE with `stream: true` (usage chunk with
 *                               `stream_options.include_usage`, then `data: [DONE]`)
 *   POST /v1/embeddings         deterministic vectors (`dimensions` honoured)
 *
 * The OpenRouter flavour serves the same under `/api/v1`, puts `: OPENROUTER PROCESSING` comment
 * lines in its streams, always sends usage, and reports mid-stream failures as its chunks with an
 * `error` field and `finish_reason: "error"`. The OpenAI flavour accepts calls without a key, as
 * Ollama does; OpenRouter does not.
 */
import { Hono } from "hono";
import { isRecord, type LlmSimulatorOptions, llmRoute, sseData, sseResponse } from "./common.ts";
import { embedText } from "./embed.ts";
import { ERRORS, streamErrorPayload } from "./errors.ts";
import { composeReply, countTokens, replyPieces } from "./replies.ts";
import type { LlmSimState } from "./state.ts";

export type OpenAiFlavor = "openai" | "openrouter";

const ROLES = ["system", "developer", "user", "assistant", "tool", "function"];
const MAX_EMBED_INPUTS = 2048;

interface ChatMessage {
  role: string;
  content: string;
}

export function createOpenAiSimulatorApp(
  state: LlmSimState,
  options: LlmSimulatorOptions & { flavor: OpenAiFlavor },
): Hono {
  const provider = options.flavor;
  const openRouter = provider === "openrouter";
  const errors = ERRORS[provider];
  const prefix = openRouter ? "/api/v1" : "/v1";
  const now = options.now ?? Date.now;
  const routeOptions = { ...options, provider, keyOptional: !openRouter };
  const app = new Hono();

  llmRoute(app, state, routeOptions, `${prefix}/chat/completions`, ({ c, body, fault }) => {
    const { model, messages, stream, includeUsage, maxTokens } = readChatRequest(body);
    const system = messages
      .filter((m) => m.role === "system" || m.role === "developer")
      .map((m) => m.content)
      .join("\n\n");
    const lastUser = messages.findLast((m) => m.role === "user")?.content ?? "";
    const reply = state.takeReply(provider, lastUser) ?? composeReply({ system, lastUserMessage: lastUser });

    let pieces = replyPieces(reply);
    let finish = "stop";
    if (maxTokens !== undefined && pieces.length > maxTokens) {
      pieces = pieces.slice(0, maxTokens);
      finish = "length";
    }
    if (fault?.kind === "content_filter") {
      pieces = [];
      finish = "content_filter";
    }
    const promptTokens = messages.reduce((sum, m) => sum + countTokens(m.content), 0);
    const usage = {
      prompt_tokens: promptTokens,
      completion_tokens: pieces.length,
      total_tokens: promptTokens + pieces.length,
    };
    const head = {
      id: openRouter ? `gen-sim-${state.nextId()}` : `chatcmpl-sim${state.nextId()}`,
      created: Math.floor(now() / 1000),
      model,
      ...(openRouter ? { provider: "Simulated" } : { system_fingerprint: "fp_simulated" }),
    };

    if (!stream) {
      if (fault?.kind === "stream_error") {
        // OpenRouter reports a failure after it accepted the request in a 200 body.
        if (openRouter) return c.json({ ...head, ...streamErrorPayload(provider) });
        throw errors.serverError();
      }
      return c.json({
        ...head,
        object: "chat.completion",
        choices: [
          {
            index: 0,
            message: { role: "assistant", content: pieces.join(""), refusal: null },
            logprobs: null,
            finish_reason: finish,
          },
        ],
        usage,
      });
    }

    const chunk = (delta: Record<string, unknown>, finishReason: string | null) =>
      sseData({
        ...head,
        object: "chat.completion.chunk",
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
      });
    const frames: string[] = [];
    if (openRouter) frames.push(": OPENROUTER PROCESSING\n\n");
    frames.push(chunk({ role: "assistant", content: "" }, null));
    const failAt = fault?.kind === "stream_error" ? Math.max(1, Math.floor(pieces.length / 2)) : -1;
    for (const [index, piece] of pieces.entries()) {
      if (index === failAt) break;
      frames.push(chunk({ content: piece }, null));
      if (openRouter && index === 0) frames.push(": OPENROUTER PROCESSING\n\n");
    }
    if (failAt !== -1) {
      const error = streamErrorPayload(provider);
      frames.push(
        openRouter
          ? sseData({
              ...head,
              object: "chat.completion.chunk",
              ...error,
              choices: [{ index: 0, delta: { content: "" }, finish_reason: "error" }],
            })
          : sseData(error),
      );
      return sseResponse(frames, options.streamDelayMs);
    }
    frames.push(chunk({}, finish));
    if (includeUsage || openRouter)
      frames.push(sseData({ ...head, object: "chat.completion.chunk", choices: [], usage }));
    frames.push("data: [DONE]\n\n");
    return sseResponse(frames, options.streamDelayMs);
  });

  llmRoute(app, state, routeOptions, `${prefix}/embeddings`, ({ c, body }) => {
    if (!isRecord(body)) throw errors.badRequest("We could not parse the JSON body of your request.");
    if (typeof body.model !== "string" || !body.model) throw errors.badRequest("you must provide a model parameter");
    const inputs = typeof body.input === "string" ? [body.input] : body.input;
    if (!Array.isArray(inputs) || inputs.length === 0 || !inputs.every((i) => typeof i === "string")) {
      throw errors.badRequest("'$.input' is invalid. Please check the API reference.", "input");
    }
    if (inputs.length > MAX_EMBED_INPUTS) {
      throw errors.badRequest(`'$.input' must have at most ${MAX_EMBED_INPUTS} items.`, "input");
    }
    const dimensions = body.dimensions ?? (body.model.includes("large") ? 3072 : 1536);
    if (typeof dimensions !== "number" || !Number.isInteger(dimensions) || dimensions < 1) {
      throw errors.badRequest("Invalid 'dimensions': expected a positive integer.", "dimensions");
    }
    const tokens = inputs.reduce((sum, text) => sum + countTokens(text), 0);
    return c.json({
      object: "list",
      data: inputs.map((text, index) => ({ object: "embedding", index, embedding: embedText(text, dimensions) })),
      model: body.model,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  });

  app.all("*", (c) =>
    c.json(
      openRouter
        ? { error: { code: 404, message: "Not Found" } }
        : {
            error: {
              message: `Invalid URL (${c.req.method} ${c.req.path})`,
              type: "invalid_request_error",
              param: null,
              code: null,
            },
          },
      404,
    ),
  );

  return app;

  function readChatRequest(body: unknown) {
    if (!isRecord(body)) throw errors.badRequest("We could not parse the JSON body of your request.");
    if (typeof body.model !== "string" || !body.model) throw errors.badRequest("you must provide a model parameter");
    if (!Array.isArray(body.messages)) throw errors.badRequest("Missing required parameter: 'messages'.", "messages");
    if (body.messages.length === 0) {
      throw errors.badRequest(
        "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
        "messages",
      );
    }
    const messages: ChatMessage[] = body.messages.map((message: unknown, index: number) => {
      const role = isRecord(message) ? message.role : undefined;
      if (typeof role !== "string" || !ROLES.includes(role)) {
        throw errors.badRequest(
          `Invalid value: '${String(role)}'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.`,
          `messages[${index}].role`,
        );
      }
      return { role, content: textOf((message as Record<string, unknown>).content) };
    });
    const limit = body.max_completion_tokens ?? body.max_tokens;
    const streamOptions = isRecord(body.stream_options) ? body.stream_options : {};
    return {
      model: body.model,
      messages,
      stream: body.stream === true,
      includeUsage: streamOptions.include_usage === true,
      maxTokens: typeof limit === "number" && limit > 0 ? limit : undefined,
    };
  }
}

/** A message's `content`: a string, or text parts (`[{type:"text",text}]`). */
function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((part) => (isRecord(part) && typeof part.text === "string" ? part.text : ""))
    .filter(Boolean)
    .join("\n");
}
