import { AsyncLocalStorage } from "node:async_hooks";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import * as schema from "./schema/index.ts";

export type Schema = typeof schema;
/** A database handle or a transaction: every function that touches the database takes one of these first. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export type DatabaseKind = "pglite" | "postgres";

export interface Database {
  db: Db;
  kind: DatabaseKind;
  /** Whether the pgvector extension is installed (PGlite always bundles it). */
  vector: boolean;
  close(): Promise<void>;
}

export interface CreateDbOptions {
  /** postgres:// URL; when absent an embedded PGlite database is used. */
  databaseUrl?: string | undefined;
  /** Directory for the embedded database; when absent (tests) PGlite runs in memory. */
  dataDir?: string | undefined;
  /** Pool size for node-postgres. */
  poolSize?: number;
  /** Load a PGlite data dump (tarball) instead of initialising an empty cluster: tests use a migrated template. */
  loadDataDir?: Blob | File;
}

export const MIGRATIONS_FOLDER = fileURLToPath(new URL("../migrations", import.meta.url));
/** Arbitrary constant for pg_advisory_lock, so two processes never migrate at the same time. */
const MIGRATION_LOCK_KEY = 727_274_001;

/**
 * Runs one statement; set by core's tracing (OpenTelemetry database spans) while it is on. Null, the
 * default, leaves the query path as it is.
 */
export type QueryObserver = <T>(statement: string, run: () => Promise<T>) => Promise<T>;
let queryObserver: QueryObserver | null = null;

export function setQueryObserver(observer: QueryObserver | null): void {
  queryObserver = observer;
}

function observed<T>(statement: unknown, run: () => Promise<T>): Promise<T> {
  const text = typeof statement === "string" ? statement : (statement as { text?: unknown } | null)?.text;
  return queryObserver && typeof text === "string" ? queryObserver(text, run) : run();
}

export async function createDb(options: CreateDbOptions = {}): Promise<Database> {
  if (options.databaseUrl) return createPostgres(options.databaseUrl, options.poolSize ?? 10);
  return createPglite(options.dataDir, options.loadDataDir);
}

async function createPglite(dataDir: string | undefined, loadDataDir?: Blob | File): Promise<Database> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { vector } = await import("@electric-sql/pglite/vector");
  // pg_trgm backs the inbox's contact name search (migration 0002 creates it where it is offered).
  const { pg_trgm } = await import("@electric-sql/pglite/contrib/pg_trgm");
  const { drizzle } = await import("drizzle-orm/pglite");
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  if (dataDir && !loadDataDir && !existsSync(path.join(dataDir, "PG_VERSION"))) await initDataDir(dataDir);
  const client = await PGlite.create({
    ...(dataDir ? { dataDir } : {}),
    ...(loadDataDir ? { loadDataDir } : {}),
    extensions: { vector, pg_trgm },
    startParams: [...PGlite.defaultStartParams, "-c", `shared_buffers=${PGLITE_SHARED_BUFFERS}`],
  });
  await client.exec("CREATE EXTENSION IF NOT EXISTS vector");
  yieldBeforeEachQuery(client);
  const db = drizzle(client, { schema }) as unknown as Db;
  embedded.add(db);
  return {
    db,
    kind: "pglite",
    vector: true,
    close: () => client.close(),
  };
}

/**
 * PostgreSQL's page cache inside PGlite's WebAssembly memory. initdb writes PostgreSQL's default,
 * 128 MB, and PGlite touches all of it, so it is resident from the first query: a third of an
 * idle server. Pages that do not fit are read back from DATA_DIR through the operating system's
 * cache; 32 MB holds the working set of a small install and costs about
 * 100 MB less (bench/server/idle.ts). Installs that outgrow it belong on a PostgreSQL server.
 */
const PGLITE_SHARED_BUFFERS = "32MB";

/**
 * Creates a new embedded cluster (initdb) in a short-lived child process. initdb runs in a
 * WebAssembly instance of its own; done in this process, it left about 140 MB more resident for as
 * long as the server ran (freed, but not given back to the system), so a first start idled at ~440 MB
 * against ~300 MB for every later start. The child costs about a second, once per install.
 */
async function initDataDir(dataDir: string): Promise<void> {
  const pglite = createRequire(import.meta.url).resolve("@electric-sql/pglite");
  const script = `require(process.argv[1]).PGlite.create({ dataDir: process.argv[2] })
    .then((db) => db.close())
    .catch((error) => { console.error(error); process.exit(1); });`;
  const child = spawn(process.execPath, ["-e", script, pglite, dataDir], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", resolve);
  });
  if (code !== 0) throw new Error(`Creating the embedded database in ${dataDir} failed:\n${stderr.trim()}`);
}

const embedded = new WeakSet<Db>();

/**
 * Whether `db` is an embedded PGlite database: it has no autovacuum (no postmaster), so the app
 * vacuums and analyzes it itself (`database-maintenance` job in @tandem/core).
 */
export function isEmbeddedDb(db: Db): boolean {
  return embedded.has(db);
}

/**
 * The object that stands for the database under a handle: a transaction's handle and its database's
 * share the client underneath. A key for what is cached per database (extensions, statistics, indexes).
 */
export function databaseRoot(db: Db): object {
  const session = (db as unknown as { session?: { client?: object } }).session;
  return session?.client ?? db;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Queries started inside `inBackground` (on PGlite): they wait until no other query is waiting or
 * running (or `BACKGROUND_MAX_WAIT_MS` has passed, so they never starve).
 */
const backgroundScope = new AsyncLocalStorage<true>();
const BACKGROUND_MAX_WAIT_MS = 200;

/**
 * Runs `fn` with its database work behind everyone else's on PGlite's one connection: bookkeeping a
 * customer does not wait for — live events, job status, summaries — yields to the pipeline's next
 * step, whose queries would otherwise queue behind it. On a PostgreSQL pool it just runs `fn`.
 */
export function inBackground<T>(fn: () => Promise<T>): Promise<T> {
  return backgroundScope.run(true, fn);
}

/** Leaves a background scope: work started from one (a job claimed as it is enqueued) runs at full priority. */
export function inForeground<T>(fn: () => T): T {
  return backgroundScope.exit(fn);
}

/**
 * PGlite runs each query synchronously on this thread and resolves it with a microtask, so a chain of
 * awaited queries (a busy job queue) never lets the event loop reach its I/O phase: HTTP requests
 * and socket messages would wait until the chain ends (we measured 650 ms stalls under webhook
 * load). Starting every query, inside transactions too, on a fresh turn of the event loop lets
 * I/O in between queries; it costs a few microseconds per query.
 *
 * It also orders work: a query or transaction started in `inBackground` first waits for the
 * foreground ones (counted from their call to their result) to drain. Queries inside a transaction
 * never wait: the transaction already holds the connection.
 */
function yieldBeforeEachQuery(client: import("@electric-sql/pglite").PGlite): void {
  const query = client.query.bind(client);
  const exec = client.exec.bind(client);
  const transaction = client.transaction.bind(client);
  let foreground = 0;
  let idleWaiters: (() => void)[] = [];
  const release = () => {
    foreground--;
    if (foreground > 0 || idleWaiters.length === 0) return;
    // A turn later: foreground work that was about to start gets in first.
    setImmediate(() => {
      if (foreground > 0) return;
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const resolve of waiters) resolve();
    });
  };
  const foregroundIdle = () =>
    new Promise<void>((resolve) => {
      if (foreground === 0) return resolve();
      const timer = setTimeout(() => {
        idleWaiters = idleWaiters.filter((w) => w !== done);
        resolve();
      }, BACKGROUND_MAX_WAIT_MS);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      idleWaiters.push(done);
    });
  async function gated<T>(run: () => Promise<T>): Promise<T> {
    if (backgroundScope.getStore()) {
      await foregroundIdle();
      await nextTurn();
      return run();
    }
    foreground++;
    try {
      await nextTurn();
      return await run();
    } finally {
      release();
    }
  }
  client.query = ((...args: Parameters<typeof query>) =>
    gated(() => observed(args[0], () => query(...args)))) as typeof client.query;
  client.exec = (...args: Parameters<typeof exec>) => gated(() => observed(args[0], () => exec(...args)));
  client.transaction = (callback) =>
    gated(() =>
      transaction((tx) => {
        const txQuery = tx.query.bind(tx);
        const txExec = tx.exec.bind(tx);
        tx.query = (async (...args: Parameters<typeof txQuery>) => {
          await nextTurn();
          return observed(args[0], () => txQuery(...args));
        }) as typeof tx.query;
        tx.exec = async (...args: Parameters<typeof txExec>) => {
          await nextTurn();
          return observed(args[0], () => txExec(...args));
        };
        return callback(tx);
      }),
    );
}

async function createPostgres(url: string, poolSize: number): Promise<Database> {
  const pg = await import("pg");
  const { drizzle } = await import("drizzle-orm/node-postgres");
  const pool = new pg.default.Pool({ connectionString: url, max: poolSize });
  // An idle client error (server restart) must not crash the process; the next query reconnects.
  pool.on("error", () => {});
  observePoolQueries(pool);
  const db = drizzle(pool, { schema }) as unknown as Db;
  const { rows } = await pool.query<{ installed: boolean }>(
    "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'vector') AS installed",
  );
  return {
    db,
    kind: "postgres",
    vector: rows[0]?.installed ?? false,
    close: () => pool.end(),
  };
}

/**
 * Statements through the pool (`pool.query`) and through a checked-out client (transactions) go
 * through the query observer. The pool runs its own `query` on a client with a callback: those
 * calls are the pool's, already observed, and pass through as they are.
 */
function observePoolQueries(pool: import("pg").Pool): void {
  const poolQuery = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  pool.query = ((...args: unknown[]) =>
    typeof args.at(-1) === "function"
      ? poolQuery(...args)
      : observed(args[0], () => poolQuery(...args) as Promise<unknown>)) as typeof pool.query;
  pool.on("connect", (client) => {
    const clientQuery = client.query.bind(client) as (...args: unknown[]) => unknown;
    client.query = ((...args: unknown[]) =>
      typeof args.at(-1) === "function" || typeof (args[0] as { submit?: unknown })?.submit === "function"
        ? clientQuery(...args)
        : observed(args[0], () => clientQuery(...args) as Promise<unknown>)) as typeof client.query;
  });
}

/**
 * Apply pending migrations. On a PostgreSQL server the work runs on one dedicated connection that
 * holds an advisory lock, so several processes starting together migrate exactly once.
 */
export async function migrate(database: Database): Promise<void> {
  if (database.kind === "pglite") {
    const { migrate: run } = await import("drizzle-orm/pglite/migrator");
    // biome-ignore lint/suspicious/noExplicitAny: the migrator wants the concrete PGlite database type
    await run(database.db as any, { migrationsFolder: MIGRATIONS_FOLDER });
    return;
  }
  const { migrate: run } = await import("drizzle-orm/node-postgres/migrator");
  const { drizzle } = await import("drizzle-orm/node-postgres");
  // biome-ignore lint/suspicious/noExplicitAny: reach the pool behind the drizzle handle
  const pool = (database.db as any).$client as import("pg").Pool;
  const client = await pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    try {
      await run(drizzle(client, { schema }), { migrationsFolder: MIGRATIONS_FOLDER });
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
  // The migrations create the extension where the server offers it.
  const { rows } = await pool.query<{ installed: boolean }>(
    "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'vector') AS installed",
  );
  database.vector = rows[0]?.installed ?? false;
}

export interface MigrationStatus {
  applied: number;
  expected: number;
  pending: number;
}

/** Compares the migrations recorded in the database with the journal shipped in this build. */
export async function migrationStatus(db: Db): Promise<MigrationStatus> {
  const journal = JSON.parse(readFileSync(path.join(MIGRATIONS_FOLDER, "meta", "_journal.json"), "utf8")) as {
    entries: unknown[];
  };
  const result = await db.execute<{ count: number }>(
    sql`SELECT count(*)::int AS count FROM drizzle.__drizzle_migrations`,
  );
  const applied = Number((result as unknown as { rows: { count: number }[] }).rows[0]?.count ?? 0);
  return { applied, expected: journal.entries.length, pending: Math.max(0, journal.entries.length - applied) };
}

/** Rows of a raw `db.execute` result, whichever driver produced it. */
export function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}
