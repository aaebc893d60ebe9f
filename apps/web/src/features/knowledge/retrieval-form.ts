/**
 * The Knowledge tab's form ⇄ `PATCH /chatbots/{id}` `{ knowledgeFilters, retrieval }`. Filters the
 * tab does not edit (set through the API, e.g. S2's `supplierIds`) are kept as they are; an empty
 * filter is left out (no filter = everything).
 */
import { type ChatbotDto, KNOWLEDGE_SOURCE_TYPES, type KnowledgeSourceType } from "@tandem/contracts";
import { parseTags } from "./format";

export const EMBEDDING_PROVIDERS = ["OPENAI", "GEMINI", "OPENAI_COMPATIBLE"] as const;
export type EmbeddingProvider = (typeof EMBEDDING_PROVIDERS)[number];

/** The filter names this tab edits, as `retrieve-knowledge` reads them. */
const EDITED = ["sourceIds", "types", "categories", "documentTypes", "tags"] as const;

export interface RetrievalForm {
  sourceIds: string[];
  types: KnowledgeSourceType[];
  categories: string;
  documentTypes: string;
  tags: string;
  similarityThreshold: string;
  maxResults: string;
  embeddingProvider: EmbeddingProvider | "";
  credentialId: string;
  embeddingModel: string;
  dimensions: string;
}

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];

export function toRetrievalForm(chatbot: Pick<ChatbotDto, "knowledgeFilters" | "retrieval">): RetrievalForm {
  const filters = chatbot.knowledgeFilters;
  const { embedding } = chatbot.retrieval;
  return {
    sourceIds: strings(filters.sourceIds),
    types: strings(filters.types).filter((t): t is KnowledgeSourceType =>
      (KNOWLEDGE_SOURCE_TYPES as readonly string[]).includes(t),
    ),
    categories: strings(filters.categories).join(", "),
    documentTypes: strings(filters.documentTypes).join(", "),
    tags: strings(filters.tags).join(", "),
    similarityThreshold: String(chatbot.retrieval.similarityThreshold),
    maxResults: String(chatbot.retrieval.maxResults),
    embeddingProvider: embedding ? (embedding.provider as EmbeddingProvider) : "",
    credentialId: embedding?.credentialId ?? "",
    embeddingModel: embedding?.model ?? "",
    dimensions: embedding?.dimensions ? String(embedding.dimensions) : "",
  };
}

/** A number typed in a text field; blank or not a number is a problem to name, not a 0. */
function numberOf(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === "") return null;
  const value = Number(trimmed.replace(",", "."));
  return Number.isFinite(value) ? value : null;
}

/**
 * The PATCH body. `embedding` is sent only when it changed, so saving the filters never starts a
 * re-embedding by itself.
 */
export function toRetrievalPatch(
  form: RetrievalForm,
  chatbot: Pick<ChatbotDto, "knowledgeFilters" | "retrieval">,
): { input: Record<string, unknown> } | { problems: Record<string, string> } {
  const problems: Record<string, string> = {};
  const threshold = numberOf(form.similarityThreshold);
  const maxResults = numberOf(form.maxResults);
  if (threshold === null) problems.similarityThreshold = "enter a number between 0 and 1";
  if (maxResults === null) problems.maxResults = "enter a whole number between 1 and 20";
  let dimensions: number | undefined;
  if (form.embeddingProvider && form.dimensions.trim()) {
    const value = numberOf(form.dimensions);
    if (value === null || !Number.isInteger(value)) problems.dimensions = "enter a whole number, or leave it empty";
    else dimensions = value;
  }
  if (form.embeddingProvider && !form.embeddingModel.trim()) problems.model = "enter an embedding model";
  if (Object.keys(problems).length > 0) return { problems };

  const knowledgeFilters: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(chatbot.knowledgeFilters)) {
    if (!(EDITED as readonly string[]).includes(key)) knowledgeFilters[key] = value;
  }
  const lists: Record<(typeof EDITED)[number], string[]> = {
    sourceIds: form.sourceIds,
    types: form.types,
    categories: parseTags(form.categories),
    documentTypes: parseTags(form.documentTypes),
    tags: parseTags(form.tags),
  };
  for (const key of EDITED) if (lists[key].length > 0) knowledgeFilters[key] = lists[key];

  const embedding = form.embeddingProvider
    ? {
        provider: form.embeddingProvider,
        credentialId: form.credentialId || null,
        model: form.embeddingModel.trim(),
        ...(dimensions !== undefined ? { dimensions } : {}),
      }
    : null;
  const before = chatbot.retrieval.embedding;
  const unchanged =
    embedding === null
      ? before === null
      : before !== null &&
        before.provider === embedding.provider &&
        (before.credentialId ?? null) === embedding.credentialId &&
        before.model === embedding.model &&
        before.dimensions === dimensions;
  return {
    input: {
      knowledgeFilters,
      retrieval: { similarityThreshold: threshold, maxResults, ...(unchanged ? {} : { embedding }) },
    },
  };
}

/**
 * The key vectors of an embedding setting are stored under (`chunk_embedding.model`, and
 * `activeEmbedding.model`): `PROVIDER:model`, with `@dimensions` when a size was requested.
 */
export function embeddingKeyOf(embedding: {
  provider: string;
  model: string;
  dimensions?: number | undefined;
}): string {
  const base = `${embedding.provider}:${embedding.model}`;
  return embedding.dimensions ? `${base}@${embedding.dimensions}` : base;
}

/** "OPENAI:text-embedding-3-small@512" → "text-embedding-3-small (512 dimensions)"; other text as it is. */
export function describeEmbeddingKey(key: string): string {
  const match = /^[A-Z_]+:(.+?)(?:@(\d+))?$/.exec(key);
  if (!match) return key;
  return match[2] ? `${match[1]} (${match[2]} dimensions)` : match[1]!;
}

/** Vectors of another model serve while those of the configured one are being computed. */
export function isReembedding(retrieval: ChatbotDto["retrieval"]): boolean {
  const { embeddingStatus: status, activeEmbedding: active, embedding } = retrieval;
  if (status.state !== "pending" && status.state !== "processing") return false;
  return active !== null && embedding !== null && active.model !== embeddingKeyOf(embedding);
}
