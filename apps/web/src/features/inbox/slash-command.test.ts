import { describe, expect, it } from "vitest";
import { replaceToken, slashTokenAt, triggerTokenAt } from "./slash-command";

describe("slashTokenAt", () => {
  it("finds a / at the start or after whitespace, up to the caret", () => {
    expect(slashTokenAt("/ret", 4)).toEqual({ start: 0, end: 4, query: "ret" });
    expect(slashTokenAt("Hi! /ret", 8)).toEqual({ start: 4, end: 8, query: "ret" });
    expect(slashTokenAt("line\n/", 6)).toEqual({ start: 5, end: 6, query: "" });
  });

  it("ignores a / inside a word or a URL, after a space in the query, or before the caret", () => {
    expect(slashTokenAt("and/or", 6)).toBeNull();
    expect(slashTokenAt("https://x.io/ret", 16)).toBeNull();
    expect(slashTokenAt("/ret policy", 11)).toBeNull();
    expect(slashTokenAt("/ret more", 2)).toEqual({ start: 0, end: 2, query: "r" });
  });
});

describe("replaceToken", () => {
  it("replaces the /query with the text and puts the caret after it", () => {
    const text = "Hello /ret and bye";
    const token = slashTokenAt(text, 10)!;
    expect(replaceToken(text, token, "Returns are free.")).toEqual({
      text: "Hello Returns are free. and bye",
      caret: 23,
    });
  });
});

describe("triggerTokenAt('@')", () => {
  it("finds an @name at the start or after whitespace, not inside an e-mail address", () => {
    expect(triggerTokenAt("@", "cc @ann", 7)).toEqual({ start: 3, end: 7, query: "ann" });
    expect(triggerTokenAt("@", "@", 1)).toEqual({ start: 0, end: 1, query: "" });
    expect(triggerTokenAt("@", "ann@shop.com", 12)).toBeNull();
    expect(triggerTokenAt("@", "/ret", 4)).toBeNull();
  });
});
