/**
 * The widget's bundle sizes against its budgets (issue #14): loader ≤ 5 KB gzip, widget ≤ 40 KB gzip.
 * Builds apps/widget/dist afresh, prints one JSON line per file (raw and gzip bytes, budget) and exits
 * non-zero, naming the file, when one is over.
 *   npx tsx bench/widget/sizes.ts
 */
import { buildWidget, widgetSizes } from "../../apps/widget/build.mjs";

await buildWidget();
const sizes = widgetSizes();
for (const s of sizes) {
  console.log(
    JSON.stringify({
      name: s.name,
      file: s.file,
      rawBytes: s.raw,
      gzipBytes: s.gzip,
      gzipKb: +(s.gzip / 1024).toFixed(2),
      budgetKb: s.budgetGzip / 1024,
      withinBudget: s.ok,
    }),
  );
}
const over = sizes.filter((s) => !s.ok);
if (over.length) {
  for (const s of over) {
    console.error(`OVER BUDGET: ${s.file} is ${s.gzip} B gzip, the budget is ${s.budgetGzip} B.`);
  }
  process.exit(1);
}
