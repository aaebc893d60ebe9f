/** The OpenAI and OpenAI-compatible adapters against the simulator's fake OpenAI API over real HTTP. */
import { type LlmCall, type ServedSimulator, serveSimulator } from "@tandem/simulator";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createProvider } from "./create-provider.ts";
import { createOpenAiProvider } from "./openai.ts";
import { createOpenAiCompatibleProvider } from "./openai-compatible.ts";
import { LlmError, type LlmRequest, type LlmStreamEvent } from "./types.ts";

const KEY = "sk-test-openai-0123456789";
const FAST = { retry: { minDelayMs: 5, maxDelayMs: 20 } };
const HELLO: LlmRequest = {
  model: "gpt-4o-mini",
  systemPrompt: "You are the shop's assistant.",
  messages: [
    { role: "user", content: "Hi" },
    { role: "assistant", content: "Hello! How can I help?" },
    { role: "user", content: "Do you ship to Norway?" },
  ],
  temperature: 0.3,
  maxTokens: 300,
};

let served: ServedSimulator;
let base = "";

beforeAll(async () => {
  served = await serveSimulator({ basePath: "/_simulator" });
  base = `${served.url}/llm/openai`;
});
afterAll(() => served.close());
beforeEach(() => served.simulator.reset());

const calls = (): LlmCall[] => served.simulator.llm.state.calls;
const openai = (options = FAST, apiKey = KEY) =>
  createOpenAiProvider({ kind: "OPENAI", apiKey, baseUrl: base }, options);
const fault = (input: Parameters<typeof served.simulator.llm.state.addFault>[0]) =>
  served.simulator.llm.state.addFault(input);

async function collect(events: AsyncIterable<LlmStreamEvent>): Promise<LlmStreamEvent[]> {
  const out: LlmStreamEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

async function failure(promise: Promise<unknown>): Promise<LlmError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LlmError);
  return error as LlmError;
}

describe("OpenAI generate", () => {
  it("sends the system prompt first, the conversation as is, and max_completion_tokens", async () => {
    const result = await openai().generate(HELLO);

    expect(result).toMatchObject({
      text: "You asked: Do you ship to Norway?",
      finishReason: "stop",
      provider: "OPENAI",
      model: "gpt-4o-mini",
      usage: { inputTokens: 16, outputTokens: 7 },
    });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    const [call] = calls();
    expect(call?.path).toBe("/v1/chat/completions");
    expect(call?.auth).toEqual({ via: "bearer", keySuffix: "6789" });
    expect(call?.body).toEqual({
      model: "gpt-4o-mini",
      messages: [
        { role: "system", content: "You are the shop's assistant." },
        { role: "user", content: "Hi" },
        { role: "assistant", content: "Hello! How can I help?" },
        { role: "user", content: "Do you ship to Norway?" },
      ],
      temperature: 0.3,
      max_completion_tokens: 300,
    });
  });

  it("does not add a second /v1 to a base URL that has one, and reports a cut answer as length", async () => {
    const provider = createOpenAiProvider({ kind: "OPENAI", apiKey: KEY, baseUrl: `${base}/v1/` }, FAST);
    const result = await provider.generate({ ...HELLO, maxTokens: 2 });
    expect(result).toMatchObject({ text: "You asked: ", finishReason: "length" });
    expect(calls()[0]?.path).toBe("/v1/chat/completions");
  });

  it("falls back to OPENAI_BASE_URL (config.llm) when the configuration has no base URL", async () => {
    const provider = createProvider({ kind: "OPENAI", apiKey: KEY }, { ...FAST, baseUrls: { openaiBaseUrl: base } });
    expect((await provider.generate(HELLO)).text).toBe("You asked: Do you ship to Norway?");
  });

  it("answers with a scripted reply", async () => {
    served.simulator.llm.state.addReply({ match: "norway", reply: "Yes, we ship to Norway in 3–5 days." });
    expect((await openai().generate(HELLO)).text).toBe("Yes, we ship to Norway in 3–5 days.");
  });
});

describe("OpenAI stream", () => {
  it("yields the deltas in order, then one done with the usage of the final chunk", async () => {
    const events = await collect(openai().stream(HELLO));

    const deltas = events.filter((e) => e.type === "delta").map((e) => e.text);
    expect(deltas).toEqual(["You ", "asked: ", "Do ", "you ", "ship ", "to ", "Norway?"]);
    expect(events.at(-1)).toMatchObject({
      type: "done",
      result: { text: deltas.join(""), finishReason: "stop", usage: { inputTokens: 16, outputTokens: 7 } },
    });
    expect(events.filter((e) => e.type === "done")).toHaveLength(1);
    expect(calls()[0]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it("turns a mid-stream error event into an LlmError after the deltas that came before it", async () => {
    fault({ kind: "stream_error" });
    const seen: string[] = [];
    const error = await failure(
      (async () => {
        for await (const event of openai().stream(HELLO)) if (event.type === "delta") seen.push(event.text);
      })(),
    );
    expect(seen.length).toBeGreaterThan(0);
    expect(error).toMatchObject({ code: "provider_unavailable", retryable: true });
  });

  it("stops cleanly when the consumer breaks out early", async () => {
    for await (const event of openai().stream(HELLO)) {
      expect(event).toEqual({ type: "delta", text: "You " });
      break;
    }
    expect((await openai().generate(HELLO)).text).toContain("Norway");
  });
});

describe("OpenAI embed", () => {
  it("returns one vector per text in order, in batches of at most 2048", async () => {
    const texts = Array.from({ length: 2050 }, (_, i) => `text ${i}`);
    const result = await openai().embed(texts, { dimensions: 8 });

    expect(result.vectors).toHaveLength(2050);
    expect(result).toMatchObject({ model: "text-embedding-3-small", dimensions: 8, usage: { inputTokens: 4100 } });
    expect(calls().map((c) => (c.body as { input: string[] }).input.length)).toEqual([2048, 2]);
    const again = await openai().embed(["text 2049"], { dimensions: 8 });
    expect(again.vectors[0]).toEqual(result.vectors[2049]);
  });

  it("makes no call for no texts", async () => {
    expect(await openai().embed([])).toMatchObject({ vectors: [], dimensions: 0 });
    expect(calls()).toHaveLength(0);
  });
});

describe("OpenAI errors and retries", () => {
  it("retries a 429 after its retry-after, then succeeds", async () => {
    fault({ kind: "rate_limit", retryAfterMs: 120 });
    const started = performance.now();
    const result = await openai().generate(HELLO);

    expect(result.text).toContain("Norway");
    expect(performance.now() - started).toBeGreaterThanOrEqual(115);
    expect(result.latencyMs).toBeGreaterThanOrEqual(115);
    expect(calls().map((c) => c.status)).toEqual([429, 200]);
  });

  it("retries 5xx with backoff at most twice by default", async () => {
    fault({ kind: "unavailable", times: 5 });
    const error = await failure(openai().generate(HELLO));
    expect(error).toMatchObject({ code: "provider_unavailable", status: 503, retryable: true });
    expect(calls().map((c) => c.status)).toEqual([503, 503, 503]);
  });

  it("recovers from one 500", async () => {
    fault({ kind: "server_error" });
    expect((await openai().generate(HELLO)).text).toContain("Norway");
    expect(calls().map((c) => c.status)).toEqual([500, 200]);
  });

  it("does not retry insufficient_quota", async () => {
    fault({ kind: "quota_exhausted", times: 3 });
    const error = await failure(openai().generate(HELLO));
    expect(error).toMatchObject({ code: "provider_quota_exhausted", status: 429, retryable: false });
    expect(calls()).toHaveLength(1);
  });

  it("does not retry an invalid key, and the error does not contain the key", async () => {
    served.simulator.llm.state.invalidKeys.add(KEY);
    const error = await failure(openai().generate(HELLO));
    expect(error).toMatchObject({ code: "provider_auth_failed", status: 401, retryable: false, provider: "OPENAI" });
    expect(`${error.message} ${error.stack}`).not.toContain(KEY);
    expect(calls()).toHaveLength(1);
  });

  it("reports a missing key without calling", async () => {
    const error = await failure(openai(FAST, "").generate(HELLO));
    expect(error.code).toBe("provider_auth_failed");
    expect(calls()).toHaveLength(0);
  });

  it("maps a rejected request to provider_bad_request", async () => {
    const error = await failure(openai().generate({ ...HELLO, model: "" }));
    expect(error).toMatchObject({ code: "provider_bad_request", status: 400, retryable: false });
    expect(error.message).toContain("you must provide a model parameter");
  });

  it("maps a content_filter finish and a blocked prompt to content_filtered", async () => {
    fault({ kind: "content_filter" });
    expect((await failure(openai().generate(HELLO))).code).toBe("content_filtered");
    fault({ kind: "content_filter" });
    expect((await failure(collect(openai().stream(HELLO)))).code).toBe("content_filtered");
    fault({ kind: "prompt_blocked" });
    expect(await failure(openai().generate(HELLO))).toMatchObject({ code: "content_filtered", status: 400 });
  });

  it("times out with provider_timeout when the answer is slower than timeoutMs", async () => {
    fault({ kind: "slow", delayMs: 400 });
    const started = performance.now();
    const error = await failure(openai().generate({ ...HELLO, timeoutMs: 100 }));
    expect(error).toMatchObject({ code: "provider_timeout", retryable: true });
    expect(performance.now() - started).toBeLessThan(350);
  });

  it("gives up at once when the retry-after would outlast the deadline, passing the wait on", async () => {
    fault({ kind: "rate_limit", retryAfterMs: 5_000 });
    const error = await failure(openai().generate({ ...HELLO, timeoutMs: 1_000 }));
    expect(error).toMatchObject({ code: "provider_rate_limited", retryAfterMs: 5_000 });
    expect(calls()).toHaveLength(1);
  });

  it("rethrows the caller's abort, during the request or a retry wait, without retrying", async () => {
    fault({ kind: "slow", delayMs: 300 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const aborted = await openai()
      .generate({ ...HELLO, signal: controller.signal })
      .catch((e: unknown) => e);
    expect(aborted).toBeInstanceOf(DOMException);
    expect((aborted as DOMException).name).toBe("AbortError");

    served.simulator.reset();
    fault({ kind: "rate_limit", retryAfterMs: 2_000 });
    const reason = new Error("shutting down");
    const waiting = new AbortController();
    setTimeout(() => waiting.abort(reason), 80);
    await expect(openai().generate({ ...HELLO, signal: waiting.signal })).rejects.toBe(reason);
    expect(calls()).toHaveLength(1);
  });

  it("maps a refused connection to provider_unavailable", async () => {
    const closed = await serveSimulator();
    await closed.close();
    const provider = createOpenAiProvider(
      { kind: "OPENAI", apiKey: KEY, baseUrl: closed.url },
      { retry: { maxRetries: 0 } },
    );
    const error = await failure(provider.generate(HELLO));
    expect(error).toMatchObject({ code: "provider_unavailable", status: 0 });
  });
});

describe("OpenAI-compatible servers", () => {
  it("send max_tokens, work without a key, and take any base URL ending in /v1", async () => {
    const provider = createOpenAiCompatibleProvider({ kind: "OPENAI_COMPATIBLE", baseUrl: `${base}/v1` }, FAST);
    const result = await provider.generate({ ...HELLO, model: "llama3.3-70b-instruct" });

    expect(result).toMatchObject({ provider: "OPENAI_COMPATIBLE", model: "llama3.3-70b-instruct" });
    const [call] = calls();
    expect(call?.auth).toEqual({ via: "none" });
    expect(call?.headers.authorization).toBeUndefined();
    expect(call?.body).toMatchObject({ max_tokens: 300 });
    expect(call?.body).not.toHaveProperty("max_completion_tokens");
  });

  it("stream and embed with a configured embedding model", async () => {
    const provider = createProvider(
      { kind: "OPENAI_COMPATIBLE", baseUrl: base, apiKey: "any", embeddingModel: "nomic-embed-text" },
      FAST,
    );
    const events = await collect(provider.stream(HELLO));
    expect(events.at(-1)).toMatchObject({ type: "done", result: { usage: { outputTokens: 7 } } });
    const embedded = await provider.embed(["one", "two"]);
    expect(embedded).toMatchObject({ model: "nomic-embed-text", dimensions: 1536 });
  });

  it("explain what is missing: a base URL, an embedding model", async () => {
    const bare = createProvider({ kind: "OPENAI_COMPATIBLE" }, FAST);
    expect((await failure(bare.generate(HELLO))).message).toMatch(/base URL/);
    const noModel = createProvider({ kind: "OPENAI_COMPATIBLE", baseUrl: base }, FAST);
    expect((await failure(noModel.embed(["x"]))).code).toBe("provider_bad_request");
  });
});

describe("createProvider", () => {
  it("builds each HTTP adapter and refers OFFLINE to createOfflineProvider", () => {
    expect(createProvider({ kind: "OPENAI", apiKey: KEY }).kind).toBe("OPENAI");
    expect(createProvider({ kind: "GEMINI", apiKey: KEY }).kind).toBe("GEMINI");
    expect(createProvider({ kind: "OPENROUTER", apiKey: KEY }).kind).toBe("OPENROUTER");
    expect(createProvider({ kind: "OPENAI_COMPATIBLE" }).kind).toBe("OPENAI_COMPATIBLE");
    expect(() => createProvider({ kind: "OFFLINE" })).toThrow(/createOfflineProvider/);
  });
});
