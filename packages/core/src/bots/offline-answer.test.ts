import { describe, expect, it } from "vitest";
import { DEMO_FAQ } from "../demo/seed-demo.ts";
import { latinWords, offlineAnswer, scoreEntries, stem, terms, wordForms } from "./offline-answer.ts";

const RETURNS = DEMO_FAQ.findIndex((e) => e.question === "What is your return policy?");
const HOURS = DEMO_FAQ.findIndex((e) => e.question === "What are your opening hours?");
const SHIPPING_TIME = DEMO_FAQ.findIndex((e) => e.question === "How long does shipping take?");
const PAYMENT = DEMO_FAQ.findIndex((e) => e.question === "Which payment methods do you accept?");
const INTERNATIONAL = DEMO_FAQ.findIndex((e) => e.question === "Do you ship internationally?");

function answered(text: string, threshold?: number) {
  const result = offlineAnswer(DEMO_FAQ, text, { threshold });
  if (result.handoff) throw new Error(`"${text}" was handed off (confidence ${result.confidence})`);
  return result;
}

describe("offlineAnswer on the demo FAQ", () => {
  it("answers the FAQ's own question with full confidence and names its source", () => {
    const result = answered("What is your return policy?");
    expect(result).toEqual({
      handoff: false,
      text: DEMO_FAQ[RETURNS]!.answer,
      confidence: 1,
      source: { index: RETURNS, question: "What is your return policy?", score: 1 },
    });
  });

  it("ignores case, punctuation, accents and inflection", () => {
    expect(answered("WHAT'S YOUR RETURN POLICY???").source.index).toBe(RETURNS);
    expect(answered("return policies").source.index).toBe(RETURNS);
    expect(answered("opening hours").source.index).toBe(HOURS);
    expect(answered("When are you open?").source.index).toBe(HOURS);
    expect(answered("Do you ship internationally").source.index).toBe(INTERNATIONAL);
    expect(answered("Is international shipping possible?").source.index).toBe(INTERNATIONAL);
    expect(answered("how long does delivery take").source.index).toBe(SHIPPING_TIME);
  });

  it("matches words found only in an answer, with less confidence than in a question", () => {
    const paypal = answered("Can I pay with PayPal?");
    expect(paypal.source.index).toBe(PAYMENT);
    expect(paypal.confidence).toBeLessThan(1);
    expect(answered("I want a refund").source.index).toBe(RETURNS);
  });

  it("hands off when nothing matches well enough", () => {
    for (const text of ["hello", "Thanks!", "What is the meaning of life?", "", "   ", "?!"]) {
      expect(offlineAnswer(DEMO_FAQ, text)).toMatchObject({ handoff: true, reason: "low_confidence" });
    }
  });

  it("uses the threshold it is given", () => {
    const partial = answered("Can I return my shoes?");
    expect(partial.source.index).toBe(RETURNS);
    expect(offlineAnswer(DEMO_FAQ, "Can I return my shoes?", { threshold: partial.confidence + 0.01 })).toEqual({
      handoff: true,
      reason: "low_confidence",
      confidence: partial.confidence,
    });
    expect(answered("Can I return my shoes?", partial.confidence).source.index).toBe(RETURNS);
  });

  it("hands off with no FAQ at all", () => {
    expect(offlineAnswer([], "What is your return policy?")).toMatchObject({ handoff: true });
  });

  it("is deterministic", () => {
    const texts = ["Do you ship to Japan?", "Can I pay with PayPal?", "how much does shipping cost"];
    for (const text of texts) expect(offlineAnswer(DEMO_FAQ, text)).toEqual(offlineAnswer(DEMO_FAQ, text));
  });

  it("matches scripts without spaces by character bigrams", () => {
    const faq = [
      { question: "ส่งสินค้ากี่วัน", answer: "จัดส่งภายใน 2–4 วันทำการ" },
      { question: "返品はできますか", answer: "30日以内なら返品できます。" },
      { question: "营业时间是什么时候", answer: "周一至周五 9:00–18:00" },
    ];
    expect(offlineAnswer(faq, "ส่งสินค้าใช้เวลากี่วันคะ")).toMatchObject({ handoff: false, source: { index: 0 } });
    expect(offlineAnswer(faq, "返品したいです")).toMatchObject({ handoff: false, source: { index: 1 } });
    expect(offlineAnswer(faq, "你们的营业时间？")).toMatchObject({ handoff: false, source: { index: 2 } });
    expect(offlineAnswer(faq, "สวัสดีครับ")).toMatchObject({ handoff: true });
  });
});

describe("terms", () => {
  it("drops stop words and stems English words", () => {
    expect(terms("What is your return policy?")).toEqual(["return", "polici"]);
    expect(terms("Shipping, shipped, ships!")).toEqual(["ship", "ship", "ship"]);
    expect(terms("Crème brûlée")).toEqual(terms("creme brulee"));
  });

  it("splits Thai and Japanese into bigrams, Japanese kanji and kana apart", () => {
    expect(terms("人間")).toEqual(["人間"]);
    expect(terms("返品する")).toEqual(["返品", "する"]);
    expect(terms("ส่งของ")).toEqual(["ส่", "่ง", "งข", "ขอ", "อง"]);
  });

  it("stems plurals, -ing, -ed and final y", () => {
    expect(["hours", "opening", "policies", "payment", "internationally", "returned"].map(stem)).toEqual([
      "hour",
      "open",
      "polici",
      "pay",
      "international",
      "return",
    ]);
  });
});

describe("scoreEntries", () => {
  it("scores every entry in order, on the same scale as offlineAnswer", () => {
    const scores = scoreEntries(DEMO_FAQ, "What is your return policy?");
    expect(scores).toHaveLength(DEMO_FAQ.length);
    expect(scores[RETURNS]).toBe(1);
    expect(Math.max(...scores.filter((_, i) => i !== RETURNS))).toBeLessThan(0.35);
    expect(scoreEntries(DEMO_FAQ, "?!")).toEqual(DEMO_FAQ.map(() => 0));
  });
});

describe("wordForms", () => {
  it("spells out the regular words of a stem, each of which stems back to it, the question's own word first", () => {
    expect(wordForms(stem("shipping"), "shipping")).toEqual(
      expect.arrayContaining(["shipping", "ship", "ships", "shipped", "shipment", "shipments"]),
    );
    expect(wordForms(stem("shipping"), "shipping")[0]).toBe("shipping");
    expect(wordForms(stem("policy"))).toEqual(expect.arrayContaining(["policy", "policies"]));
    expect(wordForms(stem("prices"))).toEqual(expect.arrayContaining(["price", "prices", "priced", "pricing"]));
    expect(wordForms(stem("coffee"))).toEqual(["coffee", "coffees"]);
    for (const word of ["shipping", "policy", "prices", "coffee", "settings", "up", "3am"]) {
      for (const form of wordForms(stem(word), word)) expect(stem(form)).toBe(stem(word));
    }
    expect(wordForms(stem("ship"))).not.toContain("shipyard");
  });
});

describe("latinWords", () => {
  it("keeps the Latin words of a text unstemmed, without stop words, accents or apostrophes", () => {
    expect(latinWords("What's the café's Wi-Fi? ร้านเปิด Don’t ship")).toEqual(["cafe", "wi", "fi", "dont", "ship"]);
  });
});
