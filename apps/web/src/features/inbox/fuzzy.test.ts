import { describe, expect, it } from "vitest";
import { fuzzyFilter, fuzzyScore } from "./fuzzy";

describe("fuzzyScore", () => {
  it("matches a subsequence in order, and nothing else", () => {
    expect(fuzzyScore("rtn", "returns")).not.toBeNull();
    expect(fuzzyScore("ntr", "returns")).toBeNull();
    expect(fuzzyScore("returnsx", "returns")).toBeNull();
    expect(fuzzyScore("z", "returns")).toBeNull();
  });

  it("ignores case and accents", () => {
    expect(fuzzyScore("ZOE", "Zoë")).not.toBeNull();
    expect(fuzzyScore("café", "CAFE hours")).not.toBeNull();
  });

  it("an empty or blank query matches with score 0", () => {
    expect(fuzzyScore("", "anything")).toBe(0);
    expect(fuzzyScore("  ", "anything")).toBe(0);
  });

  it("ranks prefix > word start > subsequence", () => {
    const prefix = fuzzyScore("ret", "return-policy")!;
    const wordStart = fuzzyScore("ret", "late return")!;
    const camel = fuzzyScore("ret", "lateReturn")!;
    const subsequence = fuzzyScore("ret", "rate sheet")!;
    expect(prefix).toBeGreaterThan(wordStart);
    expect(wordStart).toBeGreaterThan(subsequence);
    expect(camel).toBeGreaterThan(subsequence);
  });

  it("prefers the shorter text among prefixes, the earlier word among word starts, the tighter span among subsequences", () => {
    expect(fuzzyScore("ret", "ret")!).toBeGreaterThan(fuzzyScore("ret", "returns")!);
    expect(fuzzyScore("pol", "a policy")!).toBeGreaterThan(fuzzyScore("pol", "the long policy")!);
    expect(fuzzyScore("rt", "r-t")!).toBeGreaterThan(fuzzyScore("rt", "r---t")!);
    // The tightest occurrence counts, not the first.
    expect(fuzzyScore("ab", "axxxxab")!).toBe(fuzzyScore("ab", "xab")!);
  });
});

describe("fuzzyFilter", () => {
  const replies = [
    { shortcut: "greet", title: "Hello and welcome" },
    { shortcut: "shipping", title: "Delivery times" },
    { shortcut: "refund", title: "How to get a refund" },
    { shortcut: "returns", title: "Return policy" },
    { shortcut: "hours", title: "Opening hours" },
  ];
  const find = (q: string) => fuzzyFilter(replies, q, (r) => [r.shortcut, r.title]).map((r) => r.shortcut);

  it("keeps the input order for an empty query", () => {
    expect(find("")).toEqual(replies.map((r) => r.shortcut));
  });

  it("ranks a prefix first, then word starts, then subsequences", () => {
    // returns: prefix of the shortcut; greet: "r…e…t" as a subsequence; refund has no "t" after its "re".
    expect(find("ret")).toEqual(["returns", "greet"]);
    // refund: prefix of the shortcut; hours: "Opening hours" has no "f"; returns: subsequence "r-e…f"? no → absent.
    expect(find("ref")).toEqual(["refund"]);
    // "Hello and welcome" (greet) and "How to get a refund" (refund) start with "h" — word starts and
    // prefixes rank above "shipping", whose "h" is inside a word.
    expect(find("h")).toEqual(["hours", "greet", "refund", "shipping"]);
  });

  it("finds by title words", () => {
    expect(find("deliv")).toEqual(["shipping"]);
    expect(find("open")[0]).toBe("hours");
  });

  it("drops what does not match", () => {
    expect(find("xyz")).toEqual([]);
  });

  it("the shortcut outranks the title at the same tier", () => {
    const items = [
      { shortcut: "x", title: "hours" },
      { shortcut: "hours", title: "x" },
    ];
    expect(fuzzyFilter(items, "hours", (r) => [r.shortcut, r.title]).map((r) => r.shortcut)).toEqual(["hours", "x"]);
  });
});
