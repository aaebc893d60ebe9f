/**
 * Foundation benchmark (embedded mode, in one process like `npm start`):
 *   - GET /api/v1/me with a Bearer token over real HTTP, 32 concurrent connections
 *   - GET /api/health (no database)
 *   - embedded job queue: enqueue + run throughput of a no-op job
 * Usage: npx tsx bench/foundation/api-and-jobs.ts [requests=3000]
 */
import { once } from "node:events";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { getRequestListener } from "@hono/node-server";
import { createApp } from "@tandem/api";
import {
  createApiToken,
  createDbJobQueue,
  createRuntime,
  defineJob,
  generateKey,
  JobRegistry,
  loadConfig,
  silentLogger,
} from "@tandem/core";
import { createTestWorkspace } from "@tandem/db/testing";
import { z } from "zod";
import { runConcurrent, summarize } from "../lib.ts";

const total = Number(process.argv[2] ?? 3000);
const config = loadConfig({
  DATA_DIR: mkdtempSync(path.join(tmpdir(), "tandem-bench-")),
  ENCRYPTION_KEY: generateKey(),
  LOG_LEVEL: "silent",
  DEMO_SEED: "0",
});
const runtime = await createRuntime(config, { log: silentLogger });
const db = runtime.database.db;
const ws = await createTestWorkspace(db);
const { token } = await createApiToken(
  {
    db,
    workspaceId: ws.workspace.id,
    actor: { type: "user", userId: ws.agent.user.id, memberId: ws.agent.member.id, role: "AGENT" },
    log: silentLogger,
  },
  { name: "bench" },
);

const listener = getRequestListener(createApp(runtime).fetch);
const server = createServer((req, res) => listener(req, res));
server.listen(0, "127.0.0.1");
await once(server, "listening");
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

for (const [name, url, headers] of [
  ["GET /api/health", "/api/health", {}],
  ["GET /api/v1/me (bearer)", "/api/v1/me", { authorization: `Bearer ${token}` }],
] as const) {
  await runConcurrent(200, 8, async () => void (await (await fetch(base + url, { headers })).text()));
  const { latencies, elapsedMs } = await runConcurrent(total, 32, async () => {
    const res = await fetch(base + url, { headers });
    await res.text();
    if (!res.ok) throw new Error(`${url} → ${res.status}`);
  });
  summarize(name, latencies, elapsedMs);
}

let done = 0;
const noop = defineJob({
  name: "bench-noop",
  schema: z.object({ i: z.number() }),
  handle: async () => void done++,
  concurrency: 8,
});
const queue = createDbJobQueue({ db, registry: new JobRegistry().register(noop), deps: {}, log: silentLogger });
await queue.start();
const jobs = Math.min(total, 2000);
const started = performance.now();
const enqueue = await runConcurrent(
  jobs,
  16,
  async (i) => void (await queue.enqueue(noop, { i }, { workspaceId: ws.workspace.id })),
);
summarize("embedded queue: enqueue", enqueue.latencies, enqueue.elapsedMs);
while (done < jobs) await new Promise((r) => setTimeout(r, 20));
const elapsed = performance.now() - started;
console.log(
  JSON.stringify({ name: "embedded queue: enqueue→done", jobs, throughputPerSec: Math.round((jobs / elapsed) * 1000) }),
);

await queue.stop({ timeoutMs: 1000 });
server.close();
await runtime.close();
