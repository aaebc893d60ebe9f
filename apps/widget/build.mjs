// Builds the website widget with esbuild into apps/widget/dist: `loader.js` (the tiny script a site
// pastes, served at /api/v1/public/widget/{chatbotId}/loader.js) and `widget.js` (one IIFE: the panel,
// loaded by the loader on first click or when the browser is idle). ensure-web-build.mjs runs this
// when dist/ is missing or older than the sources; the bench (bench/widget/sizes.ts) checks the budgets.
//   node apps/widget/build.mjs
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");

export const WIDGET_BUILDS = [
  { name: "loader", entry: "apps/widget/src/loader.ts", outfile: "apps/widget/dist/loader.js", budgetGzip: 5 * 1024 },
  { name: "widget", entry: "apps/widget/src/widget.ts", outfile: "apps/widget/dist/widget.js", budgetGzip: 40 * 1024 },
];

/** What the bundles are built from: the freshness check (ensure-web-build.mjs) reads these. */
export const WIDGET_SOURCES = [
  "apps/widget/src",
  "apps/widget/build.mjs",
  "packages/contracts/src/public-chat-wire.ts",
  "package-lock.json",
];

export async function buildWidget(outdir = path.join(root, "apps/widget/dist")) {
  for (const { entry, outfile } of WIDGET_BUILDS) {
    await build({
      entryPoints: [path.join(root, entry)],
      outfile: path.join(outdir, path.basename(outfile)),
      bundle: true,
      platform: "browser",
      format: "iife",
      // Browsers of the last few years; `?.`, `??` and classes stay as written.
      target: ["chrome100", "firefox100", "safari15"],
      minify: true,
      legalComments: "none",
      sourcemap: false,
      logLevel: "warning",
    });
  }
}

/** Raw and gzip bytes of each built file, against its budget. */
export function widgetSizes(outdir = path.join(root, "apps/widget/dist")) {
  return WIDGET_BUILDS.map(({ name, outfile, budgetGzip }) => {
    const bytes = readFileSync(path.join(outdir, path.basename(outfile)));
    const gzip = gzipSync(bytes, { level: 9 }).length;
    return { name, file: outfile, raw: bytes.length, gzip, budgetGzip, ok: gzip <= budgetGzip };
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildWidget();
  for (const s of widgetSizes()) console.log(`${s.file}: ${s.raw} B, ${s.gzip} B gzip`);
}
