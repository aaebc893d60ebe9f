import { describe, expect, it } from "vitest";
import { findUnstorable, isUnstorable, storableJson, storableText, truncateText } from "./storable-text.ts";

describe("storable text", () => {
  it("removes NUL and replaces lone surrogates, keeping surrogate pairs", () => {
    expect(storableText("a\u0000b")).toBe("ab");
    expect(storableText("x\ud83dy\udc4bz")).toBe("x\ufffdy\ufffdz");
    expect(storableText("wave 👋")).toBe("wave 👋");
    expect(isUnstorable("wave 👋")).toBe(false);
    expect(isUnstorable("\ud83d")).toBe(true);
    expect(isUnstorable("\u0000")).toBe(true);
  });

  it("cleans every string and key of a JSON value, and finds the first bad one", () => {
    const value = { ok: "fine", list: [1, "two", { "k\u0000": "\ud800" }], n: null };
    expect(storableJson(value)).toEqual({ ok: "fine", list: [1, "two", { k: "\ufffd" }], n: null });
    expect(findUnstorable(value)).toBe("list.2.k");
    expect(findUnstorable({ a: ["x", "y\u0000"] })).toBe("a.1");
    expect(findUnstorable({ a: ["x", "👋"] })).toBeNull();
  });

  it("never cuts a surrogate pair in half", () => {
    expect(truncateText("ab👋", 3)).toBe("ab");
    expect(truncateText("ab👋", 4)).toBe("ab👋");
    expect(truncateText("abcd", 2)).toBe("ab");
  });
});
