import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startRedisServer } from "/work/main/tests/support/redis-server.ts";
import { createTestDatabase, startPostgresServer } from "/work/main/tests/support/postgres-server.ts";

const redis = await startRedisServer();
const pg = await startPostgresServer();
const databaseUrl = await createTestDatabase(pg);
const child = spawn("npx", ["tsx", "src/main.ts"], {
  cwd: "/work/main/apps/worker",
  env: { ...process.env, REDIS_URL: redis.url, DATABASE_URL: databaseUrl, DATA_DIR: mkdtempSync(path.join(tmpdir(), "wk-")), LOG_LEVEL: "info", ENCRYPTION_KEY: Buffer.alloc(32, 1).toString("base64") },
  stdio: ["ignore", "pipe", "pipe"],
});
let out = "";
child.stdout.on("data", (d) => { out += d; });
child.stderr.on("data", (d) => { out += d; });
const deadline = Date.now() + 60_000;
while (!out.includes("worker started") && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
console.log("started:", out.includes("worker started"));
child.kill("SIGTERM");
const code = await new Promise((r) => child.once("exit", (c) => r(c)));
console.log("exit code", code);
console.log(out.slice(-1500));
await redis.stop(); await pg.stop();
