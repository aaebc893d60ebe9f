/**
 * Extraction of the knowledge base's file types from files built here: HTML (readable text with its
 * headings, page furniture dropped), Markdown, CSV, a DOCX with Word headings, a multi-page PDF
 * (page boundaries, repeated header and footer lines dropped, the page cap), and a ZIP bomb refused
 * before anything is inflated.
 */
import { describe, expect, it } from "vitest";
import { docx, pdf, zipBomb } from "../../../../tests/support/documents.ts";
import { DomainError } from "../errors.ts";
import { chunkText } from "../knowledge/chunk-text.ts";
import { parseCsv } from "./csv.ts";
import { extractText } from "./extract-text.ts";
import { sniffFileType } from "./sniff-file-type.ts";

const utf8 = (s: string) => new TextEncoder().encode(s);

describe("knowledge extraction", () => {
  it("reads HTML as text with its headings and a table, without navigation, scripts, styles or footer", async () => {
    const html = `<!doctype html><html><head><title>Shipping</title><style>p{color:red}</style></head><body>
      <nav><a href="/">Home</a> <a href="/shop">Shop</a></nav>
      <header>Acme Store header</header>
      <main><h1>Shipping &amp; delivery</h1><p>We ship   within <b>2 days</b>.</p>
      <h2>Rates</h2><table><tr><th>Zone</th><th>Price</th></tr><tr><td>Bangkok</td><td>50 baht</td></tr></table>
      <script>alert("x")</script><ul><li>Tracking by SMS</li><li>Free returns</li></ul></main>
      <footer>© Acme 2026</footer></body></html>`;
    expect(sniffFileType(utf8(html), { name: "page" })).toBe("html");
    const result = await extractText({ bytes: utf8(html), name: "shipping.html", mime: "text/html" });
    expect(result.kind).toBe("html");
    expect(result.text).toBe(
      [
        "# Shipping & delivery",
        "",
        "We ship within 2 days.",
        "",
        "## Rates",
        "",
        "| Zone | Price |",
        "| --- | --- |",
        "| Bangkok | 50 baht |",
        "",
        "- Tracking by SMS",
        "- Free returns",
      ].join("\n"),
    );
    const chunks = chunkText(result.text);
    expect(chunks.map((c) => c.headingPath)).toEqual([["Shipping & delivery"], ["Shipping & delivery", "Rates"]]);
  });

  it("reads CSV rows as `column: value` lines, quoted newlines included", async () => {
    const csv = '\uFEFFproduct,price,notes\r\nTea,120,"green, loose leaf"\r\nMug,250,"holds\n350 ml"\r\n';
    const result = await extractText({ bytes: utf8(csv), name: "prices.csv" });
    expect(result.kind).toBe("csv");
    expect(result.text).toBe(
      "product: Tea\nprice: 120\nnotes: green, loose leaf\n\nproduct: Mug\nprice: 250\nnotes: holds 350 ml",
    );
    expect(parseCsv(csv).map((r) => r.line)).toEqual([1, 2, 3]);
  });

  it("reads Markdown headings", async () => {
    const md = "# Returns\n\nWithin 30 days.\n\n## Refunds\n\nFive business days.";
    const result = await extractText({ bytes: utf8(md), name: "returns.md" });
    expect(chunkText(result.text).map((c) => [c.headingPath, c.content])).toEqual([
      [["Returns"], "Within 30 days."],
      [["Returns", "Refunds"], "Five business days."],
    ]);
  });

  it("keeps a DOCX's Word headings", async () => {
    const bytes = docx([
      { text: "Warranty", heading: 1 },
      { text: "Every kettle has a two-year warranty." },
      { text: "Claims", heading: 2 },
      { text: "Send the receipt to support@example.com." },
    ]);
    const result = await extractText({ bytes, name: "warranty.docx" });
    expect(result).toMatchObject({ kind: "docx", method: "docx" });
    expect(chunkText(result.text).map((c) => [c.headingPath, c.content])).toEqual([
      [["Warranty"], "Every kettle has a two-year warranty."],
      [["Warranty", "Claims"], "Send the receipt to support@example.com."],
    ]);
  });

  it("refuses a ZIP bomb named .docx before inflating it", async () => {
    const bomb = zipBomb(210);
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const error = await extractText({ bytes: bomb, name: "bomb.docx" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe("unreadable_file");
    expect((error as DomainError).message).toMatch(/would unpack to 210 MB.*ZIP bomb/);
  });

  it("knows where each PDF page starts, drops repeated headers and footers, and caps the pages", async () => {
    const pages = [1, 2, 3, 4].map((n) => [`ACME Handbook`, `Chapter ${n} says fact number ${n}.`, `Page ${n} of 4`]);
    const bytes = pdf(pages);
    const result = await extractText({ bytes, name: "handbook.pdf" }, { maxPdfPages: 1000 });
    expect(result).toMatchObject({ kind: "pdf", pages: 4, warnings: [] });
    expect(result.text).not.toContain("ACME Handbook");
    expect(result.text).not.toContain("of 4");
    expect(result.pageStarts).toHaveLength(4);
    const chunks = chunkText(result.text, { pageStarts: result.pageStarts, targetTokens: 8 });
    for (const n of [1, 2, 3, 4]) {
      const chunk = chunks.find((c) => c.content.includes(`fact number ${n}`));
      expect(chunk?.page).toBe(n);
    }

    const capped = await extractText({ bytes, name: "handbook.pdf" }, { maxPdfPages: 2 });
    expect(capped.warnings).toEqual(["only the first 2 of 4 pages were read"]);
    expect(capped.text).toContain("fact number 2");
    expect(capped.text).not.toContain("fact number 3");
  });
});
