import { createHash } from "node:crypto";
import { type Db, databaseRoot, type RetrievalSettings } from "@tandem/db";
import { sql } from "drizzle-orm";

type Embedding = NonNullable<RetrievalSettings["embedding"]>;

/**
 * What `chunk_embedding.model` records for vectors of an embedding setting: the provider kind and the
 * model, and the requested size when one is (`OPENAI:text-embedding-3-small@512`), so vectors of
 * two sizes or two providers serving a model of the same name never mix.
 */
export function embeddingKey(embedding: Pick<Embedding, "provider" | "model" | "dimensions">): string {
  const base = `${embedding.provider}:${embedding.model}`;
  return embedding.dimensions ? `${base}@${embedding.dimensions}` : base;
}

export const HNSW_MAX_DIMENSIONS = 2000;

const ready = new WeakMap<object, Set<string>>();

/** The name of the ANN index of one embedding key: derived from a hash, as keys hold any character. */
export const vectorIndexName = (key: string, dimensions: number) =>
  `chunk_embedding_hnsw_${createHash("sha256").update(`${key}|${dimensions}`).digest("hex").slice(0, 16)}`;

/** A SQL string literal (keys come from settings; the DDL cannot take a bound parameter). */
const literal = (value: string) => `'${value.replace(/'/g, "''")}'`;

/**
 * The HNSW index of one embedding key, created the first time the key is used. `chunk_embedding`
 * has no fixed dimension, so a single index cannot serve every model: each key gets a partial
 * expression index `((embedding::vector(N)) vector_cosine_ops) WHERE model = key`, and vector
 * queries use the same expression and predicate (`vectorExpression`) so the planner can pick it.
 */
export async function ensureVectorIndex(db: Db, key: string, dimensions: number): Promise<void> {
  const root = databaseRoot(db);
  const name = vectorIndexName(key, dimensions);
  const done = ready.get(root) ?? new Set<string>();
  ready.set(root, done);
  if (done.has(name)) return;
  const dims = Math.trunc(dimensions);
  if (!Number.isInteger(dims) || dims < 1) throw new Error(`bad vector size ${dimensions}`);
  // pgvector's HNSW takes at most 2,000 dimensions: larger vectors are searched by an exact scan.
  if (dims > HNSW_MAX_DIMENSIONS) {
    done.add(name);
    return;
  }
  await db.execute(
    sql.raw(
      `CREATE INDEX IF NOT EXISTS "${name}" ON chunk_embedding USING hnsw ((embedding::vector(${dims})) vector_cosine_ops) WHERE model = ${literal(key)}`,
    ),
  );
  done.add(name);
}

/** `embedding::vector(N)`: the expression the per-key index is built on. */
export const vectorExpression = (dimensions: number, alias = "e") =>
  sql.raw(`${alias}.embedding::vector(${Math.trunc(dimensions)})`);

/** A vector literal for a bound parameter (`$1::vector(N)`). */
export const vectorLiteral = (values: readonly number[]) =>
  `[${values.map((v) => (Number.isFinite(v) ? v : 0)).join(",")}]`;
