import { z } from "zod";
import { page } from "./common.ts";
import { ProviderKind } from "./providers.ts";

/**
 * The knowledge base's API (`/api/v1/knowledge/...`, reads for every member with `chatbots.read`,
 * mutations OWNER/ADMIN with `knowledge.manage`, audited) and the retrieval settings and results of
 * a chatbot. A source is shared by the workspace (`chatbotId: null`) or owned by one chatbot; it holds
 * documents; a document is cut into chunks that retrieval searches by full text always and by
 * embeddings when the chatbot has an embedding model.
 */

export const KNOWLEDGE_SOURCE_TYPES = ["document", "faq", "text", "url", "shopify"] as const;
export const KnowledgeSourceType = z.enum(KNOWLEDGE_SOURCE_TYPES);
export type KnowledgeSourceType = z.infer<typeof KnowledgeSourceType>;

export const KnowledgeStatus = z.enum(["pending", "processing", "ready", "failed"]);
export type KnowledgeStatus = z.infer<typeof KnowledgeStatus>;

/** Defaults and bounds; the server's `KNOWLEDGE_MAX_FILE_MB` replaces `maxFileBytes`. */
export const KNOWLEDGE_LIMITS = {
  name: 200,
  category: 100,
  documentType: 50,
  tag: 50,
  tags: 20,
  /** Files of one upload request. */
  filesPerUpload: 20,
  maxFileBytes: 25 * 1024 * 1024,
  /** Pages of a PDF that are read; the rest are skipped with a warning on the document. */
  maxPdfPages: 1000,
  /** Plain text given inline (`POST .../text`). */
  textLength: 1_000_000,
  faqQuestion: 1000,
  faqAnswer: 10_000,
  url: { maxPages: { default: 50, max: 500 }, maxDepth: { default: 2, max: 5 } },
  search: { query: 1000, limit: { default: 10, max: 50 } },
} as const;

/** The file types an upload accepts (by content, not by name; images are read by OCR). */
export const KNOWLEDGE_UPLOAD_ACCEPT =
  ".pdf,.docx,.txt,.md,.markdown,.html,.htm,.csv,.png,.jpg,.jpeg,application/pdf,text/plain,text/markdown,text/html,text/csv,image/png,image/jpeg,application/vnd.openxmlformats-officedocument.wordprocessingml.document";

const L = KNOWLEDGE_LIMITS;
const category = z.string().trim().min(1).max(L.category, `at most ${L.category} characters`);
const documentType = z.string().trim().min(1).max(L.documentType, `at most ${L.documentType} characters`);
const tags = z
  .array(z.string().trim().min(1, "a tag cannot be empty").max(L.tag, `a tag has at most ${L.tag} characters`))
  .max(L.tags, `at most ${L.tags} tags`);

/** Settings of a URL source: one page, or a sitemap (`sitemap.xml` or a sitemap index) crawled within limits. */
export const UrlSourceSettings = z.object({
  url: z
    .string()
    .trim()
    .url("enter a full address such as https://help.example.com/shipping")
    .refine((u) => /^https?:\/\//i.test(u), "must start with http:// or https://"),
  mode: z.enum(["page", "sitemap"]).default("page"),
  maxPages: z.number().int().min(1).max(L.url.maxPages.max).default(L.url.maxPages.default),
  /** Sitemap indexes followed this deep. */
  maxDepth: z.number().int().min(0).max(L.url.maxDepth.max).default(L.url.maxDepth.default),
});
export type UrlSourceSettings = z.infer<typeof UrlSourceSettings>;

/** `POST /api/v1/knowledge/sources`. A `url` source needs `url`; `shopify` sources are made by the Shopify integration. */
export const CreateKnowledgeSourceInput = z
  .strictObject({
    name: z.string().trim().min(1, "enter a name").max(L.name),
    type: z.enum(["document", "faq", "text", "url"]),
    /** Owned by one chatbot (only it searches it); null or absent = shared by every chatbot of the workspace. */
    chatbotId: z.string().min(1).max(100).nullable().optional(),
    /** The default category of its documents (a document's own category wins). */
    category: category.nullable().optional(),
    url: UrlSourceSettings.optional(),
  })
  .refine((v) => v.type !== "url" || v.url, { message: "a URL source needs `url`", path: ["url"] });
export type CreateKnowledgeSourceInput = z.infer<typeof CreateKnowledgeSourceInput>;

export const UpdateKnowledgeSourceInput = z
  .strictObject({
    name: z.string().trim().min(1, "enter a name").max(L.name),
    chatbotId: z.string().min(1).max(100).nullable(),
    category: category.nullable(),
    url: UrlSourceSettings,
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, "Nothing to update");
export type UpdateKnowledgeSourceInput = z.infer<typeof UpdateKnowledgeSourceInput>;

export const KnowledgeSourceDto = z.object({
  id: z.string(),
  name: z.string(),
  type: KnowledgeSourceType,
  chatbotId: z.string().nullable(),
  category: z.string().nullable(),
  /** Rolled up from its documents: `failed` if any failed, `processing` while any is pending or processing. */
  status: KnowledgeStatus,
  error: z.string().nullable(),
  url: UrlSourceSettings.nullable(),
  counts: z.object({
    documents: z.number().int(),
    ready: z.number().int(),
    failed: z.number().int(),
    chunks: z.number().int(),
  }),
  /** 0–100 over its documents still being ingested (100 when none is). */
  progress: z.number().int(),
  lastSyncedAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type KnowledgeSourceDto = z.infer<typeof KnowledgeSourceDto>;

export const KnowledgeSourceListQuery = z.object({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  type: KnowledgeSourceType.optional(),
  /** A chatbot id: its own sources and the shared ones. */
  chatbotId: z.string().max(100).optional(),
});
export type KnowledgeSourceListQuery = z.infer<typeof KnowledgeSourceListQuery>;
export const KnowledgeSourceListResponse = page(KnowledgeSourceDto);
export type KnowledgeSourceListResponse = z.infer<typeof KnowledgeSourceListResponse>;

export const KnowledgeDocumentDto = z.object({
  id: z.string(),
  sourceId: z.string(),
  title: z.string(),
  mimeType: z.string().nullable(),
  /** What it is for filtering (`policy`, `manual`, `faq`…), S2's `documentTypes`. */
  documentType: z.string().nullable(),
  category: z.string().nullable(),
  tags: z.array(z.string()),
  language: z.string().nullable(),
  sizeBytes: z.number().int(),
  pages: z.number().int().nullable(),
  /** The page a URL source fetched it from. */
  sourceUrl: z.string().nullable(),
  status: KnowledgeStatus,
  /** 0–100 while processing. */
  progress: z.number().int(),
  /** Why it failed, in plain words. */
  error: z.string().nullable(),
  /** What a person should know: pages skipped, OCR used, low OCR confidence. */
  warnings: z.array(z.string()),
  chunkCount: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type KnowledgeDocumentDto = z.infer<typeof KnowledgeDocumentDto>;

export const KnowledgeDocumentListQuery = z.object({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
export const KnowledgeDocumentListResponse = page(KnowledgeDocumentDto);
export type KnowledgeDocumentListResponse = z.infer<typeof KnowledgeDocumentListResponse>;

/**
 * Fields sent beside the files of `POST /api/v1/knowledge/sources/{id}/documents` (multipart: one or
 * more `files` parts, up to `filesPerUpload`); they apply to every file of the request. `tags` is a
 * comma-separated list in the form. Answers 202 with the documents, `pending`.
 */
export const UploadDocumentsFields = z.object({
  category: category.optional(),
  documentType: documentType.optional(),
  tags: tags.optional(),
});
export type UploadDocumentsFields = z.infer<typeof UploadDocumentsFields>;
export const UploadDocumentsResponse = z.object({ data: z.array(KnowledgeDocumentDto) });
export type UploadDocumentsResponse = z.infer<typeof UploadDocumentsResponse>;

/** `POST /api/v1/knowledge/sources/{id}/text`: a document typed or pasted in. */
export const CreateTextDocumentInput = z.strictObject({
  title: z.string().trim().min(1, "enter a title").max(L.name),
  content: z.string().trim().min(1, "enter some text").max(L.textLength),
  category: category.optional(),
  documentType: documentType.optional(),
  tags: tags.optional(),
});
export type CreateTextDocumentInput = z.infer<typeof CreateTextDocumentInput>;

/** `PATCH /api/v1/knowledge/documents/{id}`. */
export const UpdateKnowledgeDocumentInput = z
  .strictObject({
    title: z.string().trim().min(1, "enter a title").max(L.name),
    category: category.nullable(),
    documentType: documentType.nullable(),
    tags,
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, "Nothing to update");
export type UpdateKnowledgeDocumentInput = z.infer<typeof UpdateKnowledgeDocumentInput>;

export const KnowledgeChunkDto = z.object({
  id: z.string(),
  ordinal: z.number().int(),
  content: z.string(),
  tokenCount: z.number().int(),
  /** Headings above the passage, outermost first (`["Returns", "Refund times"]`). */
  headingPath: z.array(z.string()),
  /** The PDF page it starts on. */
  page: z.number().int().nullable(),
  /** Embedding models it has vectors for. */
  embeddedWith: z.array(z.string()),
});
export type KnowledgeChunkDto = z.infer<typeof KnowledgeChunkDto>;
export const KnowledgeChunkListResponse = page(KnowledgeChunkDto);
export type KnowledgeChunkListResponse = z.infer<typeof KnowledgeChunkListResponse>;

/** An FAQ entry of an `faq` source; each is a document of one chunk, so it is retrieved like any passage. */
export const FaqEntryDto = z.object({
  id: z.string(),
  sourceId: z.string(),
  question: z.string(),
  answer: z.string(),
  category: z.string().nullable(),
  tags: z.array(z.string()),
  status: KnowledgeStatus,
  updatedAt: z.string(),
});
export type FaqEntryDto = z.infer<typeof FaqEntryDto>;
export const FaqEntryListResponse = page(FaqEntryDto);
export type FaqEntryListResponse = z.infer<typeof FaqEntryListResponse>;

export const CreateFaqEntryInput = z.strictObject({
  question: z.string().trim().min(1, "enter a question").max(L.faqQuestion),
  answer: z.string().trim().min(1, "enter an answer").max(L.faqAnswer),
  category: category.nullable().optional(),
  tags: tags.optional(),
});
export type CreateFaqEntryInput = z.infer<typeof CreateFaqEntryInput>;
export const UpdateFaqEntryInput = z
  .strictObject({
    question: z.string().trim().min(1, "enter a question").max(L.faqQuestion),
    answer: z.string().trim().min(1, "enter an answer").max(L.faqAnswer),
    category: category.nullable(),
    tags,
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, "Nothing to update");
export type UpdateFaqEntryInput = z.infer<typeof UpdateFaqEntryInput>;

/**
 * `POST /api/v1/knowledge/sources/{id}/faq/import?mode=append|replace`: a CSV body (`text/csv`) or a
 * multipart `file`, with a header row naming `question` and `answer` columns (and optionally
 * `category`, `tags` separated by `;`). Bad rows are reported by line and skipped; with
 * `replace`, nothing changes unless every row is valid. Export (`GET .../faq/export`) writes the
 * same columns.
 */
export const FaqImportResponse = z.object({
  imported: z.number().int(),
  skipped: z.number().int(),
  errors: z.array(z.object({ line: z.number().int(), message: z.string() })),
});
export type FaqImportResponse = z.infer<typeof FaqImportResponse>;

/** A chatbot's embedding model: the credential (or provider kind) that computes its vectors. */
export const EmbeddingSettings = z.object({
  /** A named credential of the workspace; null = the workspace's credential of `provider`. */
  credentialId: z.string().min(1).max(100).nullable().default(null),
  provider: ProviderKind.exclude(["OFFLINE", "OPENROUTER"]),
  model: z.string().trim().min(1, "enter an embedding model").max(200),
  /** Requested vector size where the provider supports it (OpenAI text-embedding-3, Gemini). */
  dimensions: z.number().int().min(32).max(4096).optional(),
});
export type EmbeddingSettings = z.infer<typeof EmbeddingSettings>;

export const RETRIEVAL_DEFAULTS = { similarityThreshold: 0.7, maxResults: 5 } as const;

/** `retrieval` of `PATCH /api/v1/chatbots/{id}`: only the fields given change; `embedding: null` turns vectors off. */
export const RetrievalSettingsInput = z
  .strictObject({
    /** Vector matches below this cosine similarity are dropped (the fused score is not compared). */
    similarityThreshold: z.number().min(0, "between 0 and 1").max(1, "between 0 and 1"),
    /** Passages put into the prompt and stored as the answer's sources. */
    maxResults: z.number().int().min(1, "between 1 and 20").max(20, "between 1 and 20"),
    embedding: EmbeddingSettings.nullable(),
  })
  .partial();
export type RetrievalSettingsInput = z.infer<typeof RetrievalSettingsInput>;

export const RetrievalSettingsDto = z.object({
  similarityThreshold: z.number(),
  maxResults: z.number().int(),
  embedding: EmbeddingSettings.nullable(),
  /** The model whose vectors answer now: the previous one serves until re-embedding with a new one finishes. */
  activeEmbedding: z.object({ model: z.string(), dimensions: z.number().int() }).nullable(),
  /** Vectors of `embedding` for the chunks this chatbot searches. */
  embeddingStatus: z.object({
    state: z.enum(["off", "pending", "processing", "ready", "failed"]),
    embedded: z.number().int(),
    total: z.number().int(),
    error: z.string().nullable(),
  }),
  /** False when the database has no pgvector: retrieval is full-text only. */
  vectorSearchAvailable: z.boolean(),
});
export type RetrievalSettingsDto = z.infer<typeof RetrievalSettingsDto>;

/** `POST /api/v1/chatbots/{id}/knowledge/search`: retrieval testing, exactly as the bot would retrieve. */
export const KnowledgeSearchInput = z.strictObject({
  query: z.string().trim().min(1, "enter a question").max(L.search.query),
  limit: z.number().int().min(1).max(L.search.limit.max).optional(),
});
export type KnowledgeSearchInput = z.infer<typeof KnowledgeSearchInput>;

/** One retrieved passage (or FAQ entry) with why it ranks where it does. */
export const KnowledgeSearchResult = z.object({
  chunkId: z.string(),
  documentId: z.string().nullable(),
  sourceId: z.string().nullable(),
  kind: z.enum(["faq", "passage"]),
  /** The document's title (an FAQ entry's question). */
  title: z.string().nullable(),
  content: z.string(),
  headingPath: z.array(z.string()),
  /** Rank among the full-text candidates (1 = best), null when full text did not find it. */
  fullTextRank: z.number().int().nullable(),
  /** PostgreSQL's `ts_rank`, null when full text did not find it. */
  fullTextScore: z.number().nullable(),
  /** Rank among the vector candidates, null without vectors or below the threshold. */
  vectorRank: z.number().int().nullable(),
  /** Cosine similarity to the question, null without vectors. */
  vectorSimilarity: z.number().nullable(),
  /** Reciprocal rank fusion of the two ranks: what the results are ordered by. */
  fusedScore: z.number(),
  /** The 0–1 relevance the bot uses (confidence of the offline provider, the stored source score). */
  score: z.number(),
});
export type KnowledgeSearchResult = z.infer<typeof KnowledgeSearchResult>;

export const KnowledgeSearchResponse = z.object({
  mode: z.enum(["hybrid", "full_text"]),
  /** Why the vector path did not run, when it did not ("no embedding model", "no pgvector", a provider error). */
  vectorNote: z.string().nullable(),
  similarityThreshold: z.number(),
  results: z.array(KnowledgeSearchResult),
  timings: z.object({ fullTextMs: z.number(), vectorMs: z.number(), embedMs: z.number(), totalMs: z.number() }),
});
export type KnowledgeSearchResponse = z.infer<typeof KnowledgeSearchResponse>;

/** The sources of a bot message (`MessageDto.sources`), as stored when it was written. */
export const MessageSourceDto = z.object({
  chunkId: z.string(),
  documentId: z.string().nullable(),
  sourceId: z.string().nullable(),
  kind: z.enum(["faq", "passage"]),
  title: z.string().nullable(),
  /** The passage as it was when the answer was written (at most 1,000 characters). */
  excerpt: z.string(),
  score: z.number(),
  fullTextRank: z.number().int().nullable(),
  vectorSimilarity: z.number().nullable(),
  fusedScore: z.number().nullable(),
});
export type MessageSourceDto = z.infer<typeof MessageSourceDto>;

/** Socket event `knowledge:updated`, to the workspace room, whenever a source or document moves. */
export const KnowledgeUpdatedEvent = z.object({
  sourceId: z.string(),
  source: KnowledgeSourceDto.nullable(),
  /** The document that moved, when one did; null with `deleted` when it was removed. */
  document: KnowledgeDocumentDto.nullable(),
  deleted: z.boolean(),
});
export type KnowledgeUpdatedEvent = z.infer<typeof KnowledgeUpdatedEvent>;

/** Path parameters of the knowledge routes. */
export const KnowledgeIdParam = z.object({ id: z.string().min(1).max(64) });
/** `?mode=` of the FAQ CSV import: `append` (default) adds, `replace` swaps the set's entries for the file's. */
export const FaqImportQuery = z.object({ mode: z.enum(["append", "replace"]).default("append") });
export type FaqImportQuery = z.infer<typeof FaqImportQuery>;
