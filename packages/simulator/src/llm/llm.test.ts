import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createSimulator } from "../simulator.ts";
import { SIMULATED_HANDOFF_MARKER } from "./replies.ts";
import { type ServedSimulator, serveSimulator } from "./serve.ts";
import type { LlmCall } from "./state.ts";

const sim = createSimulator({ basePath: "/_simulator" });
beforeEach(() => sim.reset());

async function post(path: string, body: unknown, headers: Record<string, string> = { authorization: "Bearer sk-a" }) {
  const response = await sim.app.request(`/_simulator${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

const chat = (content: string, extra: Record<string, unknown> = {}) => ({
  model: "gpt-4o-mini",
  messages: [{ role: "user", content }],
  ...extra,
});

const dataEvents = (text: string) =>
  text
    .split("\n\n")
    .filter((frame) => frame.startsWith("data: "))
    .map((frame) => frame.slice(6));

describe("fake OpenAI chat completions", () => {
  it("answers JSON in OpenAI's shape", async () => {
    const response = await post("/llm/openai/v1/chat/completions", chat("Where is my order?"));
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toMatchObject({
      object: "chat.completion",
      model: "gpt-4o-mini",
      choices: [
        { index: 0, message: { role: "assistant", content: "You asked: Where is my order?" }, finish_reason: "stop" },
      ],
      usage: { prompt_tokens: 4, completion_tokens: 6, total_tokens: 10 },
    });
  });

  it("streams chunks, a usage chunk with choices: [] when asked, then [DONE]", async () => {
    const response = await post(
      "/llm/openai/v1/chat/completions",
      chat("Hi there", { stream: true, stream_options: { include_usage: true } }),
    );
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const events = dataEvents(response.text);
    expect(events.at(-1)).toBe("[DONE]");
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? null).join("")).toBe("You asked: Hi there");
    expect(chunks.at(-2).choices[0].finish_reason).toBe("stop");
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 2, completion_tokens: 4 } });

    const withoutUsage = dataEvents((await post("/llm/openai/v1/chat/completions", chat("Hi", { stream: true }))).text);
    expect(withoutUsage.some((e) => e.includes('"usage"'))).toBe(false);
  });

  it("rejects what OpenAI rejects, in its error shape", async () => {
    const noModel = await post("/llm/openai/v1/chat/completions", { messages: [] });
    expect(noModel.status).toBe(400);
    expect(JSON.parse(noModel.text)).toEqual({
      error: { message: "you must provide a model parameter", type: "invalid_request_error", param: null, code: null },
    });
    const badRole = await post("/llm/openai/v1/chat/completions", {
      model: "m",
      messages: [{ role: "model", content: "x" }],
    });
    expect(JSON.parse(badRole.text).error.param).toBe("messages[0].role");
  });
});

describe("replies", () => {
  const system = [
    "You answer for Blue Fjord Outfitters.",
    "## Knowledge",
    "- Q: What are your opening hours? A: We are open 9–17, Monday to Saturday.",
    "- Q: Do you ship to Norway? A: Yes, Norway takes 3–5 working days.",
    "## Rules",
    "Be brief.",
  ].join("\n");
  const ask = async (content: string, provider: "openai" | "gemini" = "openai") => {
    if (provider === "gemini") {
      const response = await post(
        "/llm/gemini/v1beta/models/gemini-2.0-flash:generateContent",
        { systemInstruction: { parts: [{ text: system }] }, contents: [{ role: "user", parts: [{ text: content }] }] },
        { "x-goog-api-key": "AIza-a" },
      );
      return JSON.parse(response.text).candidates[0].content.parts[0].text as string;
    }
    const response = await post("/llm/openai/v1/chat/completions", {
      model: "m",
      messages: [
        { role: "system", content: system },
        { role: "user", content },
      ],
    });
    return JSON.parse(response.text).choices[0].message.content as string;
  };

  it("answers from the knowledge section of the system prompt, else echoes", async () => {
    expect(await ask("when are you open? what hours")).toBe("We are open 9–17, Monday to Saturday.");
    expect(await ask("Can you ship a tent to Norway?", "gemini")).toBe("Yes, Norway takes 3–5 working days.");
    expect(await ask("Is the red kayak waterproof?")).toBe("You asked: Is the red kayak waterproof?");
  });

  it("hands over with the marker when the customer asks for a person", async () => {
    expect(await ask("Can I talk to a real person please")).toContain(SIMULATED_HANDOFF_MARKER);
    expect(await ask("I want to speak with someone from your team", "gemini")).toContain(SIMULATED_HANDOFF_MARKER);
  });

  it("plays scripted replies: the next one first, then those matching the message", async () => {
    sim.llm.state.addReply({ match: "kayak", reply: "The kayak is waterproof." });
    sim.llm.state.addReply({ reply: "First!" });
    expect(await ask("Is the red kayak waterproof?")).toBe("First!");
    expect(await ask("Is the red KAYAK waterproof?")).toBe("The kayak is waterproof.");
    expect(await ask("Is the red kayak waterproof?", "gemini")).toBe("The kayak is waterproof.");
  });
});

describe("fake OpenRouter", () => {
  it("requires a key and streams with comment lines", async () => {
    expect((await post("/llm/openrouter/api/v1/chat/completions", chat("x"), {})).status).toBe(401);
    const response = await post("/llm/openrouter/api/v1/chat/completions", chat("Hello", { stream: true }));
    expect(response.text.startsWith(": OPENROUTER PROCESSING\n\n")).toBe(true);
    expect(dataEvents(response.text).at(-1)).toBe("[DONE]");
  });

  it("fails mid-stream with an error chunk and finish_reason error", async () => {
    sim.llm.state.addFault({ kind: "stream_error", provider: "openrouter" });
    const events = dataEvents(
      (await post("/llm/openrouter/api/v1/chat/completions", chat("one two three four", { stream: true }))).text,
    );
    const last = JSON.parse(events.at(-1) ?? "{}");
    expect(last).toMatchObject({
      error: { code: "server_error" },
      choices: [{ finish_reason: "error" }],
    });
    expect(events).not.toContain("[DONE]");
  });
});

describe("fake Gemini", () => {
  const path = "/llm/gemini/v1beta/models/gemini-2.0-flash";
  const key = { "x-goog-api-key": "AIza-a" };

  it("rejects the assistant role, as Gemini does", async () => {
    const response = await post(
      `${path}:generateContent`,
      { contents: [{ role: "assistant", parts: [{ text: "hi" }] }] },
      key,
    );
    expect(response.status).toBe(400);
    expect(JSON.parse(response.text).error).toMatchObject({ code: 400, status: "INVALID_ARGUMENT" });
  });

  it("streams SSE without [DONE], or a JSON array without alt=sse", async () => {
    const body = { contents: [{ role: "user", parts: [{ text: "Hello" }] }] };
    const sse = await post(`${path}:streamGenerateContent?alt=sse`, body, key);
    const events = dataEvents(sse.text).map((e) => JSON.parse(e));
    expect(events.at(-1)).toMatchObject({
      candidates: [{ finishReason: "STOP" }],
      usageMetadata: { totalTokenCount: 4 },
    });
    expect(sse.text).not.toContain("[DONE]");
    const array = JSON.parse((await post(`${path}:streamGenerateContent`, body, key)).text);
    expect(array).toHaveLength(events.length);
  });

  it("embeds deterministically; texts sharing words are closer (Gemini)", async () => {
    const embed = async (text: string) => {
      const response = await post(
        "/llm/gemini/v1beta/models/gemini-embedding-001:embedContent",
        { content: { parts: [{ text }] }, outputDimensionality: 256 },
        key,
      );
      return JSON.parse(response.text).embedding.values as number[];
    };
    const dot = (a: number[], b: number[]) => a.reduce((sum, v, i) => sum + v * (b[i] ?? 0), 0);
    const a = await embed("shipping to Norway");
    expect(a).toHaveLength(256);
    expect(await embed("shipping to Norway")).toEqual(a);
    expect(dot(a, await embed("Norway shipping times"))).toBeGreaterThan(dot(a, await embed("kayak colours")));
  });

  it("answers a missing key with 403 and an invalid one with 400 API_KEY_INVALID", async () => {
    const body = { contents: [{ role: "user", parts: [{ text: "x" }] }] };
    expect((await post(`${path}:generateContent`, body, {})).status).toBe(403);
    sim.llm.state.invalidKeys.add("AIza-bad");
    const invalid = await post(`${path}:generateContent`, body, { "x-goog-api-key": "AIza-bad" });
    expect(JSON.parse(invalid.text).error.details[0].reason).toBe("API_KEY_INVALID");
  });
});

describe("embeddings", () => {
  const embed = async (input: string | string[], dimensions?: number) => {
    const response = await post("/llm/openai/v1/embeddings", { model: "text-embedding-3-small", input, dimensions });
    expect(response.status).toBe(200);
    return (JSON.parse(response.text).data as { embedding: number[] }[]).map((d) => d.embedding);
  };
  const cosine = (a: number[], b: number[]) => a.reduce((sum, v, i) => sum + v * (b[i] ?? 0), 0);
  /** Similarity of the question to each text, in the order given. */
  const similarities = async (question: string, texts: string[]) => {
    const [q, ...rest] = await embed([question, ...texts], 512);
    return rest.map((v) => cosine(q!, v));
  };

  it("honours dimensions, returns unit vectors, and is deterministic", async () => {
    const [a, b] = await embed(["Refunds take five business days.", "!!!"], 300);
    expect(a).toHaveLength(300);
    expect(b).toHaveLength(300);
    expect(Math.hypot(...a!)).toBeCloseTo(1, 4);
    expect(Math.hypot(...b!)).toBeCloseTo(1, 4);
    expect((await embed("Refunds take five business days.", 300))[0]).toEqual(a);
    expect(await embed("x")).toEqual([expect.any(Array)]);
    expect((await embed("x"))[0]).toHaveLength(1536);
  });

  it("puts a paraphrase closer than an unrelated text, though they share no word", async () => {
    const [refund, hours] = await similarities("How do I get my money back?", [
      "Refunds are issued to the original payment method within 5 business days.",
      "Our showroom is open Monday to Saturday, 10:00 to 19:00.",
    ]);
    expect(refund).toBeGreaterThan(0.15);
    expect(refund).toBeGreaterThan(hours! + 0.1);
    const [delivery, password] = await similarities("When will my parcel arrive?", [
      "Delivery takes 2–4 business days in Thailand.",
      "You can reset your password from the sign-in page.",
    ]);
    expect(delivery).toBeGreaterThan(password! + 0.1);
  });

  it("keeps word families and spelling variants near (stems and character n-grams)", async () => {
    const [refunded, refunding, unrelated] = await similarities("refund", ["refunded", "Refunding", "kayak"]);
    expect(refunded).toBeGreaterThan(0.9);
    expect(refunding).toBeGreaterThan(0.9);
    expect(unrelated).toBeLessThan(0.1);
    const [accented, other] = await similarities("café opening", ["Cafe opening", "kayak rental"]);
    expect(accented).toBeGreaterThan(0.9);
    expect(other).toBeLessThan(0.1);
  });

  it("matches English and Thai texts about the same thing", async () => {
    const [refundTh, hoursTh] = await similarities("How do I get a refund?", ["ขอคืนเงินได้อย่างไร", "ร้านเปิดกี่โมง"]);
    expect(refundTh).toBeGreaterThan(hoursTh! + 0.1);
    const [hoursEn, warrantyEn] = await similarities("ร้านเปิดกี่โมงครับ", [
      "What are your opening hours?",
      "The warranty covers manufacturing faults for two years.",
    ]);
    expect(hoursEn).toBeGreaterThan(warrantyEn! + 0.1);
  });

  it("splits Thai into words and bigrams: a Thai question finds the Thai passage that answers it", async () => {
    const [shipping, password] = await similarities("ส่งของกี่วันถึง", [
      "เราจัดส่งสินค้าภายใน 2-4 วันทำการทั่วประเทศไทย",
      "คุณสามารถตั้งรหัสผ่านใหม่ได้จากหน้าเข้าสู่ระบบ",
    ]);
    expect(shipping).toBeGreaterThan(password! + 0.1);
  });
});

describe("faults", () => {
  it("apply to the next calls in order, or to every call with a key", async () => {
    sim.llm.state.addFault({ kind: "server_error", times: 2 });
    sim.llm.state.addFault({
      kind: "rate_limit",
      key: "sk-limited",
      times: Number.POSITIVE_INFINITY,
      retryAfterMs: 1500,
    });
    const limited = await post("/llm/openai/v1/chat/completions", chat("x"), { authorization: "Bearer sk-limited" });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after-ms")).toBe("1500");
    expect(limited.headers.get("retry-after")).toBe("2");
    expect(JSON.parse(limited.text).error.code).toBe("rate_limit_exceeded");

    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await post("/llm/openai/v1/chat/completions", chat("x"))).status);
    expect(statuses).toEqual([500, 500, 200]);
    expect(
      (await post("/llm/openai/v1/chat/completions", chat("x"), { authorization: "Bearer sk-limited" })).status,
    ).toBe(429);
  });

  it("answer quota in each provider's way", async () => {
    for (const provider of ["openai", "openrouter", "gemini"] as const) {
      sim.llm.state.addFault({ kind: "quota_exhausted", provider });
    }
    const openai = await post("/llm/openai/v1/chat/completions", chat("x"));
    const openrouter = await post("/llm/openrouter/api/v1/chat/completions", chat("x"));
    const gemini = await post(
      "/llm/gemini/v1beta/models/g:generateContent",
      { contents: [{ parts: [{ text: "x" }] }] },
      { "x-goog-api-key": "k" },
    );
    expect([openai.status, openrouter.status, gemini.status]).toEqual([429, 402, 429]);
    expect(JSON.parse(openai.text).error.code).toBe("insufficient_quota");
    expect(JSON.parse(gemini.text).error.status).toBe("RESOURCE_EXHAUSTED");
  });
});

describe("over HTTP with the control API", () => {
  let served: ServedSimulator;
  beforeAll(async () => {
    served = await serveSimulator({ basePath: "/_simulator" });
  });
  afterAll(() => served.close());

  const control = (method: string, path: string, body?: unknown) =>
    fetch(`${served.url}/_control/llm${path}`, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it("scripts replies, injects faults, marks keys invalid and lists calls without keys", async () => {
    expect((await control("POST", "/replies", { reply: "Scripted." })).status).toBe(204);
    expect((await control("POST", "/faults", { kind: "unavailable", provider: "openai" })).status).toBe(204);
    expect((await control("POST", "/invalid-keys", { key: "sk-revoked" })).status).toBe(204);
    expect((await control("POST", "/faults", { kind: "nope" })).status).toBe(400);

    const send = (key: string) =>
      fetch(`${served.url}/llm/openai/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body: JSON.stringify(chat("hello")),
      });
    expect((await send("sk-good-1234")).status).toBe(503);
    expect((await send("sk-revoked")).status).toBe(401);
    const ok = await send("sk-good-1234");
    expect((await ok.json()).choices[0].message.content).toBe("Scripted.");

    const { data } = (await (await control("GET", "/calls?provider=openai&since=1")).json()) as { data: LlmCall[] };
    expect(data.map((call) => [call.seq, call.status, call.fault ?? null])).toEqual([
      [2, 401, null],
      [3, 200, null],
    ]);
    expect(data[1]?.auth).toEqual({ via: "bearer", keySuffix: "1234" });
    expect(JSON.stringify(data)).not.toContain("sk-good-1234");
    expect(data[1]?.path).toBe("/v1/chat/completions");

    expect((await control("POST", "/reset")).status).toBe(204);
    expect(served.simulator.llm.state.calls).toHaveLength(0);
    expect(served.simulator.llm.state.invalidKeys.size).toBe(0);
  });
});
