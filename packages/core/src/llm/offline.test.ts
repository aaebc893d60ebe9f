import { describe, expect, it } from "vitest";
import { HANDOFF_MARKER } from "../bots/prompt.ts";
import { DEMO_FAQ } from "../demo/seed-demo.ts";
import { createOfflineProvider, OFFLINE_MODEL } from "./offline.ts";
import { type KnowledgeItem, LlmError, type LlmRequest } from "./types.ts";

const faq: KnowledgeItem[] = DEMO_FAQ.map((e, i) => ({
  id: `faq:${i}`,
  kind: "faq",
  title: e.question,
  content: e.answer,
}));
const passage: KnowledgeItem = {
  id: "chk_gift",
  kind: "passage",
  title: "Gift wrapping",
  content:
    "We love presents. Gift wrapping costs 50 THB per item and is chosen at checkout. Wrapped parcels include a handwritten card. Our paper is recycled.",
};
const ask = (text: string, knowledge: KnowledgeItem[] = faq, model = ""): LlmRequest => ({
  model,
  systemPrompt: "ignored by the offline provider",
  messages: [
    { role: "user", content: "Hello" },
    { role: "assistant", content: "Hi! How can I help?" },
    { role: "user", content: text },
  ],
  knowledge,
});

describe("offline provider", () => {
  const offline = createOfflineProvider();

  it("answers an FAQ question with the entry's answer, verbatim, and names its source", async () => {
    const result = await offline.generate(ask("What is your return policy?"));
    expect(result).toMatchObject({
      text: DEMO_FAQ[2]!.answer,
      usage: { inputTokens: 0, outputTokens: 0 },
      finishReason: "stop",
      provider: "OFFLINE",
      model: OFFLINE_MODEL,
      confidence: 1,
      sourceIds: ["faq:2"],
    });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    expect((await offline.generate(ask("What is your return policy?", faq, "my-model"))).model).toBe("my-model");
  });

  it("answers from a passage with its closest sentences, introduced by the title", async () => {
    const result = await offline.generate(ask("How much is gift wrapping?", [...faq, passage]));
    expect(result.text).toBe(
      "From “Gift wrapping”: Gift wrapping costs 50 THB per item and is chosen at checkout. Wrapped parcels include a handwritten card.",
    );
    expect(result.sourceIds).toEqual(["chk_gift"]);
  });

  it("uses the scores the orchestration gives, best one wins, earlier on a tie", async () => {
    const scored = [
      { ...faq[0]!, score: 0.5 },
      { ...faq[1]!, score: 0.9 },
      { ...faq[2]!, score: 0.9 },
    ];
    expect((await offline.generate(ask("anything", scored))).sourceIds).toEqual(["faq:1"]);
  });

  it("low confidence: the handoff marker alone, the confidence, no sources", async () => {
    for (const knowledge of [faq, []]) {
      const result = await offline.generate(ask("My parcel arrived crushed, what now?", knowledge));
      expect(result).toMatchObject({ text: HANDOFF_MARKER, sourceIds: [] });
      expect(result.confidence).toBeLessThan(0.35);
    }
    const strict = createOfflineProvider({ threshold: 0.95 });
    expect((await strict.generate(ask("Can I return my shoes?"))).text).toBe(HANDOFF_MARKER);
  });

  it("is deterministic and streams the same answer", async () => {
    const a = await offline.generate(ask("Do you ship internationally?"));
    const b = await offline.generate(ask("Do you ship internationally?"));
    expect({ ...a, latencyMs: 0 }).toEqual({ ...b, latencyMs: 0 });
    const events = [];
    for await (const event of offline.stream(ask("Do you ship internationally?"))) events.push(event);
    expect(events).toEqual([
      { type: "delta", text: a.text },
      { type: "done", result: expect.objectContaining({ text: a.text }) },
    ]);
  });

  it("has no embeddings", async () => {
    const error = await offline.embed(["hello"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LlmError);
    expect(error).toMatchObject({
      code: "provider_bad_request",
      retryable: false,
      message: "the offline provider has no embeddings",
    });
  });
});
