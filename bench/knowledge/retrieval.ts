/**
 * Retrieval latency at 100,000 chunks: the core retrieval function (`retrieve` in
 * `bots/retrieve-knowledge.ts`, what a bot reply and `POST …/knowledge/search` run) timed directly,
 * without HTTP, on
 *   1. the embedded database (PGlite, which bundles pgvector): full text, then hybrid — through the
 *      per-model HNSW index (built before timing; its build time is printed), then with the exact scan
 *      the function uses below 5,000 searchable chunks, for comparison;
 *   2. a PostgreSQL server (Debian's binaries, a throwaway cluster started for the run): full text
 *      only — Debian's PostgreSQL has no pgvector, so there is no vector path to measure there (the
 *      output says so; with `BENCH_DATABASE_URL` pointing at a server with pgvector, hybrid runs too).
 *
 * Seeding writes straight to the tables through `@tandem/db` (the ingest path is `ingest.ts`'s
 * business): one workspace and chatbot, a shared document source of 1,000 documents × 100 chunks of
 * 3 to 25 sentences (about 300 to 2,800 characters) drawn from the evaluation set's documents, one
 * chunk in ten Thai, `search_terms` as the chunker writes them; on a database with pgvector every
 * chunk gets the simulator's vector (`embedText`, imported directly; BENCH_DIMENSIONS, default 256).
 * Queries are the evaluation set's questions (English and Thai), after 10 warm-up queries. In hybrid
 * mode the question is embedded through the real provider code (OPENAI_COMPATIBLE credential) by the
 * simulator's fake OpenAI served in process (the providers' `fetch` hook), so no network time is
 * mixed into the database's: a real provider adds its own round trip (printed: the embed p50).
 *
 * With BENCH_CORPUS=zipf the English chunks are instead text whose words are spread as in a real
 * knowledge base (`zipfText` in synthetic-text.ts: Zipf's law, a topic per document), one document
 * in 20 still made of the evaluation set's sentences: in the default corpus every word of a question
 * is in a fifth to two thirds of the chunks, which is what full-text latency follows.
 *
 * Targets: p95 ≤ 50 ms full text, ≤ 100 ms hybrid.
 * Usage: npx tsx bench/knowledge/retrieval.ts [samples=300]   (BENCH_CHUNKS=100000,
 * BENCH_DIMENSIONS=256, BENCH_ONLY=embedded|postgres, BENCH_CORPUS=zipf, BENCH_DATABASE_URL to use a
 * server of your own: give each run an empty database, seeding adds to what is there; BENCH_DATA_DIR
 * to keep the embedded database there and reuse it on the next run; BENCH_MODES, a comma-separated
 * list of full_text, hybrid and exact, default all three)
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { generateKey, loadConfig } from "@tandem/core";
import { fullTextQuery, retrieve } from "@tandem/core/bots/retrieve-knowledge";
import { embeddingKey, ensureVectorIndex } from "@tandem/core/knowledge/embeddings/embedding-key";
import { vectorSupport } from "@tandem/core/knowledge/embeddings/vector-support";
import { searchTermsOf } from "@tandem/core/knowledge/search-terms";
import { flushChunkSearchIndex } from "@tandem/core/maintenance/database-maintenance";
import { createKeyring } from "@tandem/core/secrets/keyring";
import {
  chatbots,
  chunkEmbeddings,
  chunks,
  createDb,
  type Database,
  type Db,
  documents,
  isEmbeddedDb,
  knowledgeSources,
  migrate,
  providerCredentials,
  rowsOf,
} from "@tandem/db";
import { createChatbot, createTestWorkspace } from "@tandem/db/testing";
import { createSimulator, embedText } from "@tandem/simulator";
import { and, eq, sql } from "drizzle-orm";
import { createTestDatabase, startPostgresServer } from "../../tests/support/postgres-server.ts";
import { percentile } from "../lib.ts";
import { englishSentences, seededRandom, zipfText } from "./synthetic-text.ts";

const SAMPLES = Number(process.argv[2] ?? 300);
const WARMUP = 10;
const CHUNKS = Number(process.env.BENCH_CHUNKS ?? 100_000);
const DIMENSIONS = Number(process.env.BENCH_DIMENSIONS ?? 256);
const PER_DOCUMENT = 100;
const BATCH = 500;
const EMBEDDING = {
  provider: "OPENAI_COMPATIBLE",
  model: "text-embedding-3-small",
  dimensions: DIMENSIONS,
} as const;
const MODEL_KEY = embeddingKey(EMBEDDING);
const TARGET = { full_text: 50, hybrid: 100 } as const;
/** Low, as the simulator's similarities are (docs/knowledge.md): the vector path keeps its candidates. */
const SIMILARITY_THRESHOLD = 0.1;
const ONLY = process.env.BENCH_ONLY;
/** Keep the embedded database here and reuse it when it is already seeded (seeding takes minutes). */
const KEEP_DIR = process.env.BENCH_DATA_DIR || null;
/** What to time, of `full_text`, `hybrid` (builds the HNSW index first), `exact` (hybrid with an exact vector scan). */
const MODES = (process.env.BENCH_MODES ?? "full_text,hybrid,exact").split(",").map((m) => m.trim());
const CORPUS = process.env.BENCH_CORPUS === "zipf" ? "zipf" : "eval-sentences";
/** In the Zipf corpus, one document in this many is still made of the evaluation set's sentences. */
const ZIPF_POLICY_EVERY = 20;

const EVAL_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "eval");
const shuffle = seededRandom(7);
/** The evaluation set's questions in a fixed shuffled order, so a short run still mixes English and Thai. */
const questions = (
  JSON.parse(readFileSync(path.join(EVAL_DIR, "questions.json"), "utf8")) as {
    questions: { question: string; language: string }[];
  }
).questions
  .map((q) => ({ q, key: shuffle() }))
  .sort((a, b) => a.key - b.key)
  .map(({ q }) => q);

const english = englishSentences();
const thai = readFileSync(path.join(EVAL_DIR, "documents", "store-guide-th.md"), "utf8")
  .split("\n")
  .map((line) => line.replace(/^#+\s*/, "").trim())
  .filter((line) => /\p{Script=Thai}/u.test(line) && line.length > 20);

const print = (row: object) => console.log(JSON.stringify(row));

async function seed(db: Db, withVectors: boolean) {
  const ws = await createTestWorkspace(db);
  const workspaceId = ws.workspace.id;
  const chatbot = await createChatbot(db, { workspaceId, providerKind: "OFFLINE", model: "offline-faq" });
  const [source] = await db
    .insert(knowledgeSources)
    .values({ workspaceId, type: "document", name: "Bench handbook", status: "ready" })
    .returning();
  const random = seededRandom(42);
  const zipf = CORPUS === "zipf" ? zipfText(seededRandom(43)) : null;
  const started = performance.now();
  let embedMs = 0;
  let written = 0;
  for (let d = 0; written < CHUNKS; d++) {
    const [document] = await db
      .insert(documents)
      .values({ workspaceId, sourceId: source!.id, title: `Handbook part ${d + 1}`, status: "ready" })
      .returning({ id: documents.id });
    for (let offset = 0; offset < PER_DOCUMENT && written < CHUNKS; offset += BATCH) {
      const rows = Array.from({ length: Math.min(BATCH, PER_DOCUMENT - offset, CHUNKS - written) }, (_, i) => {
        const isThai = random() < 0.1;
        const pool = isThai ? thai : english;
        const sentences = 3 + Math.floor(random() * 23);
        const content =
          zipf && !isThai && d % ZIPF_POLICY_EVERY !== 0
            ? zipf.sentences(d, sentences)
            : Array.from({ length: sentences }, () => pool[Math.floor(random() * pool.length)]).join(" ");
        return {
          workspaceId,
          documentId: document!.id,
          sourceId: source!.id,
          ordinal: offset + i,
          content,
          tokenCount: Math.round(content.length / 4),
          searchTerms: searchTermsOf(content),
        };
      });
      const inserted = await db.insert(chunks).values(rows).returning({ id: chunks.id, content: chunks.content });
      if (withVectors) {
        const t = performance.now();
        const vectors = inserted.map((row) => ({
          chunkId: row.id,
          workspaceId,
          model: MODEL_KEY,
          dimensions: DIMENSIONS,
          embedding: embedText(row.content, DIMENSIONS),
        }));
        embedMs += performance.now() - t;
        await db.insert(chunkEmbeddings).values(vectors);
      }
      written += rows.length;
    }
    if (d % 100 === 99) process.stderr.write(`  ${written} chunks\r`);
  }
  // As after a real ingest: the ingest job empties the full-text index's pending list (which every
  // search would read whole) and analyzes the knowledge tables on the embedded database. On a server,
  // autovacuum vacuums and analyzes them within a minute of this many inserts: done here, so that it
  // does not run in the middle of the timings. Without statistics the planner scans every chunk.
  await flushChunkSearchIndex(db);
  const command = isEmbeddedDb(db) ? "analyze" : "vacuum (analyze)";
  await db.execute(sql.raw(`${command} chunk`));
  await db.execute(sql.raw(`${command} document`));
  print({
    corpus: CORPUS,
    seeded: written,
    documents: Math.ceil(written / PER_DOCUMENT),
    vectors: withVectors ? written : 0,
    dimensions: withVectors ? DIMENSIONS : null,
    seconds: Math.round((performance.now() - started) / 1000),
    embedSeconds: Math.round(embedMs / 1000),
  });
  return { workspaceId, chatbotId: chatbot.id };
}

/**
 * How many chunks the full-text query of each question matches (Latin words only): the rows whose
 * `ts_rank` is computed and sorted before the 20 best are kept — what full-text latency follows.
 */
async function printMatches(db: Db, name: string) {
  const counts: number[] = [];
  for (const q of questions) {
    const tsquery = fullTextQuery(q.question);
    if (!tsquery) continue;
    const result = await db.execute(
      sql`SELECT count(*)::int AS n FROM chunk WHERE search @@ to_tsquery('simple', ${tsquery})`,
    );
    counts.push(rowsOf<{ n: number }>(result)[0]?.n ?? 0);
  }
  const sorted = counts.sort((a, b) => a - b);
  print({ name, fullTextMatchesPerQuestion: { p50: percentile(sorted, 50), p95: percentile(sorted, 95), of: CHUNKS } });
}

/** An OPENAI_COMPATIBLE credential for the simulator's fake OpenAI: the question is embedded by the real provider code. */
async function simulatorCredential(db: Db, workspaceId: string): Promise<string> {
  // A kept database (BENCH_DATA_DIR) has one from an earlier run, encrypted with that run's key.
  await db
    .delete(providerCredentials)
    .where(and(eq(providerCredentials.workspaceId, workspaceId), eq(providerCredentials.name, "Simulator embeddings")));
  const [row] = await db
    .insert(providerCredentials)
    .values({
      workspaceId,
      kind: "OPENAI_COMPATIBLE",
      name: "Simulator embeddings",
      apiKeyEncrypted: keyring.encrypt("sk-simulator-bench"),
      baseUrl: `${SIMULATOR_URL}/llm/openai/v1`,
    })
    .returning({ id: providerCredentials.id });
  return row!.id;
}

type Mode = "full_text" | "hybrid";

async function measure(database: Database, name: string, chatbotId: string, mode: Mode, exactScanBelow?: number) {
  const db = database.db;
  const [chatbot] = await db.select().from(chatbots).where(eq(chatbots.id, chatbotId));
  const groups = { all: [] as number[], en: [] as number[], th: [] as number[] };
  const embedMs: number[] = [];
  const parts = { fullTextMs: [] as number[], vectorMs: [] as number[] };
  let empty = 0;
  for (let i = 0; i < WARMUP + SAMPLES; i++) {
    const q = questions[i % questions.length]!;
    const t = performance.now();
    const result = await retrieve(db, chatbot!, q.question, {
      limit: 5,
      providers: { db, keyring, config, fetch: simulatorFetch },
      ...(exactScanBelow === undefined ? {} : { exactScanBelow }),
    });
    const ms = performance.now() - t;
    if (result.mode !== mode) throw new Error(`retrieval ran as ${result.mode}, not ${mode}: ${result.vectorNote}`);
    if (i < WARMUP) continue;
    if (result.items.length === 0) empty++;
    embedMs.push(result.timings.embedMs);
    parts.fullTextMs.push(result.timings.fullTextMs);
    parts.vectorMs.push(result.timings.vectorMs);
    groups.all.push(ms);
    (q.language === "th" ? groups.th : groups.en).push(ms);
  }
  for (const [group, latencies] of Object.entries(groups)) {
    const sorted = latencies.sort((a, b) => a - b);
    print({
      name,
      mode,
      ...(exactScanBelow === undefined ? {} : { vectorSearch: "exact scan" }),
      questions: group,
      samples: sorted.length,
      p50Ms: +percentile(sorted, 50).toFixed(1),
      p95Ms: +percentile(sorted, 95).toFixed(1),
      p99Ms: +percentile(sorted, 99).toFixed(1),
      targetP95Ms: TARGET[mode],
      ...(group === "all" && mode === "hybrid"
        ? {
            questionEmbeddingP50Ms: +percentile(
              embedMs.sort((a, b) => a - b),
              50,
            ).toFixed(1),
          }
        : {}),
      ...(group === "all" ? { withoutResults: empty } : {}),
      // Where the time goes: the two paths' own times (they overlap only on a server; PGlite runs one query at a time).
      ...(group === "all" && mode === "hybrid"
        ? Object.fromEntries(
            Object.entries(parts).map(([part, values]) => {
              const sorted = values.sort((a, b) => a - b);
              return [part, { p50: +percentile(sorted, 50).toFixed(1), p95: +percentile(sorted, 95).toFixed(1) }];
            }),
          )
        : {}),
    });
  }
}

/** The chatbot searches with the simulator's embedding model, its vectors complete; the ANN index built (timed). */
async function useVectors(db: Db, workspaceId: string, chatbotId: string) {
  const credentialId = await simulatorCredential(db, workspaceId);
  const embedding = { credentialId, ...EMBEDDING };
  await db
    .update(chatbots)
    .set({
      retrievalSettings: { similarityThreshold: SIMILARITY_THRESHOLD, embedding },
      embeddingState: {
        active: { model: MODEL_KEY, dimensions: DIMENSIONS },
        state: "ready",
        activeSetting: embedding,
      },
    })
    .where(eq(chatbots.id, chatbotId));
  const t = performance.now();
  await ensureVectorIndex(db, MODEL_KEY, DIMENSIONS);
  const support = await vectorSupport(db);
  print({
    hnswIndexBuildSeconds: Math.round((performance.now() - t) / 1000),
    pgvector: support.version,
    iterativeScan: support.iterativeScan,
  });
}

const configDir = mkdtempSync(path.join(tmpdir(), "tandem-bench-retrieval-config-"));
const config = loadConfig({
  DATA_DIR: configDir,
  ENCRYPTION_KEY: generateKey(),
  AUTH_SECRET: generateKey(),
  // The fake OpenAI-compatible server listens on 127.0.0.1.
  OUTBOUND_ALLOW_PRIVATE: "1",
});
const keyring = createKeyring(generateKey());
/** The simulator answering the provider's HTTP requests in process: `fetch(url)` → its Hono app. */
const SIMULATOR_URL = "http://simulator.invalid";
const simulator = createSimulator();
const simulatorFetch: typeof fetch = async (input, init) => simulator.app.fetch(new Request(input, init));

/** The bench's workspace and chatbot when this database was seeded by an earlier run (BENCH_DATA_DIR). */
async function seeded(db: Db): Promise<{ workspaceId: string; chatbotId: string } | null> {
  const result = await db.execute(sql`SELECT workspace_id AS "workspaceId", id AS "chatbotId" FROM chatbot LIMIT 1`);
  const row = rowsOf<{ workspaceId: string; chatbotId: string }>(result)[0];
  if (!row) return null;
  print({ reused: KEEP_DIR, note: "seeded by an earlier run" });
  return row;
}

async function run(name: string, database: Database) {
  await migrate(database);
  const { workspaceId, chatbotId } =
    (KEEP_DIR ? await seeded(database.db) : null) ?? (await seed(database.db, database.vector));
  if (MODES.includes("full_text")) {
    await measure(database, name, chatbotId, "full_text");
    await printMatches(database.db, name);
  }
  if (!MODES.includes("hybrid") && !MODES.includes("exact")) return;
  if (!database.vector) {
    print({ name, mode: "hybrid", skipped: "this server has no pgvector: retrieval is full text only" });
    return;
  }
  await useVectors(database.db, workspaceId, chatbotId);
  if (MODES.includes("hybrid")) await measure(database, name, chatbotId, "hybrid");
  if (MODES.includes("exact")) await measure(database, name, chatbotId, "hybrid", CHUNKS + 1);
}

if (ONLY !== "postgres") {
  const dataDir = KEEP_DIR ?? mkdtempSync(path.join(tmpdir(), "tandem-bench-retrieval-"));
  const database = await createDb({ dataDir });
  await run("embedded (PGlite)", database);
  await database.close();
  if (!KEEP_DIR) rmSync(dataDir, { recursive: true, force: true });
}
if (ONLY !== "embedded") {
  const server = process.env.BENCH_DATABASE_URL ? null : await startPostgresServer();
  try {
    const url = process.env.BENCH_DATABASE_URL ?? (await createTestDatabase(server!));
    const database = await createDb({ databaseUrl: url });
    await run("PostgreSQL", database);
    await database.close();
  } finally {
    await server?.stop();
  }
}
rmSync(configDir, { recursive: true, force: true });
