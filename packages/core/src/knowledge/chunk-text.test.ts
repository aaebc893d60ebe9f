import { describe, expect, it } from "vitest";
import { chunkText, countTokens } from "./chunk-text.ts";
import { scriptLanguage } from "./script-language.ts";
import { bigramQueryTerms, bigramToken, searchTermsOf } from "./search-terms.ts";

const thaiWords = new Intl.Segmenter("th", { granularity: "word" });
/** Offsets in `text` where Thai words end (and a cut may fall). */
function wordBoundaries(text: string): Set<number> {
  const out = new Set<number>([0, text.length]);
  for (const s of thaiWords.segment(text)) out.add(s.index + s.segment.length);
  return out;
}

describe("chunkText", () => {
  it("keeps the heading path with every chunk and never crosses a heading", () => {
    const text = [
      "# Returns",
      "You may return any item within 30 days.",
      "## Refund times",
      "Refunds reach your card within 5 business days.",
      "## Exchanges",
      "Exchanges ship free.",
      "# Shipping",
      "We ship to Thailand and Laos.",
    ].join("\n");
    const chunks = chunkText(text);
    expect(chunks.map((c) => [c.headingPath, c.content])).toEqual([
      [["Returns"], "You may return any item within 30 days."],
      [["Returns", "Refund times"], "Refunds reach your card within 5 business days."],
      [["Returns", "Exchanges"], "Exchanges ship free."],
      [["Shipping"], "We ship to Thailand and Laos."],
    ]);
    expect(chunks[0]!.page).toBeNull();
  });

  it("cuts long sections at about the target with overlapping sentences", () => {
    const sentence = (i: number) => `Sentence number ${i} talks about the warranty terms of the product. `;
    const text = `# Warranty\n${Array.from({ length: 60 }, (_, i) => sentence(i)).join("")}`;
    const chunks = chunkText(text, { targetTokens: 100, overlap: 0.15 });
    expect(chunks.length).toBeGreaterThan(5);
    for (const c of chunks) {
      expect(c.tokenCount).toBeLessThanOrEqual(100);
      expect(c.headingPath).toEqual(["Warranty"]);
    }
    // The last sentence of a chunk starts the next one.
    const last = chunks[0]!.content.split(/(?<=\.) /).pop()!;
    expect(chunks[1]!.content.startsWith(last)).toBe(true);
    // Every sentence is in some chunk.
    for (let i = 0; i < 60; i++) expect(chunks.some((c) => c.content.includes(`number ${i} `))).toBe(true);
  });

  it("keeps a small table whole and splits a big one by rows with its header repeated", () => {
    const header = "| Size | Chest | Waist |\n| --- | --- | --- |";
    const small = `# Sizes\n${header}\n| S | 86 | 70 |\n| M | 92 | 76 |\n\nAfter the table.`;
    expect(chunkText(small, { targetTokens: 40 }).map((c) => c.content)).toEqual([
      `${header}\n| S | 86 | 70 |\n| M | 92 | 76 |\n\nAfter the table.`,
    ]);

    const rows = Array.from({ length: 40 }, (_, i) => `| size-${i} | ${80 + i} | ${60 + i} |`);
    const chunks = chunkText(`# Sizes\n${header}\n${rows.join("\n")}`, { targetTokens: 60 });
    expect(chunks.length).toBeGreaterThan(2);
    for (const c of chunks) {
      expect(c.content.startsWith(header)).toBe(true);
      expect(c.headingPath).toEqual(["Sizes"]);
    }
    // Every row once, none cut.
    const seen = chunks.flatMap((c) => c.content.split("\n").slice(2));
    expect(seen).toEqual(rows);
  });

  it("cuts Thai text between words, never inside one", () => {
    const thai = "ลูกค้าสามารถขอคืนสินค้าได้ภายในสามสิบวันนับจากวันที่ได้รับสินค้าโดยสินค้าต้องอยู่ในสภาพเดิมและมีใบเสร็จ";
    const text = `# นโยบายการคืนสินค้า\n${thai.repeat(12)}`;
    const chunks = chunkText(text, { targetTokens: 60 });
    expect(chunks.length).toBeGreaterThan(2);
    const body = thai.repeat(12);
    const boundaries = wordBoundaries(body);
    for (const c of chunks) {
      expect(c.headingPath).toEqual(["นโยบายการคืนสินค้า"]);
      const start = body.indexOf(c.content);
      expect(start).toBeGreaterThanOrEqual(0);
      expect(boundaries.has(start)).toBe(true);
      expect(boundaries.has(start + c.content.length)).toBe(true);
      expect(c.tokenCount).toBeLessThanOrEqual(60);
    }
    // Thai tokens are dictionary words, not characters and not one token for the whole run.
    expect(countTokens("ขอคุยกับพนักงาน")).toBeGreaterThanOrEqual(3);
    expect(countTokens("ขอคุยกับพนักงาน")).toBeLessThan(8);
  });

  it("knows the page each chunk starts on", () => {
    const page1 = "First page text about delivery.";
    const page2 = "Second page text about refunds.";
    const text = `${page1}\n\n${page2}`;
    const chunks = chunkText(text, { targetTokens: 8, pageStarts: [0, page1.length + 2] });
    expect(chunks.map((c) => c.page)).toEqual([1, 2]);
  });
});

describe("search terms", () => {
  it("indexes the heading path and the bigrams of Thai runs, and a question finds a word inside a longer phrase", () => {
    const terms = searchTermsOf("ขอคุยกับพนักงาน ได้ไหม", ["Contact", "Thai support"]);
    expect(terms.startsWith("Contact Thai support ")).toBe(true);
    const query = bigramQueryTerms("พนักงาน");
    expect(query).toEqual(["พน", "นั", "ัก", "กง", "งา", "าน"].map(bigramToken));
    for (const token of query) expect(terms.split(" ")).toContain(token);
    expect(bigramToken("พน")).toBe("u0e1e0e19");
    // Latin words are left to the ordinary query; hiragana-only runs are skipped.
    expect(bigramQueryTerms("refund policy です")).toEqual([]);
  });
});

describe("scriptLanguage", () => {
  it("names Thai, Japanese, Chinese and Korean by their script and leaves Latin text unknown", () => {
    expect(scriptLanguage("# นโยบาย\nคืนสินค้าได้ภายใน 30 วัน (Returns)")).toBe("th");
    expect(scriptLanguage("返品は30日以内にお願いします")).toBe("ja");
    expect(scriptLanguage("退货须在三十天内办理")).toBe("zh");
    expect(scriptLanguage("30일 이내에 반품하세요")).toBe("ko");
    expect(scriptLanguage("Returns within 30 days")).toBeNull();
    expect(scriptLanguage("1234")).toBeNull();
  });
});
