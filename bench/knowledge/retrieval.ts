/**
 * Retrieval latency at 100,000 chunks: the core retrieval function (`retrieveKnowledge`, what a bot
 * reply and `POST …/knowledge/search` run) timed directly, without HTTP, on
 *   1. the embedded database (PGlite, which bundles pgvector): full text, then hybrid;
 *   2. a PostgreSQL server (Debian's binaries, a throwaway cluster started for the run): full text
 *      only — Debian's PostgreSQL has no pgvector, so there is no vector path to measure there (the
 *      output says so; with `BENCH_DATABASE_URL` pointing at a server with pgvector, hybrid runs too).
 *
 * Seeding writes straight to the tables through `@tandem/db` (the ingest path is `ingest.ts`'s
 * business): one workspace and chatbot, a shared document source of 1,000 documents × 100 chunks of
 * 3 to 25 sentences (about 300 to 2,800 characters) drawn from the evaluation set's documents, one
 * chunk in ten Thai (with the character bigrams the chunker writes into `search_terms`); on a
 * database with pgvector every chunk gets the simulator's vector (`embedText`, imported directly,
 * BENCH_DIMENSIONS, default 256). Queries are the evaluation set's questions (English and Thai),
 * each run after 10 warm-up queries; the query vector is computed beforehand with the same
 * `embedText`, so the provider's network time is not counted.
 *
 * Targets: p95 ≤ 50 ms full text, ≤ 100 ms hybrid.
 * Usage: npx tsx bench/knowledge/retrieval.ts [samples=300]   (BENCH_CHUNKS=100000,
 * BENCH_DIMENSIONS=256, BENCH_ONLY=embedded|postgres, BENCH_DATABASE_URL to reuse a server)
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { retrieveKnowledge } from "@tandem/core/bots/retrieve-knowledge";
import {
  chatbots,
  chunkEmbeddings,
  chunks,
  createDb,
  type Database,
  type Db,
  documents,
  knowledgeSources,
  migrate,
} from "@tandem/db";
import { createChatbot, createTestWorkspace } from "@tandem/db/testing";
import { embedText } from "@tandem/simulator";
import { eq } from "drizzle-orm";
import { createTestDatabase, startPostgresServer } from "../../tests/support/postgres-server.ts";
import { percentile } from "../lib.ts";
import { englishSentences, seededRandom } from "./synthetic-text.ts";

const SAMPLES = Number(process.argv[2] ?? 300);
const WARMUP = 10;
const CHUNKS = Number(process.env.BENCH_CHUNKS ?? 100_000);
const DIMENSIONS = Number(process.env.BENCH_DIMENSIONS ?? 256);
const PER_DOCUMENT = 100;
const BATCH = 500;
const MODEL_KEY = `simulator:text-embedding-3-small:${DIMENSIONS}`;
const TARGET = { full_text: 50, hybrid: 100 } as const;
const ONLY = process.env.BENCH_ONLY;

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
const UNSPACED_RUN = /\p{Script=Thai}+/gu;

/** Character bigrams of the Thai runs: what the chunker adds to `search_terms` (the `simple` parser cannot split Thai). */
function thaiBigrams(text: string): string {
  const out = new Set<string>();
  for (const run of text.match(UNSPACED_RUN) ?? []) {
    const chars = [...run];
    for (let i = 0; i + 2 <= chars.length; i++) out.add(chars[i]! + chars[i + 1]!);
  }
  return [...out].join(" ");
}

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
        const content = Array.from({ length: sentences }, () => pool[Math.floor(random() * pool.length)]).join(" ");
        return {
          workspaceId,
          documentId: document!.id,
          sourceId: source!.id,
          ordinal: offset + i,
          content,
          tokenCount: Math.round(content.length / 4),
          searchTerms: isThai ? thaiBigrams(content) : "",
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
  print({
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
 * One retrieval as the bot runs it. Full text: the chatbot has no embedding model. Hybrid: it has
 * one, its vectors are the active ones, and the question's vector is given (computed beforehand).
 */
async function retrieve(db: Db, chatbot: Awaited<ReturnType<typeof loadChatbot>>, question: string) {
  return retrieveKnowledge(db, chatbot, question, { limit: 5 });
}

async function loadChatbot(db: Db, chatbotId: string) {
  const [row] = await db.select().from(chatbots).where(eq(chatbots.id, chatbotId));
  return row!;
}

async function measure(database: Database, name: string, chatbotId: string, mode: "full_text" | "hybrid") {
  const db = database.db;
  if (mode === "hybrid") {
    await db
      .update(chatbots)
      .set({
        retrievalSettings: {
          similarityThreshold: 0.1,
          embedding: {
            credentialId: null,
            provider: "OPENAI_COMPATIBLE",
            model: "text-embedding-3-small",
            dimensions: DIMENSIONS,
          },
        },
        embeddingState: { active: { model: MODEL_KEY, dimensions: DIMENSIONS }, state: "ready" },
      })
      .where(eq(chatbots.id, chatbotId));
  }
  const chatbot = await loadChatbot(db, chatbotId);
  const groups = { all: [] as number[], en: [] as number[], th: [] as number[] };
  let empty = 0;
  for (let i = 0; i < WARMUP + SAMPLES; i++) {
    const q = questions[i % questions.length]!;
    const t = performance.now();
    const results = await retrieve(db, chatbot, q.question);
    const ms = performance.now() - t;
    if (i < WARMUP) continue;
    if (results.length === 0) empty++;
    groups.all.push(ms);
    (q.language === "th" ? groups.th : groups.en).push(ms);
  }
  for (const [group, latencies] of Object.entries(groups)) {
    const sorted = latencies.sort((a, b) => a - b);
    print({
      name,
      mode,
      questions: group,
      samples: sorted.length,
      p50Ms: +percentile(sorted, 50).toFixed(1),
      p95Ms: +percentile(sorted, 95).toFixed(1),
      p99Ms: +percentile(sorted, 99).toFixed(1),
      targetP95Ms: TARGET[mode],
      ...(group === "all" ? { withoutResults: empty } : {}),
    });
  }
}

if (ONLY !== "postgres") {
  const database = await createDb({ dataDir: mkdtempSync(path.join(tmpdir(), "tandem-bench-retrieval-")) });
  await migrate(database);
  const { chatbotId } = await seed(database.db, database.vector);
  await measure(database, "embedded (PGlite)", chatbotId, "full_text");
  if (database.vector) await measure(database, "embedded (PGlite)", chatbotId, "hybrid");
  await database.close();
}

if (ONLY !== "embedded") {
  const server = process.env.BENCH_DATABASE_URL ? null : await startPostgresServer();
  try {
    const database = await createDb({
      databaseUrl: process.env.BENCH_DATABASE_URL ?? (await createTestDatabase(server!)),
    });
    await migrate(database);
    const { chatbotId } = await seed(database.db, database.vector);
    await measure(database, "PostgreSQL", chatbotId, "full_text");
    if (database.vector) await measure(database, "PostgreSQL", chatbotId, "hybrid");
    else
      print({
        name: "PostgreSQL",
        mode: "hybrid",
        skipped: "this server has no pgvector: retrieval is full text only",
      });
    await database.close();
  } finally {
    await server?.stop();
  }
}
