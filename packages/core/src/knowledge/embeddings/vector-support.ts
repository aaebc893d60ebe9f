import { type Db, databaseRoot, rowsOf } from "@tandem/db";
import { sql } from "drizzle-orm";

export interface VectorSupport {
  /** pgvector is installed: `chunk_embedding` exists and retrieval may be hybrid. */
  available: boolean;
  /** pgvector ≥ 0.8: `hnsw.iterative_scan` keeps scanning an HNSW index until a filtered query has its k rows. */
  iterativeScan: boolean;
  version: string | null;
}

const known = new WeakMap<object, Promise<VectorSupport>>();

/**
 * What the database offers for vector search, read once per database handle. Core verbs and jobs get
 * a `Db` (not the `Database` with its `vector` flag), so they ask here; the answer cannot change
 * while the process runs (installing pgvector needs a migration and a restart).
 */
export function vectorSupport(db: Db): Promise<VectorSupport> {
  const key = databaseRoot(db);
  let found = known.get(key);
  if (!found) {
    found = read(db);
    known.set(key, found);
    found.catch(() => known.delete(key));
  }
  return found;
}

async function read(db: Db): Promise<VectorSupport> {
  const result = await db.execute(sql`SELECT extversion FROM pg_extension WHERE extname = 'vector'`);
  const version = rowsOf<{ extversion: string }>(result)[0]?.extversion ?? null;
  if (!version) return { available: false, iterativeScan: false, version: null };
  const [major = 0, minor = 0] = version.split(".").map(Number);
  return { available: true, iterativeScan: major > 0 || minor >= 8, version };
}
