import type { RetrievalSettingsInput } from "@tandem/contracts";
import type { EmbeddingState, RetrievalSettings } from "@tandem/db";
import type { ChatbotRow } from "../bots/chatbot-for.ts";
import type { Ctx } from "../context.ts";
import { DomainError } from "../errors.ts";
import { embeddingKey } from "../knowledge/embeddings/embedding-key.ts";
import { vectorSupport } from "../knowledge/embeddings/vector-support.ts";
import { findCredentialById } from "../providers/provider-deps.ts";

/** Provider kinds with an embeddings API (OFFLINE and OPENROUTER have none; the schema refuses them). */
const EMBEDDING_KINDS = new Set(["OPENAI", "GEMINI", "OPENAI_COMPATIBLE"]);

/**
 * The retrieval settings and embedding state a create or a PATCH writes: the fields given merge into
 * the current settings. A named embedding credential must be one of the workspace, of the embedding
 * setting's provider (400 `invalid_credential` on `retrieval.embedding.credentialId` otherwise).
 *
 * A new embedding key leaves `active` (the vectors that serve) as it is and marks the state `pending`:
 * the caller schedules `embed-knowledge`, which switches `active` once every chunk has a new vector.
 * `embedding: null` turns vectors off at once. Without pgvector the settings are kept and the state is `off`.
 * `embeddingChanged` tells the caller to schedule the job.
 */
export async function retrievalValues(
  ctx: Pick<Ctx, "db" | "workspaceId">,
  input: RetrievalSettingsInput,
  current?: Pick<ChatbotRow, "retrievalSettings" | "embeddingState">,
): Promise<{ retrievalSettings: RetrievalSettings; embeddingState?: EmbeddingState; embeddingChanged: boolean }> {
  const before = current?.retrievalSettings ?? {};
  const settings: RetrievalSettings = { ...before };
  if (input.similarityThreshold !== undefined) settings.similarityThreshold = input.similarityThreshold;
  if (input.maxResults !== undefined) settings.maxResults = input.maxResults;
  if (input.embedding === undefined) return { retrievalSettings: settings, embeddingChanged: false };

  const embedding = input.embedding;
  if (embedding?.credentialId) {
    const credential = await findCredentialById(ctx.db, ctx.workspaceId, embedding.credentialId);
    if (!credential || credential.kind !== embedding.provider || !EMBEDDING_KINDS.has(credential.kind)) {
      const message = credential
        ? `The credential "${credential.name}" is a ${credential.kind} credential: choose one of ${embedding.provider}.`
        : "No provider credential with this id in the workspace: pick one from Settings → Provider credentials.";
      throw new DomainError("invalid_credential", message, {
        details: [{ path: "retrieval.embedding.credentialId", code: "invalid_credential", message }],
      });
    }
  }
  settings.embedding = embedding
    ? {
        credentialId: embedding.credentialId ?? null,
        provider: embedding.provider as "OPENAI" | "GEMINI" | "OPENAI_COMPATIBLE",
        model: embedding.model,
        ...(embedding.dimensions ? { dimensions: embedding.dimensions } : {}),
      }
    : null;

  const state = current?.embeddingState ?? { active: null, state: "off" as const };
  const oldKey = before.embedding ? embeddingKey(before.embedding) : null;
  const newKey = settings.embedding ? embeddingKey(settings.embedding) : null;
  const sameCredential = (before.embedding?.credentialId ?? null) === (settings.embedding?.credentialId ?? null);
  if (newKey === oldKey && sameCredential && state.state !== "failed") {
    return { retrievalSettings: settings, embeddingChanged: false };
  }
  const now = new Date().toISOString();
  if (!settings.embedding) {
    return {
      retrievalSettings: settings,
      embeddingState: { active: null, state: "off", error: null, updatedAt: now },
      embeddingChanged: false,
    };
  }
  const available = (await vectorSupport(ctx.db)).available;
  return {
    retrievalSettings: settings,
    embeddingState: {
      active: state.active,
      ...(state.activeSetting ? { activeSetting: state.activeSetting } : {}),
      target: newKey,
      state: available ? "pending" : "off",
      error: null,
      requestedAt: now,
      updatedAt: now,
    },
    embeddingChanged: available,
  };
}
