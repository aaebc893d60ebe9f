import type { Db, RetrievalSettings } from "@tandem/db";
import { DomainError } from "../../errors.ts";
import { createProvider } from "../../llm/create-provider.ts";
import type { LlmProvider } from "../../llm/types.ts";
import { loadProviderConfig } from "../../providers/load-provider-config.ts";
import { findCredentialById, type ProviderDeps } from "../../providers/provider-deps.ts";

export type EmbeddingDeps = { db: Db } & ProviderDeps;
type Embedding = NonNullable<RetrievalSettings["embedding"]>;

/**
 * The provider that computes a chatbot's vectors, resolved like the one that answers for it
 * (`bots/provider-for-chatbot.ts`): the credential the embedding setting names, else the
 * workspace's credential of its kind, read and decrypted on every call. Throws
 * `provider_not_configured` when there is none (or it is of another kind, or its key is unreadable).
 */
export async function embeddingProvider(
  deps: EmbeddingDeps,
  workspaceId: string,
  embedding: Embedding,
): Promise<LlmProvider> {
  const kind = embedding.provider;
  let config: Awaited<ReturnType<typeof loadProviderConfig>>;
  try {
    let named: Awaited<ReturnType<typeof findCredentialById>> | null | undefined;
    if (embedding.credentialId) {
      const row = await findCredentialById(deps.db, workspaceId, embedding.credentialId);
      named = row && row.kind === kind ? row : null;
    }
    config = await loadProviderConfig(deps, workspaceId, kind, named);
  } catch (error) {
    if (error instanceof DomainError && (error.code === "secret_unreadable" || error.code === "secret_key_missing")) {
      throw notConfigured(kind, `its stored API key cannot be decrypted (${error.message}); save the key again`);
    }
    throw error;
  }
  if (!config) throw notConfigured(kind, "no API key (or base URL) is saved for it in Settings → Provider");
  return createProvider(config, { baseUrls: deps.config.llm });
}

const notConfigured = (kind: string, why: string) =>
  new DomainError("provider_not_configured", `The embedding model uses ${kind}, but ${why}.`, {
    details: { provider: kind },
  });
