/**
 * The JavaScript a browser downloads to show a route for the first time, from the Next.js build in
 * apps/web/.next: the shared root chunks (`build-manifest.json` → `rootMainFiles`, the framework and
 * the Turbopack runtime) plus every chunk the route's segments need (layouts, error and not-found
 * boundaries, the page). With Turbopack those are `entryJSFiles` of the route's client reference
 * manifest; a webpack build lists them in `app-build-manifest.json`. Polyfills are left out: they
 * load with `nomodule`, which modern browsers skip. Each file is gzipped at level 9 (what Next.js
 * and most CDNs report) and the sizes summed.
 * Usage: npx tsx bench/inbox/first-load-js.ts [route=/dashboard]
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import { gzipSync } from "node:zlib";

export const WEB_BUILD_DIR = fileURLToPath(new URL("../../apps/web/.next", import.meta.url));

export type FirstLoadJs =
  | { route: string; files: number; rawKb: number; gzipKb: number; sharedGzipKb: number; routeGzipKb: number }
  | { route: string; missing: string };

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, "utf8")) as T;
const kb = (bytes: number) => +(bytes / 1024).toFixed(1);

/** `/dashboard` → `/(app)/dashboard/page`, the app-router entry that serves it. */
function entryOf(buildDir: string, route: string): string | null {
  const routes = readJson<Record<string, string>>(path.join(buildDir, "app-path-routes-manifest.json"));
  return Object.entries(routes).find(([, r]) => r === route)?.[0] ?? null;
}

function routeChunks(buildDir: string, entry: string): string[] {
  const webpackManifest = path.join(buildDir, "app-build-manifest.json");
  if (existsSync(webpackManifest)) {
    return readJson<{ pages: Record<string, string[]> }>(webpackManifest).pages[entry] ?? [];
  }
  const file = path.join(buildDir, "server", "app", `${entry}_client-reference-manifest.js`);
  const context: { __RSC_MANIFEST?: Record<string, { entryJSFiles?: Record<string, string[]> }> } = {};
  vm.runInNewContext(readFileSync(file, "utf8"), context);
  return Object.values(context.__RSC_MANIFEST?.[entry]?.entryJSFiles ?? {}).flat();
}

export function firstLoadJs(route = "/dashboard", buildDir = WEB_BUILD_DIR): FirstLoadJs {
  const howToBuild = "build the dashboard first: `npm run build` (or `npm start`, which builds when needed)";
  if (!existsSync(path.join(buildDir, "BUILD_ID")))
    return { route, missing: `no Next.js build in ${buildDir}: ${howToBuild}` };
  const entry = entryOf(buildDir, route);
  if (!entry) return { route, missing: `${route} is not an app-router route of this build` };
  const shared = readJson<{ rootMainFiles?: string[] }>(path.join(buildDir, "build-manifest.json")).rootMainFiles ?? [];
  const own = routeChunks(buildDir, entry).filter((f) => !shared.includes(f));
  let raw = 0;
  const gzipOf = (files: string[]) =>
    [...new Set(files)].reduce((sum, f) => {
      const bytes = readFileSync(path.join(buildDir, f));
      raw += bytes.length;
      return sum + gzipSync(bytes, { level: 9 }).length;
    }, 0);
  const sharedGzip = gzipOf(shared);
  const routeGzip = gzipOf(own);
  return {
    route,
    files: new Set([...shared, ...own]).size,
    rawKb: kb(raw),
    gzipKb: kb(sharedGzip + routeGzip),
    sharedGzipKb: kb(sharedGzip),
    routeGzipKb: kb(routeGzip),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify({ name: "first-load JS (gzip)", ...firstLoadJs(process.argv[2] ?? "/dashboard") }));
}
