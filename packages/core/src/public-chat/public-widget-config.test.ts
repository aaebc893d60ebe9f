import { describe, expect, it } from "vitest";
import { acceptedLanguages } from "./public-widget-config.ts";

describe("acceptedLanguages", () => {
  it("orders by q, keeps the header's order on ties, and skips wildcards, zeros and garbage", () => {
    expect(acceptedLanguages("en;q=0.5, th-TH, ja;q=0.8, *;q=0.1, de;q=0, <script>, pt-BR")).toEqual([
      "th-TH",
      "pt-BR",
      "ja",
      "en",
    ]);
    expect(acceptedLanguages(undefined)).toEqual([]);
    expect(acceptedLanguages("a,b,cc,dd,ee,ff,gg,hh")).toEqual(["cc", "dd", "ee", "ff", "gg"]);
  });
});
