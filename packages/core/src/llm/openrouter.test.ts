/** The OpenRouter adapter against the simulator's fake OpenRouter over real HTTP. */
import { type LlmCall, type ServedSimulator, serveSimulator } from "@tandem/simulator";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createProvider } from "./create-provider.ts";
import { createOpenRouterProvider } from "./openrouter.ts";
import { LlmError, type LlmRequest, type LlmStreamEvent } from "./types.ts";

const KEY = "sk-or-v1-test-0123456789";
const FAST = { retry: { minDelayMs: 5, maxDelayMs: 20 } };
const REQUEST: LlmRequest = {
  model: "meta-llama/llama-3.3-70b-instruct",
  systemPrompt: "Be brief.",
  messages: [{ role: "user", content: "What are your opening hours?" }],
  maxTokens: 100,
};

let served: ServedSimulator;
let base = "";

beforeAll(async () => {
  served = await serveSimulator({ basePath: "/_simulator" });
  base = `${served.url}/llm/openrouter`;
});
afterAll(() => served.close());
beforeEach(() => served.simulator.reset());

const calls = (): LlmCall[] => served.simulator.llm.state.calls;
const openRouter = (extra: { appUrl?: string; appName?: string } = {}) =>
  createOpenRouterProvider({ kind: "OPENROUTER", apiKey: KEY, baseUrl: base, ...extra }, FAST);
const fault = (input: Parameters<typeof served.simulator.llm.state.addFault>[0]) =>
  served.simulator.llm.state.addFault({ provider: "openrouter", ...input });

async function streamParts(request: LlmRequest) {
  const deltas: string[] = [];
  let done: Extract<LlmStreamEvent, { type: "done" }> | undefined;
  let error: unknown;
  try {
    for await (const event of openRouter().stream(request)) {
      if (event.type === "delta") deltas.push(event.text);
      else done = event;
    }
  } catch (caught) {
    error = caught;
  }
  return { deltas, done, error };
}

describe("OpenRouter", () => {
  it("posts to /api/v1/chat/completions with max_tokens and the attribution headers", async () => {
    const provider = openRouter({ appUrl: "https://support.example.com", appName: "Tandem – Café" });
    const result = await provider.generate(REQUEST);

    expect(result).toMatchObject({ provider: "OPENROUTER", text: "You asked: What are your opening hours?" });
    const [call] = calls();
    expect(call?.path).toBe("/api/v1/chat/completions");
    expect(call?.headers).toMatchObject({
      "http-referer": "https://support.example.com",
      "x-title": "Tandem Cafe",
      "x-openrouter-title": "Tandem Cafe",
    });
    expect(call?.body).toMatchObject({ max_tokens: 100, messages: [{ role: "system", content: "Be brief." }, {}] });
  });

  it("accepts a base URL that already ends in /api/v1 (the default's form) without doubling it", async () => {
    const provider = createProvider(
      { kind: "OPENROUTER", apiKey: KEY },
      { ...FAST, baseUrls: { openrouterBaseUrl: `${base}/api/v1` } },
    );
    await provider.generate(REQUEST);
    expect(calls()[0]?.path).toBe("/api/v1/chat/completions");
  });

  it("streams past the : OPENROUTER PROCESSING comments, with usage at the end", async () => {
    const { deltas, done, error } = await streamParts(REQUEST);
    expect(error).toBeUndefined();
    expect(deltas.join("")).toBe("You asked: What are your opening hours?");
    expect(done?.result).toMatchObject({ finishReason: "stop", usage: { inputTokens: 7, outputTokens: 7 } });
  });

  it("turns a mid-stream error event into an LlmError", async () => {
    fault({ kind: "stream_error" });
    const { deltas, done, error } = await streamParts(REQUEST);
    expect(deltas.length).toBeGreaterThan(0);
    expect(done).toBeUndefined();
    expect(error).toBeInstanceOf(LlmError);
    expect(error).toMatchObject({ code: "provider_unavailable", provider: "OPENROUTER" });
    expect((error as LlmError).message).toContain("Provider disconnected unexpectedly");
  });

  it("reads an error in a 200 body as an error", async () => {
    fault({ kind: "stream_error" });
    await expect(openRouter().generate(REQUEST)).rejects.toMatchObject({ code: "provider_unavailable" });
  });

  it("maps 402 to provider_quota_exhausted and 403 moderation to content_filtered, without retrying", async () => {
    fault({ kind: "quota_exhausted" });
    await expect(openRouter().generate(REQUEST)).rejects.toMatchObject({
      code: "provider_quota_exhausted",
      status: 402,
    });
    fault({ kind: "prompt_blocked" });
    await expect(openRouter().generate(REQUEST)).rejects.toMatchObject({ code: "content_filtered", status: 403 });
    expect(calls().map((c) => c.status)).toEqual([402, 403]);
  });

  it("retries a 429 after its retry-after, then succeeds", async () => {
    fault({ kind: "rate_limit", retryAfterMs: 60 });
    const { done } = await streamParts(REQUEST);
    expect(done?.result.text).toContain("opening hours");
    expect(calls().map((c) => c.status)).toEqual([429, 200]);
  });

  it("rejects a revoked key with provider_auth_failed", async () => {
    served.simulator.llm.state.invalidKeys.add(KEY);
    await expect(openRouter().generate(REQUEST)).rejects.toMatchObject({ code: "provider_auth_failed", status: 401 });
    expect(calls()).toHaveLength(1);
  });

  it("embeds through /api/v1/embeddings with its default model", async () => {
    const result = await openRouter().embed(["shipping times", "return policy"], { dimensions: 8 });
    expect(result).toMatchObject({ model: "openai/text-embedding-3-small", dimensions: 8 });
    expect(result.vectors).toHaveLength(2);
    expect(result.vectors[0]).not.toEqual(result.vectors[1]);
    const [call] = calls();
    expect(call?.path).toBe("/api/v1/embeddings");
    expect(call?.body).toMatchObject({
      model: "openai/text-embedding-3-small",
      input: ["shipping times", "return policy"],
    });
  });
});
