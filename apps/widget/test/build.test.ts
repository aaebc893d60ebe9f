import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildWidget, widgetSizes } from "../build.mjs";

const outdir = mkdtempSync(path.join(tmpdir(), "tandem-widget-"));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe("the widget build", () => {
  it("stays within its budgets: loader ≤ 5 KB gzip, widget ≤ 40 KB gzip, and carries no zod", async () => {
    await buildWidget(outdir);
    const sizes = widgetSizes(outdir);
    expect(sizes.map((s) => s.name)).toEqual(["loader", "widget"]);
    for (const size of sizes) {
      expect(size.gzip, `${size.name}: ${size.gzip} B gzip`).toBeLessThanOrEqual(size.budgetGzip);
    }
    expect(sizes.find((s) => s.name === "loader")!.budgetGzip).toBe(5 * 1024);
    expect(sizes.find((s) => s.name === "widget")!.budgetGzip).toBe(40 * 1024);
    // The contracts' zod schemas alone would blow the budget: only types and plain constants come in.
    expect(readFileSync(path.join(outdir, "widget.js"), "utf8")).not.toMatch(/ZodError|\$ZodType/);
  });
});
