/**
 * Cold start and idle memory of the all-in-one server, started the way `npm start` starts it
 * (`node scripts/start.mjs`: the compiled apps/web/dist/server.js, no TypeScript loader) with the
 * demo data and the simulator (the defaults):
 *   1. first start: a fresh DATA_DIR (initdb, migrations, demo seed);
 *   2. restart: the same DATA_DIR again (what a running install does after an upgrade or reboot).
 * For each: spawn → `GET /api/health` 200 (cold start, ms), then one visit to /login, then the
 * resident set size after settling (VmRSS, sampled for BENCH_SETTLE_S, default 20 s: min and last)
 * and what V8 reports (heap, external memory — PGlite's WebAssembly memory is counted there).
 * `BENCH_TSX=1` adds the same two runs of the source through tsx (`node --import tsx
 * apps/web/server.ts`, as before the compiled build) for comparison.
 * Usage: npx tsx bench/server/idle.ts   (after `npm run build`; scripts/start.mjs builds what is stale)
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort, REPO_ROOT, START_COMMAND, serverEnv, waitForHealth } from "../../tests/e2e/support/server.ts";

const SETTLE_S = Number(process.env.BENCH_SETTLE_S ?? 20);
const dir = mkdtempSync(path.join(tmpdir(), "tandem-bench-idle-"));

/** Loaded with --import: on SIGUSR2 the server writes process.memoryUsage() to a file. */
const hook = path.join(dir, "memory-hook.mjs");
writeFileSync(
  hook,
  `import { writeFileSync } from "node:fs";
   process.on("SIGUSR2", () => writeFileSync(process.env.BENCH_MEMORY_FILE, JSON.stringify(process.memoryUsage())));`,
);

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

function vmRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) / 1024);
}

async function run(name: string, command: readonly string[], dataDir: string) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const memoryFile = path.join(dir, `${name}.json`);
  const [node, ...args] = command;
  const started = performance.now();
  const child: ChildProcess = spawn(node as string, ["--import", hook, ...args], {
    cwd: REPO_ROOT,
    env: serverEnv({ PORT: String(port), APP_URL: url, DATA_DIR: dataDir, BENCH_MEMORY_FILE: memoryFile }),
    stdio: ["ignore", "ignore", "inherit"],
  });
  try {
    await waitForHealth(url, child);
    const coldStartMs = Math.round(performance.now() - started);
    const rssAtHealthMb = vmRssMb(child.pid as number);
    await (await fetch(`${url}/login`)).text();
    const samples: number[] = [];
    for (let s = 0; s < SETTLE_S; s++) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      samples.push(vmRssMb(child.pid as number));
    }
    child.kill("SIGUSR2");
    await new Promise((resolve) => setTimeout(resolve, 500));
    const usage = JSON.parse(readFileSync(memoryFile, "utf8")) as NodeJS.MemoryUsage;
    console.log(
      JSON.stringify({
        name,
        coldStartMs,
        rssAtHealthMb,
        idleRssMb: samples.at(-1),
        idleRssMinMb: Math.min(...samples),
        heapTotalMb: mb(usage.heapTotal),
        heapUsedMb: mb(usage.heapUsed),
        externalMb: mb(usage.external),
        arrayBuffersMb: mb(usage.arrayBuffers),
      }),
    );
  } finally {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }
}

const variants: { label: string; command: readonly string[] }[] = [{ label: "built", command: START_COMMAND }];
if (process.env.BENCH_TSX === "1")
  variants.push({ label: "tsx", command: [process.execPath, "--import", "tsx", "apps/web/server.ts"] });

try {
  for (const { label, command } of variants) {
    const dataDir = mkdtempSync(path.join(dir, "data-"));
    await run(`${label}: first start`, command, dataDir);
    await run(`${label}: restart`, command, dataDir);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
