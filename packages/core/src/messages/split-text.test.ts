import { describe, expect, it } from "vitest";
import { codePointLength, splitText } from "./split-text.ts";

const wordBoundaries = (text: string) =>
  new Set([...new Intl.Segmenter(undefined, { granularity: "word" }).segment(text)].map((s) => s.index));

/** Every part fits, nothing is lost but the whitespace at the cuts, and the order is kept. */
function expectLossless(text: string, parts: string[], max: number) {
  for (const part of parts) expect(codePointLength(part)).toBeLessThanOrEqual(max);
  expect(parts.join("").replace(/\s+/g, "")).toBe(text.replace(/\s+/g, ""));
  for (const part of parts) expect(part).toBe(part.trim());
}

describe("splitText", () => {
  it("keeps a short text whole (trimmed) and drops an empty one", () => {
    expect(splitText("  Hello there.  ", 2000)).toEqual(["Hello there."]);
    expect(splitText("   ", 2000)).toEqual([]);
    const exact = "a".repeat(2000);
    expect(splitText(exact, 2000)).toEqual([exact]);
  });

  it("cuts on sentence boundaries when sentences fit", () => {
    const sentence = "The quick brown fox jumps over the lazy dog. ";
    const text = sentence.repeat(100).trim();
    const parts = splitText(text, 2000);
    expect(parts.length).toBe(3);
    expectLossless(text, parts, 2000);
    for (const part of parts) expect(part.endsWith("dog.")).toBe(true);
    // Greedy: a part takes as many whole sentences as fit.
    expect(codePointLength(parts[0]!)).toBeGreaterThan(2000 - sentence.length);
  });

  it("cuts a sentence longer than the limit on word boundaries", () => {
    const text = `${"word ".repeat(900)}end.`;
    const parts = splitText(text, 2000);
    expectLossless(text, parts, 2000);
    for (const part of parts) expect(part).toMatch(/^(word )*(word|end\.)$/);
  });

  it("hard-cuts a run without any boundary, never inside an emoji", () => {
    const letters = "x".repeat(4500);
    expect(splitText(letters, 2000).map(codePointLength)).toEqual([2000, 2000, 500]);
    const emoji = "👍🏽".repeat(1500); // two code points per grapheme
    const parts = splitText(emoji, 2000);
    expectLossless(emoji, parts, 2000);
    for (const part of parts) expect(part).toMatch(/^(👍🏽)+$/u);
  });

  it("splits Thai, written without spaces, between words", () => {
    const text = "สวัสดีครับยินดีต้อนรับสู่ร้านของเราวันนี้มีโปรโมชั่นพิเศษสำหรับลูกค้าทุกท่าน".repeat(60);
    expect(text).not.toMatch(/\s/);
    const parts = splitText(text, 2000);
    expect(parts.length).toBeGreaterThan(1);
    expectLossless(text, parts, 2000);
    const boundaries = wordBoundaries(text);
    let offset = 0;
    for (const part of parts.slice(0, -1)) {
      offset += part.length;
      expect(boundaries.has(offset), `cut at ${offset} is a word boundary`).toBe(true);
    }
  });

  it("splits Japanese on 。 sentence ends", () => {
    const text =
      "本日はご来店いただき誠にありがとうございます。ご不明な点がございましたらお気軽にお問い合わせください。".repeat(
        50,
      );
    const parts = splitText(text, 2000);
    expect(parts.length).toBeGreaterThan(1);
    expectLossless(text, parts, 2000);
    for (const part of parts) expect(part.endsWith("。")).toBe(true);
  });

  it("splits a long Japanese sentence without punctuation between words", () => {
    const text = "東京都渋谷区の店舗では新しい商品を毎週入荷しております".repeat(120);
    const parts = splitText(text, 2000);
    expectLossless(text, parts, 2000);
    const boundaries = wordBoundaries(text);
    let offset = 0;
    for (const part of parts.slice(0, -1)) {
      offset += part.length;
      expect(boundaries.has(offset), `cut at ${offset} is a word boundary`).toBe(true);
    }
  });
});
