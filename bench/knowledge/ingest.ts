/**
 * Ingest speed: a generated 100-page text PDF (`pdf.ts`, about 3,000 characters a page of the
 * evaluation set's sentences) uploaded through `POST /api/v1/knowledge/sources/{id}/documents` and
 * ingested by the embedded job queue (extract, clean, chunk, index), embedded mode (PGlite) as
 * `product.ts` starts it. Timed from the upload request to the document being `ready`; pages/s.
 * Twice: in a shared source (no embedding model: full text only), then in a source of a chatbot whose
 * embedding model is the simulator's (OPENAI_COMPATIBLE), until its chunks are embedded too.
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

async function measure(api: ApiClient, name: string, sourceId: string, embeddingChatbotId?: string) {
  const started = performance.now();
  const upload = await api.upload<UploadDocumentsResponse>(`/api/v1/knowledge/sources/${sourceId}/documents`, [
    { name: "handbook.pdf", type: "application/pdf", bytes: pdf },
  ]);
  const acceptedMs = performance.now() - started;
  const documentId = upload.data[0]!.id;
  const document = await waitFor("the PDF to be ingested", async () => {
    const doc = await api.call<KnowledgeDocumentDto>("GET", `/api/v1/knowledge/documents/${documentId}`);
    if (doc.status === "failed") throw new Error(`ingest failed: ${doc.error}`);
    return doc.status === "ready" ? doc : undefined;
  });
  const readyMs = performance.now() - started;
  let embeddedMs: number | null = null;
  if (embeddingChatbotId) {
    await waitFor("the chunks to be embedded", async () => {
      const bot = await api.call<ChatbotDto>("GET", `/api/v1/chatbots/${embeddingChatbotId}`);
      const status = bot.retrieval.embeddingStatus;
      if (status.state === "failed") throw new Error(`embedding failed: ${status.error}`);
      return status.state === "ready" && status.embedded >= status.total ? status : undefined;
    });
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
