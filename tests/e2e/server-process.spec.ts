/**
 * The server process itself, started as `npm start` starts it: what it sends with every answer,
 * where it listens, and that it stops on SIGTERM whatever became of its output.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { freePort, REPO_ROOT, START_COMMAND, serverEnv, startServer, waitForHealth } from "./support/server.ts";

/** Generous: the server's own hard deadline is 25 s; a graceful stop takes about a second. */
const EXIT_BOUND_MS = 30_000;

test.describe("security headers", () => {
  const pages = ["/login", "/dashboard", "/_next/static/does-not-exist.js"];
  const api = ["/api/health", "/api/v1/me", "/api/nothing-here"];

  for (const url of [...pages, ...api]) {
    test(`${url} forbids framing and sniffing`, async ({ baseURL }) => {
      const response = await fetch(`${baseURL}${url}`, { redirect: "manual" });
      expect(response.headers.get("x-frame-options")).toBe("DENY");
      expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("referrer-policy")).toBe("same-origin");
    });
  }

  test("a page that another site frames stays blank", async ({ page, baseURL }) => {
    // The browser enforces the headers: /login framed by another origin never shows its form.
    await page.setContent(`<iframe src="${baseURL}/login" width="600" height="400"></iframe>`, { waitUntil: "load" });
    const frame = page.mainFrame().childFrames()[0];
    if (!frame) throw new Error("the iframe was not created");
    await expect(frame.locator("input")).toHaveCount(0);
  });
});

test.describe("listening address", () => {
  test("with demo logins and no HOST, only this machine can connect", async ({ baseURL }) => {
    const port = Number(new URL(baseURL ?? "").port);
    // 127.0.0.2 is another loopback address: a server on every interface answers there too.
    expect(await canConnect("127.0.0.1", port)).toBe(true);
    expect(await canConnect("127.0.0.2", port)).toBe(false);
  });

  test("HOST set explicitly is respected, with a warning when demo logins are on", async () => {
    test.setTimeout(180_000);
    const server = await startServer({
      env: { HOST: "0.0.0.0" },
      logFile: path.join(REPO_ROOT, "test-results/e2e/host-server.log"),
    });
    try {
      expect(await canConnect("127.0.0.2", server.port)).toBe(true);
      expect(server.output()).toContain("WARNING: listening on 0.0.0.0 with demo logins");
      expect(server.output()).toContain("demo logins or the simulator are reachable from the network");
    } finally {
      await server.stop();
    }
  });
});

test.describe("stopping with a broken output", () => {
  test.setTimeout(180_000);
  // A test that times out does not reach its `finally`: no server may outlive it.
  test.afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  test("stops on SIGTERM while nothing reads its output any more (a stalled pipe)", async () => {
    const server = await spawnServer();
    server.child.stdout?.pause(); // keeps the pipe open and full: a reader that went away without closing it
    await makeLogTraffic(server.url);
    const exit = await terminate(server.child);
    expect(exit, server.stderr()).toEqual({ code: 0, signal: null });
  });

  test("stops on SIGTERM after its output pipe was closed, and logs on stderr instead", async () => {
    const server = await spawnServer();
    server.child.stdout?.destroy(); // the reader is gone: writes fail with EPIPE
    await makeLogTraffic(server.url);
    const exit = await terminate(server.child);
    expect(exit, server.stderr()).toEqual({ code: 0, signal: null });
    expect(server.stderr()).toContain("writing to stdout failed (EPIPE)");
    expect(server.stderr()).toContain('"msg":"stopped"');
  });
});

async function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

const cleanups: (() => Promise<void>)[] = [];

/** Starts the server with its stdout on a pipe this test controls; stderr is read throughout. */
async function spawnServer() {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dataDir = await mkdtemp(path.join(tmpdir(), "tandem-e2e-pipe-"));
  const [command, ...args] = START_COMMAND;
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env: serverEnv({ PORT: String(port), APP_URL: url, DATA_DIR: dataDir }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const cleanup = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await rm(dataDir, { recursive: true, force: true });
  };
  cleanups.push(cleanup);
  try {
    await waitForHealth(url, child);
  } catch (error) {
    await cleanup();
    throw error;
  }
  return { child, url, stderr: () => stderr };
}

/**
 * About 2 MB of access-log lines (a 404 logs its path): far more than a pipe holds (64 KB). The
 * server must keep answering meanwhile.
 */
async function makeLogTraffic(url: string): Promise<void> {
  const longPath = `/api/nothing-here/${"x".repeat(8_000)}`;
  for (let i = 0; i < 250; i++) {
    const response = await fetch(`${url}${longPath}`, { signal: AbortSignal.timeout(15_000) });
    expect(response.status).toBe(404);
    await response.arrayBuffer();
  }
}

/** SIGTERM, then the exit (or null if the process is still running after EXIT_BOUND_MS). */
async function terminate(child: ChildProcess): Promise<{ code: number | null; signal: string | null } | null> {
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  child.kill("SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), EXIT_BOUND_MS);
  });
  const result = await Promise.race([exited, timeout]);
  clearTimeout(timer);
  return result;
}
