import { readFileSync } from "node:fs";
import { MIGRATIONS_FOLDER } from "@tandem/db";
import { describe, expect, it } from "vitest";
import { FOLD_FROM, FOLD_TO, foldText, highlightMatches, parseSearch } from "./search-text.ts";

describe("inbox search text", () => {
  it("folds exactly as the database's tandem_fold", () => {
    const sql = readFileSync(`${MIGRATIONS_FOLDER}/0013_inbox_search_folding.sql`, "utf8");
    expect(sql).toContain(`'${FOLD_FROM}'`);
    expect(sql).toContain(`'${FOLD_TO}'`);
    expect([...FOLD_FROM]).toHaveLength([...FOLD_TO].length);
    expect(foldText("Zoë MÜLLER Łódź")).toBe("zoe muller lodz");
    // One character for one: positions carry over to the original.
    expect([...foldText("İstanbul ﬁ")]).toHaveLength([..."İstanbul ﬁ"].length);
  });

  it("splits a search into folded words and unspaced runs", () => {
    expect(parseSearch("  Café ขอคุย 注文 ")).toEqual({ spaced: "cafe", runs: ["ขอคุย", "注文"] });
    expect(parseSearch("ราคา ราคา")).toEqual({ spaced: "", runs: ["ราคา"] });
  });

  it("highlights word starts and runs, and cuts a long text around the first match", () => {
    const short = highlightMatches("Refund for my café order, refunded?", "refund CAFE");
    expect(short.highlights.map(([a, b]) => short.snippet.slice(a, b))).toEqual(["Refund", "café", "refund"]);
    // "fund" is inside a word: not a match.
    expect(highlightMatches("Refund please", "fund").highlights).toEqual([]);

    const long = `${"x ".repeat(200)}where is my parcel 📦 today ${"y ".repeat(200)}`;
    const cut = highlightMatches(long, "parcel today");
    expect(cut.snippet.startsWith("…")).toBe(true);
    expect(cut.snippet.endsWith("…")).toBe(true);
    expect(cut.highlights.map(([a, b]) => cut.snippet.slice(a, b))).toEqual(["parcel", "today"]);
  });
});
