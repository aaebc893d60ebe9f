import { describe, expect, it } from "vitest";
import { pickLanguage } from "./i18n.ts";
import { parseInline, parseMarkdown, safeHref } from "./markdown.ts";

describe("safe Markdown", () => {
  it("allows http, https and mailto links only", () => {
    expect(safeHref("https://example.com/a?b=1")).toBe("https://example.com/a?b=1");
    expect(safeHref("http://example.com")).toBe("http://example.com/");
    expect(safeHref("mailto:help@example.com")).toBe("mailto:help@example.com");
    for (const bad of [
      "javascript:alert(1)",
      " JavaScript:alert(1)",
      "data:text/html,x",
      "/relative",
      "//evil.com",
      "vbscript:x",
    ]) {
      expect(safeHref(bad), bad).toBeNull();
    }
  });

  it("parses bold, italics, code and links; an unsafe link keeps its text only", () => {
    expect(parseInline("**bold** and *it* and `x<y>` [docs](https://e.com) [bad](javascript:alert(1))")).toEqual([
      { type: "strong", children: [{ type: "text", text: "bold" }] },
      { type: "text", text: " and " },
      { type: "em", children: [{ type: "text", text: "it" }] },
      { type: "text", text: " and " },
      { type: "code", text: "x<y>" },
      { type: "text", text: " " },
      { type: "link", href: "https://e.com/", children: [{ type: "text", text: "docs" }] },
      { type: "text", text: " " },
      { type: "text", text: "bad" },
    ]);
  });

  it("leaves snake_case, lone stars and HTML as text; links bare URLs without trailing punctuation", () => {
    expect(parseInline("a_b_c 2 * 3 <b>x</b>")).toEqual([{ type: "text", text: "a_b_c 2 * 3 <b>x</b>" }]);
    expect(parseInline("see https://e.com/x.")).toEqual([
      { type: "text", text: "see " },
      { type: "link", href: "https://e.com/x", children: [{ type: "text", text: "https://e.com/x" }] },
      { type: "text", text: "." },
    ]);
  });

  it("parses paragraphs, lists, fenced code and headings", () => {
    expect(parseMarkdown("# Title\nline one\nline two\n\n- a\n- b\n\n1. x\n2) y\n\n```\n**not bold**\n```")).toEqual([
      { type: "p", children: [{ type: "strong", children: [{ type: "text", text: "Title" }] }] },
      { type: "p", children: [{ type: "text", text: "line one" }, { type: "br" }, { type: "text", text: "line two" }] },
      { type: "ul", items: [[{ type: "text", text: "a" }], [{ type: "text", text: "b" }]] },
      { type: "ol", items: [[{ type: "text", text: "x" }], [{ type: "text", text: "y" }]] },
      { type: "pre", text: "**not bold**" },
    ]);
  });

  it("renders an unfinished stream without losing text", () => {
    expect(parseInline("**bol")).toEqual([{ type: "text", text: "**bol" }]);
    expect(parseMarkdown("```\ncode so far")).toEqual([{ type: "pre", text: "code so far" }]);
  });
});

describe("languages", () => {
  it("takes the chatbot's language, else the browser's, else English", () => {
    expect(pickLanguage("th", "en-US")).toBe("th");
    expect(pickLanguage("ja-JP", "th")).toBe("ja");
    expect(pickLanguage("de", "ja-JP")).toBe("ja");
    expect(pickLanguage(undefined, "fr-FR")).toBe("en");
  });
});
