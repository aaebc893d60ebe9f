// `npm start` (the web server) and `npm run worker` (`start.mjs worker`): build what is missing or
// stale, then run the compiled process here, in this process — no second Node.js process, and
// signals and output reach the server directly.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const worker = process.argv[2] === "worker";

const built = spawnSync(
  process.execPath,
  [path.join(root, "scripts/ensure-web-build.mjs"), ...(worker ? ["--server-only"] : [])],
  { cwd: root, stdio: "inherit" },
);
if (built.status !== 0) process.exit(built.status ?? 1);

process.env.NEXT_TELEMETRY_DISABLED ??= "1";
process.chdir(root);
await import(pathToFileURL(path.join(root, worker ? "apps/worker/dist/main.js" : "apps/web/dist/server.js")).href);
