import { execFile, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { freePort, MissingServerError, type TestServer } from "./redis-server.ts";

/**
 * A throwaway PostgreSQL cluster for integration tests: initdb into a temp dir, started on a free
 * port with trust auth on 127.0.0.1, removed by `stop()`. PostgreSQL refuses to run as root, so
 * as root the cluster belongs to the `postgres` user and every command runs through `runuser`.
 */
const run = promisify(execFile);

function postgresBinDir(): string | null {
  const preferred = "/usr/lib/postgresql/15/bin";
  if (existsSync(path.join(preferred, "initdb"))) return preferred;
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(path.join(root, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(root, versions[0], "bin") : null;
}

function postgresUserIds(): { uid: number; gid: number } {
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith("postgres:"));
  const [, , uid, gid] = line?.split(":") ?? [];
  if (!uid || !gid)
    throw new Error(
      'PostgreSQL refuses to run as root and there is no "postgres" user (apt-get install -y postgresql creates it)',
    );
  return { uid: Number(uid), gid: Number(gid) };
}

export interface PostgresServer extends TestServer {
  /** Superuser URL of the `postgres` database. */
  url: string;
}

export async function startPostgresServer(): Promise<PostgresServer> {
  const bin = postgresBinDir();
  if (!bin) throw new MissingServerError("PostgreSQL server (initdb, pg_ctl)", "postgresql");
  const asRoot = process.getuid?.() === 0;
  const base = mkdtempSync(path.join(tmpdir(), "tandem-pg-"));
  const dataDir = path.join(base, "data");
  const socketDir = path.join(base, "socket");
  const logFile = path.join(base, "server.log");
  mkdirSync(socketDir);
  if (asRoot) {
    const { uid, gid } = postgresUserIds();
    for (const p of [base, socketDir]) chownSync(p, uid, gid);
  }
  const exec = (binary: string, args: string[]) =>
    asRoot
      ? run("runuser", ["-u", "postgres", "--", path.join(bin, binary), ...args])
      : run(path.join(bin, binary), args);

  const port = await freePort();
  try {
    await exec("initdb", [
      "-D",
      dataDir,
      "-U",
      "postgres",
      "-A",
      "trust",
      "-E",
      "UTF8",
      "--locale=C",
      "--no-sync",
      "--no-instructions",
    ]);
    const serverOptions = [
      `-p ${port}`,
      `-k ${socketDir}`,
      "-c listen_addresses=127.0.0.1",
      // Durability is pointless for a cluster deleted at the end of the run.
      "-c fsync=off",
      "-c synchronous_commit=off",
      "-c full_page_writes=off",
    ].join(" ");
    await exec("pg_ctl", ["-D", dataDir, "-l", logFile, "-o", serverOptions, "-w", "-t", "60", "start"]);
  } catch (error) {
    const log = existsSync(logFile) ? readFileSync(logFile, "utf8") : "";
    rmSync(base, { recursive: true, force: true });
    throw new Error(`PostgreSQL did not start: ${(error as Error).message}\n${log}`);
  }

  let stopped = false;
  const stopSync = () => {
    // Last resort when the test process exits without stop(): an immediate shutdown.
    if (!stopped) {
      try {
        const args = ["-D", dataDir, "-m", "immediate", "stop"];
        const pgCtl = path.join(bin, "pg_ctl");
        if (asRoot) execFileSync("runuser", ["-u", "postgres", "--", pgCtl, ...args]);
        else execFileSync(pgCtl, args);
      } catch {}
    }
  };
  process.once("exit", stopSync);

  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async stop() {
      if (stopped) return;
      process.off("exit", stopSync);
      try {
        await exec("pg_ctl", ["-D", dataDir, "-m", "fast", "-w", "stop"]);
      } finally {
        stopped = true;
        rmSync(base, { recursive: true, force: true });
      }
    },
  };
}

/** A fresh, empty database with a random name on `server`, so test files never share state. */
export async function createTestDatabase(server: { url: string }): Promise<string> {
  const name = `tandem_test_${randomBytes(6).toString("hex")}`;
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  return url.toString();
}
