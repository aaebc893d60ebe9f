/**
 * Retrieval quality on the evaluation set (`eval/documents`, `eval/questions.json`): recall@5 and MRR
 * of full-text retrieval alone and of hybrid retrieval (full text + the simulator's embeddings, fused
 * by reciprocal rank), overall, for the Thai questions, and per kind of question.
 *
 * The product runs in embedded mode (`product.ts`: the API, PGlite, the job queue, the demo
 * workspace; the simulator in a child process). As the demo owner, over HTTP: a chatbot for the
 * evaluation (no FAQ entries, which would compete with the passages), a document source owned by it
 * and the only one it searches (its knowledge filter; the demo's shared sources stay out),
 * the four documents uploaded and ingested; every question is asked through
 * `POST /api/v1/chatbots/{id}/knowledge/search` — once with no embedding model (full text), then
 * after `PATCH /api/v1/chatbots/{id}` set the simulator's OpenAI-compatible embedding model and every
 * chunk was embedded (`retrieval.embeddingStatus.state === "ready"`).
 *
 * A retrieved chunk answers a question when it contains one of the question's quotes (whitespace and
 * case ignored), so the set survives changes to the chunker. recall@5: share of questions with an
 * answering chunk among the first 5 results; MRR: mean of 1/rank of the first answering chunk among
 * the first 10 (0 when none).
 *
 * The hybrid run is repeated for each similarity threshold of EVAL_THRESHOLDS (default 0.1, 0.3 and
 * the product's default 0.7): the simulator's cosine similarities are lower than a real model's
 * (docs/knowledge.md), so the threshold decides how much the vectors can contribute.
 *
 * Usage: npx tsx bench/knowledge/eval.ts   (EVAL_VERBOSE=1 lists every question missed in the top 5
 * with what came instead; EVAL_DIMENSIONS the vector size, default 768)
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type {
  ChatbotDto,
  KnowledgeDocumentListResponse,
  KnowledgeSearchResponse,
  KnowledgeSourceDto,
  NamedCredentialDto,
} from "@tandem/contracts";
import { startProduct, waitFor } from "./product.ts";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const EVAL_DIR = path.join(HERE, "eval");
const THRESHOLDS = (process.env.EVAL_THRESHOLDS ?? "0.1,0.3,0.7").split(",").map(Number);
const DIMENSIONS = Number(process.env.EVAL_DIMENSIONS ?? 768);
const VERBOSE = process.env.EVAL_VERBOSE === "1";
const K = 5;
const MRR_DEPTH = 10;

interface Question {
  id: string;
  language: "en" | "th";
  kind: "literal" | "paraphrase" | "cross-lingual";
  question: string;
  answers: { document: string; quote: string }[];
}

const MIME: Record<string, string> = { ".md": "text/markdown", ".txt": "text/plain", ".html": "text/html" };

/** Lowercase, one space for any run of whitespace, markup and entities gone: how quotes are compared. */
function comparable(text: string): string {
  return text
    .replace(/<[^>]+>/g, " ")
    .replace(/&amp;/g, "&")
    .replace(/[*_`#]/g, "")
    .replace(/[’‘]/g, "'")
    .replace(/\s+/g, " ")
    .trim()
    .toLowerCase();
}

const { questions } = JSON.parse(readFileSync(path.join(EVAL_DIR, "questions.json"), "utf8")) as {
  questions: Question[];
};
const documents = [...new Set(questions.flatMap((q) => q.answers.map((a) => a.document)))].map((name) => ({
  name,
  bytes: readFileSync(path.join(EVAL_DIR, "documents", name)),
}));
// A quote that is not in its document would count every question as missed: refuse to run.
for (const q of questions) {
  for (const a of q.answers) {
    const text = comparable(documents.find((d) => d.name === a.document)!.bytes.toString("utf8"));
    if (!text.includes(comparable(a.quote))) throw new Error(`${q.id}: quote not found in ${a.document}: ${a.quote}`);
  }
}

const product = await startProduct("knowledge-eval");
try {
  const api = await product.signIn();
  const chatbot = await api.call<ChatbotDto>("POST", "/api/v1/chatbots", { name: "Kettle & Kiln (evaluation)" });
  const source = await api.call<KnowledgeSourceDto>("POST", "/api/v1/knowledge/sources", {
    name: "Kettle & Kiln help centre",
    type: "document",
    chatbotId: chatbot.id,
  });
  // Only this source: the demo workspace's shared sources would otherwise be searched too.
  await api.call<ChatbotDto>("PATCH", `/api/v1/chatbots/${chatbot.id}`, {
    knowledgeFilters: { sourceIds: [source.id] },
  });
  const started = performance.now();
  await api.upload(
    `/api/v1/knowledge/sources/${source.id}/documents`,
    documents.map((d) => ({ name: d.name, type: MIME[path.extname(d.name)] ?? "text/plain", bytes: d.bytes })),
  );
  const ingested = await waitFor("the documents to be ingested", async () => {
    const list = await api.call<KnowledgeDocumentListResponse>(
      "GET",
      `/api/v1/knowledge/sources/${source.id}/documents`,
    );
    const failed = list.data.filter((d) => d.status === "failed");
    if (failed.length) throw new Error(`ingest failed: ${failed.map((d) => `${d.title}: ${d.error}`).join("; ")}`);
    return list.data.length === documents.length && list.data.every((d) => d.status === "ready")
      ? list.data
      : undefined;
  });
  const chunkCount = ingested.reduce((sum, d) => sum + d.chunkCount, 0);
  console.error(
    `${ingested.length} documents, ${chunkCount} chunks, ingested in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );

  const fullText = await runAll(api, chatbot.id, "full_text");

  const credential = await api.call<NamedCredentialDto>("POST", "/api/v1/providers/credentials", {
    name: "Simulator embeddings",
    kind: "OPENAI_COMPATIBLE",
    baseUrl: product.fakeOpenAiUrl,
    apiKey: "sk-simulator-eval",
  });
  const embedStarted = performance.now();
  await api.call<ChatbotDto>("PATCH", `/api/v1/chatbots/${chatbot.id}`, {
    retrieval: {
      similarityThreshold: THRESHOLDS[0],
      embedding: {
        credentialId: credential.id,
        provider: "OPENAI_COMPATIBLE",
        model: "text-embedding-3-small",
        dimensions: DIMENSIONS,
      },
    },
  });
  await waitFor("the chunks to be embedded", async () => {
    const bot = await api.call<ChatbotDto>("GET", `/api/v1/chatbots/${chatbot.id}`);
    const status = bot.retrieval.embeddingStatus;
    if (status.state === "failed") throw new Error(`embedding failed: ${status.error}`);
    return status.state === "ready" ? status : undefined;
  });
  console.error(`embedded in ${((performance.now() - embedStarted) / 1000).toFixed(1)} s`);
  const runs = [{ name: "Full text", outcomes: fullText }];
  for (const threshold of THRESHOLDS) {
    await api.call<ChatbotDto>("PATCH", `/api/v1/chatbots/${chatbot.id}`, {
      retrieval: { similarityThreshold: threshold },
    });
    runs.push({
      name: `Hybrid (threshold ${threshold})`,
      outcomes: await runAll(api, chatbot.id, "hybrid"),
    });
  }
  console.log(`Simulator embeddings (text-embedding-3-small via OPENAI_COMPATIBLE), ${DIMENSIONS} dimensions\n`);
  printTable(runs);
} finally {
  await product.stop();
}

interface Outcome {
  question: Question;
  /** 1-based rank of the first answering chunk among the results, or null. */
  rank: number | null;
  top: string[];
}

async function runAll(
  api: Awaited<ReturnType<typeof product.signIn>>,
  chatbotId: string,
  expected: KnowledgeSearchResponse["mode"],
): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const question of questions) {
    const response = await api.call<KnowledgeSearchResponse>("POST", `/api/v1/chatbots/${chatbotId}/knowledge/search`, {
      query: question.question,
      limit: MRR_DEPTH,
    });
    if (response.mode !== expected) {
      throw new Error(
        `${question.id}: search ran in ${response.mode} mode, expected ${expected} (${response.vectorNote})`,
      );
    }
    const quotes = question.answers.map((a) => comparable(a.quote));
    const index = response.results.findIndex((r) => {
      const content = comparable(r.content);
      return quotes.some((q) => content.includes(q));
    });
    outcomes.push({
      question,
      rank: index === -1 ? null : index + 1,
      top: response.results
        .slice(0, K)
        .map(
          (r) =>
            `[text ${r.fullTextRank ?? "-"}, vector ${r.vectorRank ?? "-"} ${r.vectorSimilarity?.toFixed(2) ?? ""}] ${r.title}: ${comparable(r.content).slice(0, 60)}…`,
        ),
    });
  }
  return outcomes;
}

function metrics(outcomes: Outcome[]) {
  if (outcomes.length === 0) return { n: 0, recall: Number.NaN, mrr: Number.NaN };
  const recall = outcomes.filter((o) => o.rank !== null && o.rank <= K).length / outcomes.length;
  const mrr = outcomes.reduce((sum, o) => sum + (o.rank ? 1 / o.rank : 0), 0) / outcomes.length;
  return { n: outcomes.length, recall, mrr };
}

function printTable(runs: { name: string; outcomes: Outcome[] }[]) {
  const groups: [string, (q: Question) => boolean][] = [
    ["all", () => true],
    ["Thai", (q) => q.language === "th"],
    ["English", (q) => q.language === "en"],
    ["literal", (q) => q.kind === "literal"],
    ["paraphrase", (q) => q.kind === "paraphrase"],
    ["cross-lingual", (q) => q.kind === "cross-lingual"],
  ];
  const f = (x: number) => x.toFixed(3);
  const lines = [
    "| Retrieval | Questions | recall@5 | MRR | recall@5 Thai | MRR Thai |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const run of runs) {
    const all = metrics(run.outcomes);
    const thai = metrics(run.outcomes.filter((o) => o.question.language === "th"));
    lines.push(`| ${run.name} | ${all.n} | ${f(all.recall)} | ${f(all.mrr)} | ${f(thai.recall)} | ${f(thai.mrr)} |`);
  }
  lines.push("", `| Questions | ${runs.map((r) => `${r.name}: recall@5 / MRR`).join(" | ")} |`);
  lines.push(`| --- | ${runs.map(() => "---:").join(" | ")} |`);
  for (const [label, keep] of groups) {
    const cells = runs.map((run) => {
      const m = metrics(run.outcomes.filter((o) => keep(o.question)));
      return `${f(m.recall)} / ${f(m.mrr)}`;
    });
    lines.push(`| ${label} (${questions.filter(keep).length}) | ${cells.join(" | ")} |`);
  }
  console.log(lines.join("\n"));
  for (const run of runs) {
    const missed = run.outcomes.filter((o) => o.rank === null || o.rank > K);
    console.log(`\n${run.name}: missed in the top ${K}: ${missed.map((o) => o.question.id).join(", ") || "none"}`);
    if (VERBOSE) {
      for (const o of missed) {
        console.log(
          `  ${o.question.id} ${o.question.question} (answer at ${o.rank ?? "> 10"})\n    ${o.top.join("\n    ")}`,
        );
      }
    }
  }
}
