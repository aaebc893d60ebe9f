// Builds the Next.js dashboard when there is no build yet or a source file is newer than it, so
// `npm start` on a clean clone works and later starts skip the ~1 minute build.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const buildId = path.join(root, "apps/web/.next/BUILD_ID");
const sources = [
  "apps/web/app",
  "apps/web/src",
  "apps/web/proxy.ts",
  "apps/web/next.config.ts",
  "apps/web/postcss.config.mjs",
  "apps/web/package.json",
  "packages/contracts/src",
  "package-lock.json",
];

function newestMtime(target) {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(target)) {
    if (entry === "node_modules" || entry.startsWith(".")) continue;
    newest = Math.max(newest, newestMtime(path.join(target, entry)));
  }
  return newest;
}

export function webBuildIsFresh() {
  if (!existsSync(buildId)) return false;
  const built = statSync(buildId).mtimeMs;
  return sources.every((s) => newestMtime(path.join(root, s)) <= built);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (webBuildIsFresh() && !process.argv.includes("--force")) {
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
}
