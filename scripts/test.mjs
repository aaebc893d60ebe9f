// `npm test`: the whole suite on a fresh Debian machine. Installs the Debian packages the tests need
// when they are missing (as root), then runs unit + integration tests (vitest: PGlite, and real
// PostgreSQL and Redis servers the tests start themselves) and the browser tests (Playwright in
// Debian's Chromium against the built server, then the website widget against its fake server).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const only = (name) => args.length === 0 || args.includes(name);

const needed = [
  { pkg: "postgresql", present: () => existsSync("/usr/lib/postgresql") },
  { pkg: "redis-server", present: () => existsSync("/usr/bin/redis-server") },
  { pkg: "chromium", present: () => existsSync("/usr/bin/chromium") },
];

function run(cmd, cmdArgs, env = {}) {
  console.log(`\n$ ${cmd} ${cmdArgs.join(" ")}`);
  const result = spawnSync(cmd, cmdArgs, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
  return result.status ?? 1;
}

const missing = needed.filter((n) => !n.present()).map((n) => n.pkg);
if (missing.length) {
  if (process.getuid?.() === 0) {
    const env = { DEBIAN_FRONTEND: "noninteractive" };
    if (
      run("apt-get", ["update", "-qq"], env) !== 0 ||
      run("apt-get", ["install", "-y", "-qq", ...missing], env) !== 0
    ) {
      console.error(`Could not install ${missing.join(", ")} with apt-get.`);
      process.exit(1);
    }
  } else {
    console.error(
      `Missing Debian packages: ${missing.join(", ")}. Install them with: sudo apt-get install -y ${missing.join(" ")}`,
    );
    process.exit(1);
  }
}

let failed = false;
if (only("unit") || only("integration")) {
  const projects = ["unit", "integration"].filter(only).flatMap((p) => ["--project", p]);
  failed ||= run("npx", ["vitest", "run", ...projects]) !== 0;
}
if (only("e2e")) {
  failed ||= run(process.execPath, ["scripts/ensure-web-build.mjs"]) !== 0;
  if (!failed) failed ||= run("npm", ["run", "test:e2e", "-w", "@tandem/e2e"]) !== 0;
  // The widget alone in the browser, against its contract-speaking fake server (apps/widget/test).
  if (!failed) failed ||= run("npm", ["run", "test:e2e", "-w", "@tandem/widget"]) !== 0;
}
process.exit(failed ? 1 : 0);
