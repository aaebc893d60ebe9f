/**
 * The product as the knowledge benches use it, started the way `npm start` runs it in embedded mode:
 * PGlite in a temporary DATA_DIR, the embedded job queue running every job (ingest, embeddings) in
 * this process, the HTTP API behind the server's own listener, the demo workspace seeded, and the
 * simulator (fake OpenAI, whose embeddings are `@tandem/simulator`'s `embedText`) in a child process
 * as a real provider would be remote. `signIn()` signs in as the demo owner over HTTP and returns a
 * client that sends the session cookie and the CSRF token, as the dashboard does.
 */
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { createApiListener, createApp, createHttpServer } from "@tandem/api";
import { CSRF_HEADER } from "@tandem/contracts";
import {
  type AppJobDeps,
  appJobDeps,
  createJobQueue,
  createLogger,
  createRuntime,
  DEMO_USERS,
  generateKey,
  JobRegistry,
  loadConfig,
  registerAllJobs,
  seedDemo,
} from "@tandem/core";
import { startSimulatorProcess } from "../simulator-process.ts";

const DEMO_PASSWORD = "tandem-bench-demo";

export interface ApiClient {
  /** JSON request; throws with the server's error body when the status is not 2xx. */
  call<T>(method: string, urlPath: string, body?: unknown): Promise<T>;
  /** Multipart upload of files (name → bytes) with extra form fields. */
  upload<T>(urlPath: string, files: { name: string; type: string; bytes: Uint8Array }[]): Promise<T>;
}

export async function startProduct(name: string) {
  const dataDir = mkdtempSync(path.join(tmpdir(), `tandem-bench-${name}-`));
  const config = loadConfig({
    DATA_DIR: dataDir,
    ENCRYPTION_KEY: generateKey(),
    AUTH_SECRET: generateKey(),
    LOG_LEVEL: "silent",
    DEMO_SEED: "0",
    DEMO_PASSWORD,
    // The fake OpenAI-compatible server listens on 127.0.0.1.
    OUTBOUND_ALLOW_PRIVATE: "1",
  });
  // Warnings and errors go to stderr: a failing job must not hide behind good numbers.
  const log = createLogger({ level: "warn" });
  const runtime = await createRuntime(config, { log });
  const simulator = await startSimulatorProcess();
  const queue = createJobQueue<AppJobDeps>({
    db: runtime.database.db,
    registry: registerAllJobs(new JobRegistry<AppJobDeps>()),
    deps: appJobDeps(runtime),
    log,
  });
  runtime.queue = queue;
  await queue.start();
  await seedDemo(runtime.database.db, {
    password: DEMO_PASSWORD,
    keyring: runtime.keyring,
    simulatorUrl: simulator.url,
  });

  const server = createHttpServer({ config, log }, createApiListener(runtime, createApp(runtime).fetch));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  async function signIn(): Promise<ApiClient> {
    const owner = DEMO_USERS.find((u) => u.role === "OWNER")!;
    const res = await fetch(`${appUrl}/api/auth/sign-in`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: appUrl },
      body: JSON.stringify({ email: owner.email, password: DEMO_PASSWORD }),
    });
    if (res.status !== 200) throw new Error(`sign-in: ${res.status} ${await res.text()}`);
    const { csrfToken } = (await res.json()) as { csrfToken: string };
    const cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const headers = { cookie, origin: appUrl, [CSRF_HEADER]: csrfToken };
    const read = async <T>(what: string, response: Response): Promise<T> => {
      const text = await response.text();
      if (!response.ok) throw new Error(`${what}: ${response.status} ${text}`);
      return (text ? JSON.parse(text) : undefined) as T;
    };
    return {
      call: async (method, urlPath, body) =>
        read(
          `${method} ${urlPath}`,
          await fetch(`${appUrl}${urlPath}`, {
            method,
            headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
            body: body === undefined ? undefined : JSON.stringify(body),
          }),
        ),
      upload: async (urlPath, files) => {
        const form = new FormData();
        for (const file of files) form.append("files", new Blob([file.bytes], { type: file.type }), file.name);
        return read(`POST ${urlPath}`, await fetch(`${appUrl}${urlPath}`, { method: "POST", headers, body: form }));
      },
    };
  }

  return {
    appUrl,
    runtime,
    simulator,
    /** The simulator's fake OpenAI API (its `/embeddings` is the simulator's embedding model). */
    fakeOpenAiUrl: `${simulator.url}/llm/openai/v1`,
    signIn,
    async stop() {
      simulator.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await queue.stop({ timeoutMs: 5_000 });
      await runtime.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every `everyMs` until it returns a value, or throws after `timeoutMs` with `what`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 600_000,
  everyMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}
