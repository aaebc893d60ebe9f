/**
 * The worker process as `npm run worker` starts it (scripts/start.mjs: the compiled
 * apps/worker/dist/main.js), against a real Redis, with its stdout on a pipe nobody reads any more.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { generateKey } from "@tandem/core";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedisServer, type TestServer } from "../../../tests/support/redis-server.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
/** Generous: the worker's own hard deadline is 25 s; a graceful stop takes about a second. */
const EXIT_BOUND_MS = 30_000;
const JOBS = 1_000;

let redis: TestServer;
let dataDir: string;
let worker: ChildProcess | undefined;

beforeAll(async () => {
  redis = await startRedisServer();
  dataDir = mkdtempSync(path.join(tmpdir(), "tandem-worker-"));
});

afterAll(async () => {
  if (worker && worker.exitCode === null && worker.signalCode === null) worker.kill("SIGKILL");
  await redis?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("worker process", () => {
  it("keeps working and stops on SIGTERM while nothing reads its output", { timeout: 240_000 }, async () => {
    worker = spawn(process.execPath, [path.join(root, "scripts/start.mjs"), "worker"], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        REDIS_URL: redis.url,
        DATA_DIR: dataDir,
        ENCRYPTION_KEY: generateKey(),
        AUTH_SECRET: "worker-test-auth-secret-0123456789abcdef",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const child = worker;
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      child.once("exit", (code, signal) => resolve({ code, signal })),
    );

    // Read the output until the worker is up, then never again: the pipe stays open and fills.
    await new Promise<void>((resolve, reject) => {
      let seen = "";
      const onData = (chunk: Buffer) => {
        seen += chunk.toString("utf8");
        if (!seen.includes('"msg":"worker started"')) return;
        child.stdout?.off("data", onData);
        child.stdout?.pause();
        resolve();
      };
      child.stdout?.on("data", onData);
      void exited.then(({ code }) => reject(new Error(`the worker exited (${code}) before starting:\n${stderr}`)));
    });

    // Jobs whose payload is invalid fail at once, each with a log line (~1 KB): far more than a pipe holds.
    const queue = new Queue("process-inbound-event", { connection: { url: redis.url }, prefix: "tandem" });
    try {
      await queue.addBulk(
        Array.from({ length: JOBS }, (_, i) => ({
          name: "process-inbound-event",
          data: { payload: { notAnEvent: i }, key: `broken-${i}`, enqueueId: `e-${i}` },
        })),
      );
      // The worker keeps processing while its output is stalled.
      await expect
        .poll(async () => (await queue.getJobCounts("failed")).failed, { timeout: 120_000, interval: 500 })
        .toBe(JOBS);
    } finally {
      await queue.close();
    }

    child.kill("SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    const result = await Promise.race([
      exited,
      new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), EXIT_BOUND_MS);
      }),
    ]);
    clearTimeout(timer);
    expect(result, stderr).toEqual({ code: 0, signal: null });
  });
});
