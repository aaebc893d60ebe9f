import { describe, expect, it } from "vitest";
import { histogramPercentile } from "./histogram.ts";
import { dayRanges } from "./rollups.ts";

describe("histogramPercentile", () => {
  it("is percentile_cont over the values repeated their counts", () => {
    // 100, 200, 200, 200, 900: the median is the 3rd value; p95 sits at 0.95 × 4 = 3.8, 80 % of the way from 200 to 900.
    expect(histogramPercentile([100, 200, 900], [1, 3, 1], 0.5)).toBe(200);
    expect(histogramPercentile([100, 200, 900], [1, 3, 1], 0.95)).toBeCloseTo(760, 10);
    expect(histogramPercentile([100, 200, 900], [1, 3, 1], 0)).toBe(100);
    expect(histogramPercentile([100, 200, 900], [1, 3, 1], 1)).toBe(900);
    // Two values: the median halfway between them.
    expect(histogramPercentile([1000, 3000], [1, 1], 0.5)).toBe(2000);
    expect(histogramPercentile([1000, 3000], [1, 1], 0.95)).toBe(2900);
  });

  it("has one value for a single sample and none without", () => {
    expect(histogramPercentile([42], [1], 0.95)).toBe(42);
    expect(histogramPercentile([], [], 0.5)).toBeNull();
  });
});

describe("dayRanges", () => {
  it("groups days into runs of consecutive days, across a month's end", () => {
    expect(dayRanges(["2026-03-02", "2026-02-28", "2026-03-01", "2026-03-05", "2026-03-01"])).toEqual([
      { from: "2026-02-28", to: "2026-03-02" },
      { from: "2026-03-05", to: "2026-03-05" },
    ]);
    expect(dayRanges([])).toEqual([]);
  });
});
