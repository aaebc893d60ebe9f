import { describe, expect, it } from "vitest";
import { localeCandidates } from "./translation-for.ts";

describe("localeCandidates", () => {
  it("reads the platforms' locale spellings, most precise first", () => {
    expect(localeCandidates("th_TH")).toEqual(["th-th", "th"]);
    expect(localeCandidates("th-TH")).toEqual(["th-th", "th"]);
    expect(localeCandidates("th")).toEqual(["th"]);
    expect(localeCandidates("pt_BR")).toEqual(["pt-br", "pt"]);
    expect(localeCandidates(" EN_us ")).toEqual(["en-us", "en"]);
  });

  it("has nothing to match for a missing or malformed locale", () => {
    expect(localeCandidates(null)).toEqual([]);
    expect(localeCandidates(undefined)).toEqual([]);
    expect(localeCandidates("")).toEqual([]);
    expect(localeCandidates("not a locale")).toEqual([]);
    expect(localeCandidates("'; drop table")).toEqual([]);
  });
});
