import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * Throwaway servers for integration tests (`*.int.test.ts`): a real Redis on a free port, without
 * persistence, stopped at the end of the test file.
 */
export interface TestServer {
  url: string;
  port: number;
  stop(): Promise<void>;
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

/** Looks a binary up in PATH, then in the given fallback directories. */
export function findBinary(name: string, fallbackDirs: string[] = []): string | null {
  const dirs = [...(process.env.PATH ?? "").split(path.delimiter), ...fallbackDirs].filter(Boolean);
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

export class MissingServerError extends Error {
  constructor(binary: string, debianPackage: string) {
    super(
      `${binary} not found: install it with \`apt-get install -y ${debianPackage}\` (Debian package "${debianPackage}")`,
    );
    this.name = "MissingServerError";
  }
}

/** Resolves when `port` accepts TCP connections, or rejects after `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child && child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode} before listening`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: "127.0.0.1" });
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on port ${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Stops a child process: SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
export async function stopProcess(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

export async function startRedisServer(options: { appendOnly?: boolean } = {}): Promise<TestServer> {
  const binary = findBinary("redis-server", ["/usr/bin", "/usr/local/bin"]);
  if (!binary) throw new MissingServerError("redis-server", "redis-server");
  const port = await freePort();
  // Its own working directory, so an append-only file never collides with another server's.
  const dir = mkdtempSync(path.join(tmpdir(), "tandem-redis-"));
  const args = [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--appendonly",
    options.appendOnly ? "yes" : "no",
  ];
  const child = spawn(binary, [...args, "--dir", dir], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  try {
    await waitForPort(port, 10_000, child);
  } catch (error) {
    child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`redis-server did not start: ${(error as Error).message}\n${stderr}`);
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      process.off("exit", killOnExit);
      await stopProcess(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
