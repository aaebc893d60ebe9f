/**
 * How common each full-text lexeme is among the chunks: the share of `chunk.search` values that hold
 * it, from the statistics ANALYZE keeps (`pg_stats.most_common_elems`, a sample of the whole table,
 * every workspace together). Retrieval uses it to choose how to gather a question's any-word matches
 * (`bots/retrieve-knowledge.ts`): when a word is in a large share of the chunks, reading chunks in
 * order until enough match is much faster than asking the GIN index for all of them.
 *
 * Only the most common lexemes are listed (up to ten times the statistics target, 1,000 by default);
 * any other one is rarer than the least common listed (`floor`). Before the first ANALYZE nothing is
 * listed and the floor is 1: nothing is known. The embedded database analyzes the knowledge tables after
 * an ingest, a PostgreSQL server's autovacuum within a minute of enough changes, and the hourly
 * maintenance job both (`maintenance/database-maintenance.ts`).
 */
import { type Db, databaseRoot, rowsOf } from "@tandem/db";
import { sql } from "drizzle-orm";

export interface LexemeShares {
  /** The share (0–1) of chunks holding `lexeme` when it is among the most common, else undefined. */
  listed(lexeme: string): number | undefined;
  /**
   * At most how common a lexeme that is not listed is: the least common listed share (1 before the
   * first ANALYZE, when nothing is known).
   */
  floor: number;
}

/** Read again at most this often: ANALYZE runs after ingests and hourly, not per question. */
const TTL_MS = 60_000;

const cached = new WeakMap<object, { at: number; shares: Promise<LexemeShares> }>();

/** The shares for this database, read once a minute (a few milliseconds each time on PGlite). */
export function lexemeShares(db: Db, now = Date.now()): Promise<LexemeShares> {
  const key = databaseRoot(db);
  const entry = cached.get(key);
  if (entry && now - entry.at < TTL_MS) return entry.shares;
  const shares = read(db);
  cached.set(key, { at: now, shares });
  shares.catch(() => cached.delete(key));
  return shares;
}

/** Forget what was read (after an ANALYZE in tests, which want the new statistics at once). */
export function forgetLexemeShares(db: Db): void {
  cached.delete(databaseRoot(db));
}

async function read(db: Db): Promise<LexemeShares> {
  // `most_common_elems` is `anyarray`: through text to text[]. `most_common_elem_freqs` has one
  // frequency per element, then the minimum, the maximum and the share of empty values.
  const result = await db.execute(sql`
    SELECT most_common_elems::text::text[] AS elems, most_common_elem_freqs AS freqs
    FROM pg_stats
    WHERE schemaname = current_schema() AND tablename = 'chunk' AND attname = 'search'`);
  const row = rowsOf<{ elems: string[] | null; freqs: (number | string)[] | null }>(result)[0];
  const shares = new Map<string, number>();
  const elems = row?.elems ?? [];
  const freqs = row?.freqs ?? [];
  elems.forEach((lexeme, i) => {
    const freq = Number(freqs[i]);
    if (Number.isFinite(freq)) shares.set(lexeme, freq);
  });
  // After the per-element frequencies: the minimum, the maximum, the share of empty values.
  const minimum = Number(freqs[elems.length]);
  return {
    listed: (lexeme) => shares.get(lexeme),
    floor: shares.size && Number.isFinite(minimum) ? minimum : 1,
  };
}
