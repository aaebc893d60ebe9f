// Builds what `npm start` runs when it is missing or older than its sources: the Next.js dashboard
// (apps/web/.next, a minute or two), the website widget the server serves (apps/widget/dist, well under
// a second) and the compiled server and worker (apps/web/dist, apps/worker/dist, about a second). A clean clone thus starts with `npm start`; later starts skip what is up to date.
//   node scripts/ensure-web-build.mjs [--force] [--server-only]
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildWidget, WIDGET_BUILDS, WIDGET_SOURCES } from "../apps/widget/build.mjs";
import { buildServer, SERVER_BUILDS, SERVER_SOURCES } from "./build-server.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const buildId = path.join(root, "apps/web/.next/BUILD_ID");
const webSources = [
  "apps/web/app",
  "apps/web/src",
  "apps/web/proxy.ts",
  "apps/web/next.config.ts",
  "apps/web/postcss.config.mjs",
  "apps/web/package.json",
  "packages/contracts/src",
  "package-lock.json",
];
/** Server-only code under apps/web/src: the dashboard never imports it, only the compiled server does. */
const notWebSources = new Set([path.join(root, "apps/web/src/server")]);

function newestMtime(target, skip = new Set()) {
  if (!existsSync(target) || skip.has(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(target)) {
    if (entry === "node_modules" || entry.startsWith(".")) continue;
    newest = Math.max(newest, newestMtime(path.join(target, entry), skip));
  }
  return newest;
}

function isFresh(outputs, sources, skip) {
  if (!outputs.every((output) => existsSync(output))) return false;
  const built = Math.min(...outputs.map((output) => statSync(output).mtimeMs));
  return sources.every((source) => newestMtime(path.join(root, source), skip) <= built);
}

export function webBuildIsFresh() {
  return isFresh([buildId], webSources, notWebSources);
}

export function serverBuildIsFresh() {
  return isFresh(
    SERVER_BUILDS.map((b) => path.join(root, b.outfile)),
    SERVER_SOURCES,
  );
}

export function widgetBuildIsFresh() {
  return isFresh(
    WIDGET_BUILDS.map((b) => path.join(root, b.outfile)),
    WIDGET_SOURCES,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const force = process.argv.includes("--force");
  if (!process.argv.includes("--server-only")) {
    if (webBuildIsFresh() && !force) {
      console.log("Dashboard build is up to date.");
    } else {
      console.log("Building the dashboard (Next.js)… this takes a minute on the first start.");
      const result = spawnSync("npm", ["run", "build", "-w", "@tandem/web"], {
        cwd: root,
        stdio: "inherit",
        env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
      });
      if (result.status !== 0) process.exit(result.status ?? 1);
    }
    // The widget is served by the web server only (the worker, --server-only, does not need it).
    if (widgetBuildIsFresh() && !force) {
      console.log("Widget build is up to date.");
    } else {
      await buildWidget();
      console.log(`Built the widget: ${WIDGET_BUILDS.map((b) => b.outfile).join(", ")}.`);
    }
  }
  if (serverBuildIsFresh() && !force) {
    console.log("Server build is up to date.");
  } else {
    await buildServer();
    console.log(`Compiled the server: ${SERVER_BUILDS.map((b) => b.outfile).join(", ")}.`);
  }
}
