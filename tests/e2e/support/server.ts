/**
 * Starts the built Tandem server as a child process on a free port with a fresh DATA_DIR, with the
 * command `npm start` runs (`node scripts/start.mjs`: checks the builds, then runs the compiled
 * apps/web/dist/server.js), and waits for `GET /api/health`. The e2e global setup builds first.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

const HEALTH_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 10_000;
const OUTPUT_LIMIT = 400;

export interface StartedServer {
  url: string;
  port: number;
  dataDir: string;
  /** Everything the server printed, for failures that show up in the browser as a 500. */
  logFile: string;
  /** The last lines the server printed (stdout and stderr interleaved). */
  output(): string;
  stop(): Promise<void>;
}

export interface StartServerOptions {
  env?: Record<string, string>;
  /** Default `test-results/e2e/server.log`. */
  logFile?: string;
  /** Keep the temporary DATA_DIR after stopping (to inspect a failure). */
  keepDataDir?: boolean;
  /** Reuse an existing DATA_DIR (a restart); it is then never deleted by stop(). */
  dataDir?: string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** What `npm start` runs, from the repository root. */
export const START_COMMAND = [process.execPath, path.join(REPO_ROOT, "scripts/start.mjs")] as const;

/**
 * The environment of a test server: like `npm start`, the server picks its own NODE_ENV for Next;
 * an inherited one (vitest sets "test") would change Tandem's own production checks.
 */
export function serverEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const { NODE_ENV: _inherited, ...parentEnv } = process.env;
  return { NEXT_TELEMETRY_DISABLED: "1", ...parentEnv, DEMO_SEED: "1", ...env };
}

export async function startServer(options: StartServerOptions = {}): Promise<StartedServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), "tandem-e2e-")));
  const keepDataDir = options.keepDataDir || Boolean(options.dataDir);
  const logFile = options.logFile ?? path.join(REPO_ROOT, "test-results/e2e/server.log");
  mkdirSync(path.dirname(logFile), { recursive: true });
  const log = createWriteStream(logFile);
  const lines: string[] = [];
  const remember = (chunk: Buffer) => {
    log.write(chunk);
    for (const line of chunk.toString("utf8").split("\n")) {
      if (line.trim()) lines.push(line);
    }
    if (lines.length > OUTPUT_LIMIT) lines.splice(0, lines.length - OUTPUT_LIMIT);
  };

  const [command, ...args] = START_COMMAND;
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env: serverEnv({ PORT: String(port), APP_URL: url, DATA_DIR: dataDir, ...options.env }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", remember);
  child.stderr?.on("data", remember);

  const output = () => lines.join("\n");
  const stop = async () => {
    await stopProcess(child);
    await new Promise((resolve) => log.end(resolve));
    if (!keepDataDir) await rm(dataDir, { recursive: true, force: true });
  };

  try {
    await waitForHealth(url, child);
  } catch (error) {
    await stop();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${reason}\n--- server output (last ${OUTPUT_LIMIT} lines) ---\n${output() || "(nothing)"}`);
  }
  return { url, port, dataDir, logFile, output, stop };
}

export async function waitForHealth(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  let last = "no answer yet";
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`The server exited before it was healthy (code ${child.exitCode}, signal ${child.signalCode}).`);
    }
    try {
      const response = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(5_000) });
      if (response.status === 200) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last =
        error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`GET ${url}/api/health did not return 200 within ${HEALTH_TIMEOUT_MS / 1000} s (last: ${last}).`);
}

/** SIGTERM, then SIGKILL if the process is still alive after the grace period. */
async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}
