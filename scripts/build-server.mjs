// Compiles the server processes ahead of time, so production runs plain JavaScript with `node` and no
// TypeScript loader: apps/web/server.ts → apps/web/dist/server.js, apps/worker/src/main.ts →
// apps/worker/dist/main.js. Our workspace packages (@tandem/*, raw TypeScript) are bundled in;
// every other package stays an import resolved from node_modules at run time.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** What each compiled entry is built from: the freshness check (ensure-web-build.mjs) reads these too. */
export const SERVER_BUILDS = [
  { entry: "apps/web/server.ts", outfile: "apps/web/dist/server.js" },
  { entry: "apps/worker/src/main.ts", outfile: "apps/worker/dist/main.js" },
];

export const SERVER_SOURCES = [
  "apps/web/server.ts",
  "apps/web/src/server",
  "apps/worker/src",
  "packages/api/src",
  "packages/contracts/src",
  "packages/core/src",
  "packages/db/src",
  "packages/simulator/src",
  "package-lock.json",
  "scripts/build-server.mjs",
];

/** Bare imports (`next`, `pino`, `node:fs`) stay external; `@tandem/*` and relative paths are bundled. */
const externalPackages = {
  name: "external-packages",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith("@tandem/")) return undefined;
      return { path: args.path, external: true };
    });
  },
};

/**
 * `import.meta.url` keeps meaning the source file it is written in (server.ts finds the Next app
 * beside it, the database package its migrations folder), relative to the compiled file so the
 * checkout can move.
 */
const sourceImportMeta = {
  name: "source-import-meta",
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      const { readFile } = await import("node:fs/promises");
      const source = await readFile(args.path, "utf8");
      if (!source.includes("import.meta.url")) return undefined;
      const outdir = path.dirname(path.resolve(root, b.initialOptions.outfile));
      const relative = path.relative(outdir, args.path).split(path.sep).join("/");
      return {
        contents: source.replaceAll("import.meta.url", `new URL(${JSON.stringify(relative)}, import.meta.url).href`),
        loader: "ts",
      };
    });
  },
};

export async function buildServer() {
  for (const { entry, outfile } of SERVER_BUILDS) {
    await build({
      entryPoints: [path.join(root, entry)],
      outfile: path.join(root, outfile),
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      sourcemap: true,
      // Stack traces name our functions; the bundle stays readable (no minification).
      keepNames: true,
      logLevel: "warning",
      plugins: [externalPackages, sourceImportMeta],
    });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildServer();
  console.log(`Compiled ${SERVER_BUILDS.map((b) => b.outfile).join(", ")}`);
}
