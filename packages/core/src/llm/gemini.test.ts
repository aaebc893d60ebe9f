/** The Gemini adapter against the simulator's fake Gemini API over real HTTP. */
import { type LlmCall, type ServedSimulator, serveSimulator } from "@tandem/simulator";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createGeminiProvider, toGeminiRequest } from "./gemini.ts";
import { LlmError, type LlmRequest, type LlmStreamEvent } from "./types.ts";

const KEY = "AIzaSy-test-0123456789";
const FAST = { retry: { minDelayMs: 5, maxDelayMs: 20 } };
const REQUEST: LlmRequest = {
  model: "gemini-2.0-flash",
  systemPrompt: "You are a shop assistant.",
  messages: [
    { role: "user", content: "Hi" },
    { role: "assistant", content: "Hello!" },
    { role: "assistant", content: "Anything else?" },
    { role: "user", content: "Price of the blue mug?" },
  ],
  temperature: 0.4,
  maxTokens: 512,
};

let served: ServedSimulator;

beforeAll(async () => {
  served = await serveSimulator({ basePath: "/_simulator" });
});
afterAll(() => served.close());
beforeEach(() => served.simulator.reset());

const calls = (): LlmCall[] => served.simulator.llm.state.calls;
const gemini = (apiKey = KEY) =>
  createGeminiProvider({ kind: "GEMINI", apiKey, baseUrl: `${served.url}/llm/gemini` }, FAST);
const fault = (input: Parameters<typeof served.simulator.llm.state.addFault>[0]) =>
  served.simulator.llm.state.addFault({ provider: "gemini", ...input });

async function collect(events: AsyncIterable<LlmStreamEvent>): Promise<LlmStreamEvent[]> {
  const out: LlmStreamEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

describe("toGeminiRequest", () => {
  it("puts the system prompt and system messages in systemInstruction and merges consecutive roles", () => {
    const body = toGeminiRequest({
      model: "m",
      systemPrompt: "Rules.",
      messages: [
        { role: "system", content: "More rules." },
        { role: "user", content: "a" },
        { role: "user", content: "b" },
        { role: "assistant", content: "c" },
      ],
    });
    expect(body).toEqual({
      systemInstruction: { parts: [{ text: "Rules.\n\nMore rules." }] },
      contents: [
        { role: "user", parts: [{ text: "a" }, { text: "b" }] },
        { role: "model", parts: [{ text: "c" }] },
      ],
    });
  });
});

describe("Gemini generate", () => {
  it("calls generateContent with the key in x-goog-api-key, model roles and generationConfig", async () => {
    const result = await gemini().generate(REQUEST);

    expect(result).toMatchObject({
      provider: "GEMINI",
      model: "gemini-2.0-flash",
      text: "You asked: Price of the blue mug?",
      finishReason: "stop",
      usage: { inputTokens: 14, outputTokens: 7 },
    });
    const [call] = calls();
    expect(call?.path).toBe("/v1beta/models/gemini-2.0-flash:generateContent");
    expect(call?.auth).toEqual({ via: "header", keySuffix: "6789" });
    expect(call?.query).toEqual({});
    expect(call?.body).toEqual({
      systemInstruction: { parts: [{ text: "You are a shop assistant." }] },
      contents: [
        { role: "user", parts: [{ text: "Hi" }] },
        { role: "model", parts: [{ text: "Hello!" }, { text: "Anything else?" }] },
        { role: "user", parts: [{ text: "Price of the blue mug?" }] },
      ],
      generationConfig: { temperature: 0.4, maxOutputTokens: 512 },
    });
  });

  it("maps MAX_TOKENS to length", async () => {
    const result = await gemini().generate({ ...REQUEST, maxTokens: 3 });
    expect(result).toMatchObject({ text: "You asked: Price ", finishReason: "length" });
  });
});

describe("Gemini stream", () => {
  it("uses streamGenerateContent?alt=sse, yields the deltas in order and ends with the usage", async () => {
    const events = await collect(gemini().stream(REQUEST));

    expect(events.filter((e) => e.type === "delta").map((e) => e.text)).toEqual([
      "You asked: Price ",
      "of the blue ",
      "mug?",
    ]);
    expect(events.at(-1)).toMatchObject({
      type: "done",
      result: { text: "You asked: Price of the blue mug?", usage: { inputTokens: 14, outputTokens: 7 } },
    });
    expect(calls()[0]?.path).toBe("/v1beta/models/gemini-2.0-flash:streamGenerateContent");
    expect(calls()[0]?.query).toEqual({ alt: "sse" });
  });

  it("turns a mid-stream error into an LlmError", async () => {
    fault({ kind: "stream_error" });
    const error = await collect(gemini().stream(REQUEST)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LlmError);
    expect(error).toMatchObject({ code: "provider_unavailable", status: 500 });
  });
});

describe("Gemini embed", () => {
  it("uses batchEmbedContents in batches of 100 with outputDimensionality", async () => {
    const texts = Array.from({ length: 101 }, (_, i) => `passage ${i}`);
    const result = await gemini().embed(texts, { dimensions: 768 });

    expect(result).toMatchObject({ model: "gemini-embedding-001", dimensions: 768 });
    expect(result.vectors).toHaveLength(101);
    expect(calls().map((c) => c.path)).toEqual([
      "/v1beta/models/gemini-embedding-001:batchEmbedContents",
      "/v1beta/models/gemini-embedding-001:batchEmbedContents",
    ]);
    expect(calls()[1]?.body).toEqual({
      requests: [
        {
          model: "models/gemini-embedding-001",
          content: { parts: [{ text: "passage 100" }] },
          outputDimensionality: 768,
        },
      ],
    });
  });
});

describe("Gemini errors", () => {
  it("maps an invalid key (400 API_KEY_INVALID) to provider_auth_failed without retrying", async () => {
    served.simulator.llm.state.invalidKeys.add(KEY);
    const error = await gemini()
      .generate(REQUEST)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "provider_auth_failed", status: 400, retryable: false });
    expect(String((error as Error).message)).not.toContain(KEY);
    expect(calls()).toHaveLength(1);
  });

  it("retries RESOURCE_EXHAUSTED with a RetryInfo delay, and not a spent quota", async () => {
    fault({ kind: "rate_limit", retryAfterMs: 50 });
    expect((await gemini().generate(REQUEST)).text).toContain("blue mug");
    expect(calls().map((c) => c.status)).toEqual([429, 200]);

    served.simulator.reset();
    fault({ kind: "quota_exhausted", times: 3 });
    await expect(gemini().generate(REQUEST)).rejects.toMatchObject({ code: "provider_quota_exhausted", status: 429 });
    expect(calls()).toHaveLength(1);
  });

  it("maps a SAFETY finish and a blocked prompt to content_filtered", async () => {
    fault({ kind: "content_filter" });
    await expect(gemini().generate(REQUEST)).rejects.toMatchObject({ code: "content_filtered" });
    fault({ kind: "content_filter" });
    await expect(collect(gemini().stream(REQUEST))).rejects.toMatchObject({ code: "content_filtered" });
    fault({ kind: "prompt_blocked" });
    await expect(gemini().generate(REQUEST)).rejects.toMatchObject({
      code: "content_filtered",
      message: expect.stringContaining("SAFETY"),
    });
  });

  it("retries 503 and times out a slow answer", async () => {
    fault({ kind: "unavailable" });
    expect((await gemini().generate(REQUEST)).text).toContain("blue mug");

    fault({ kind: "slow", delayMs: 300 });
    await expect(gemini().generate({ ...REQUEST, timeoutMs: 80 })).rejects.toMatchObject({ code: "provider_timeout" });
  });
});
