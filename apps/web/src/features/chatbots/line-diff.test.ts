import { describe, expect, it } from "vitest";
import { diffLines, diffStats, splitTemplate, unknownVariables } from "./line-diff";

describe("diffLines", () => {
  it("keeps common lines and marks removed and added ones in order", () => {
    const diff = diffLines("a\nb\nc\nd", "a\nc\nx\nd");
    expect(diff).toEqual([
      { kind: "same", text: "a" },
      { kind: "removed", text: "b" },
      { kind: "same", text: "c" },
      { kind: "added", text: "x" },
      { kind: "same", text: "d" },
    ]);
    expect(diffStats(diff)).toEqual({ added: 1, removed: 1 });
  });

  it("treats an empty text as no lines", () => {
    expect(diffLines("", "one\ntwo")).toEqual([
      { kind: "added", text: "one" },
      { kind: "added", text: "two" },
    ]);
    expect(diffLines("one", "")).toEqual([{ kind: "removed", text: "one" }]);
    expect(diffLines("same", "same")).toEqual([{ kind: "same", text: "same" }]);
  });

  it("falls back to removed-then-added past the size limit", () => {
    expect(diffLines("a\nb", "a\nc", 3)).toEqual([
      { kind: "removed", text: "a" },
      { kind: "removed", text: "b" },
      { kind: "added", text: "a" },
      { kind: "added", text: "c" },
    ]);
  });
});

describe("splitTemplate", () => {
  it("splits text and variables, telling known from unknown ones", () => {
    expect(splitTemplate("Hi {brand_name}, {nope}!", ["brand_name"])).toEqual([
      { kind: "text", text: "Hi " },
      { kind: "variable", name: "brand_name", known: true },
      { kind: "text", text: ", " },
      { kind: "variable", name: "nope", known: false },
      { kind: "text", text: "!" },
    ]);
    expect(unknownVariables("{a} {b} {a} {tone}", ["tone"])).toEqual(["a", "b"]);
  });
});
