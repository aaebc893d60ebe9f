import { RETRIEVAL_DEFAULTS, type RetrievalSettingsDto } from "@tandem/contracts";
import type { chatbots } from "@tandem/db";

type ChatbotRow = Pick<typeof chatbots.$inferSelect, "retrievalSettings" | "embeddingState">;

/**
 * A chatbot's retrieval settings with the defaults filled in, and the state of its vectors.
 * `counts` are the chunks it searches and those of them embedded with its embedding model.
 */
export function retrievalToDto(
  row: ChatbotRow,
  vectorSearchAvailable: boolean,
  counts: { embedded: number; total: number } = { embedded: 0, total: 0 },
): RetrievalSettingsDto {
  const settings = row.retrievalSettings;
  const state = row.embeddingState;
  return {
    similarityThreshold: settings.similarityThreshold ?? RETRIEVAL_DEFAULTS.similarityThreshold,
    maxResults: settings.maxResults ?? RETRIEVAL_DEFAULTS.maxResults,
    embedding: settings.embedding
      ? { ...settings.embedding, credentialId: settings.embedding.credentialId ?? null }
      : null,
    activeEmbedding: state.active,
    embeddingStatus: {
      state: settings.embedding && vectorSearchAvailable ? state.state : "off",
      embedded: counts.embedded,
      total: counts.total,
      error: state.error ?? null,
    },
    vectorSearchAvailable,
  };
}
