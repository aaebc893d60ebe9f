/**
 * Ingest speed: a generated 100-page text PDF (`pdf.ts`, about 3,000 characters a page of the
 * evaluation set's sentences) uploaded through `POST /api/v1/knowledge/sources/{id}/documents` and
 * ingested by the embedded job queue (extract, clean, chunk, index), embedded mode (PGlite) as
 * `product.ts` starts it. Timed from the upload request to the document being `ready`; pages/s.
 * Twice, after a small warm-up PDF: in a shared source (no embedding model: full text only), then in a
 * source of a chatbot whose embedding model is the simulator's (OPENAI_COMPATIBLE; the shared chunks
 * embedded beforehand), until the new chunks are embedded too.
 * Usage: npx tsx bench/knowledge/ingest.ts [pages=100]
 */
import type {
  ChatbotDto,
  KnowledgeDocumentDto,
  KnowledgeSourceDto,
  NamedCredentialDto,
  UploadDocumentsResponse,
} from "@tandem/contracts";
import { makePdf, wrap } from "./pdf.ts";
import { type ApiClient, startProduct, waitFor } from "./product.ts";
import { englishSentences, paragraph, seededRandom } from "./synthetic-text.ts";

const PAGES = Number(process.argv[2] ?? 100);

const sentences = englishSentences();
const random = seededRandom(100);
const pdf = makePdf(
  Array.from({ length: PAGES }, (_, i) => ({
    heading: `Kettle & Kiln handbook, section ${i + 1}`,
    lines: wrap(paragraph(sentences, random, 30)).slice(0, 48),
  })),
);

const product = await startProduct("knowledge-ingest");
try {
  const api = await product.signIn();
  // A first small PDF loads pdf.js and warms the job queue, so the timed runs are steady state.
  const warmUp = await api.call<KnowledgeSourceDto>("POST", "/api/v1/knowledge/sources", {
    name: "Warm-up",
    type: "document",
  });
  await ingest(api, warmUp.id, makePdf([{ heading: "Warm-up", lines: wrap(paragraph(sentences, random, 10)) }]));
  const shared = await api.call<KnowledgeSourceDto>("POST", "/api/v1/knowledge/sources", {
    name: "Handbook (shared)",
    type: "document",
  });
  await measure(api, "full text (no embedding model)", shared.id);

  const chatbot = await api.call<ChatbotDto>("POST", "/api/v1/chatbots", { name: "Ingest bench" });
  const credential = await api.call<NamedCredentialDto>("POST", "/api/v1/providers/credentials", {
    name: "Simulator embeddings",
    kind: "OPENAI_COMPATIBLE",
    baseUrl: product.fakeOpenAiUrl,
    apiKey: "sk-simulator-bench",
  });
  await api.call("PATCH", `/api/v1/chatbots/${chatbot.id}`, {
    retrieval: {
      embedding: {
        credentialId: credential.id,
        provider: "OPENAI_COMPATIBLE",
        model: "text-embedding-3-small",
        dimensions: 768,
      },
    },
  });
  const owned = await api.call<KnowledgeSourceDto>("POST", "/api/v1/knowledge/sources", {
    name: "Handbook (chatbot)",
    type: "document",
    chatbotId: chatbot.id,
  });
  await measure(api, "with embeddings (simulator, 768 dimensions)", owned.id, chatbot.id);
} finally {
  await product.stop();
}

/** Uploads `bytes` as a PDF into the source and waits until the document is ready; the upload's answer time too. */
async function ingest(api: ApiClient, sourceId: string, bytes: Uint8Array) {
  const started = performance.now();
  const upload = await api.upload<UploadDocumentsResponse>(`/api/v1/knowledge/sources/${sourceId}/documents`, [
    { name: "handbook.pdf", type: "application/pdf", bytes },
  ]);
  const acceptedMs = performance.now() - started;
  const documentId = upload.data[0]!.id;
  const document = await waitFor("the PDF to be ingested", async () => {
    const doc = await api.call<KnowledgeDocumentDto>("GET", `/api/v1/knowledge/documents/${documentId}`);
    if (doc.status === "failed") throw new Error(`ingest failed: ${doc.error}`);
    return doc.status === "ready" ? doc : undefined;
  });
  return { document, acceptedMs };
}

/** Waits until every chunk the chatbot searches has a vector of its embedding model. */
async function embedded(api: ApiClient, chatbotId: string) {
  return waitFor("the chunks to be embedded", async () => {
    const bot = await api.call<ChatbotDto>("GET", `/api/v1/chatbots/${chatbotId}`);
    const status = bot.retrieval.embeddingStatus;
    if (status.state === "failed") throw new Error(`embedding failed: ${status.error}`);
    return status.state === "ready" && status.embedded >= status.total ? status : undefined;
  });
}

async function measure(api: ApiClient, name: string, sourceId: string, embeddingChatbotId?: string) {
  const started = performance.now();
  const { document, acceptedMs } = await ingest(api, sourceId, pdf);
  const readyMs = performance.now() - started;
  let embeddedMs: number | null = null;
  if (embeddingChatbotId) {
    await embedded(api, embeddingChatbotId);
    embeddedMs = performance.now() - started;
  }
  const totalMs = embeddedMs ?? readyMs;
  console.log(
    JSON.stringify({
      name,
      pages: document.pages,
      pdfKb: Math.round(pdf.byteLength / 1024),
      chunks: document.chunkCount,
      uploadAcceptedMs: Math.round(acceptedMs),
      readyMs: Math.round(readyMs),
      embeddedMs: embeddedMs === null ? null : Math.round(embeddedMs),
      pagesPerSec: +((PAGES / totalMs) * 1000).toFixed(1),
      warnings: document.warnings,
      rssMb: Math.round(process.memoryUsage().rss / 1024 / 1024),
    }),
  );
}
