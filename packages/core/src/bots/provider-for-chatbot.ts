import type { chatbots, Db } from "@tandem/db";
import { DomainError } from "../errors.ts";
import { createProvider } from "../llm/create-provider.ts";
import { createOfflineProvider } from "../llm/offline.ts";
import type { LlmProvider } from "../llm/types.ts";
import { loadProviderConfig } from "../providers/load-provider-config.ts";
import { type CredentialRow, findCredentialById, type ProviderDeps } from "../providers/provider-deps.ts";
import { resolveGuardrails } from "./guardrails.ts";

/** `AppJobDeps` fits, and so does a request's `{ db: ctx.db, ...providerDeps(runtime) }`. */
export type ProviderResolutionDeps = { db: Db } & ProviderDeps;

type ChatbotProviderFields = Pick<typeof chatbots.$inferSelect, "workspaceId" | "providerKind" | "guardrails"> &
  Partial<Pick<typeof chatbots.$inferSelect, "credentialId">>;

/**
 * The provider that answers for a chatbot, resolved for every reply: the credential is read (and
 * decrypted) from the database each time, so switching the provider or its key in the settings
 * applies to the very next reply without a restart, and nothing stale is cached.
 *
 * The credential is the one the chatbot names (`credentialId`), else the workspace's credential of
 * its kind. OFFLINE needs nothing. Any other kind needs that credential with its key
 * (and, for OPENAI_COMPATIBLE, its base URL); without it — or when the stored key cannot be decrypted
 * — this throws `provider_not_configured`, which the pipeline turns into a handoff and the API into
 * a 409, never a silent drop.
 */
export async function providerForChatbot(
  deps: ProviderResolutionDeps,
  chatbot: ChatbotProviderFields,
  /** The chatbot's credential, when already read with the conversation (null: none stored). */
  credential?: CredentialRow | null,
): Promise<LlmProvider> {
  const kind = chatbot.providerKind;
  if (kind === "OFFLINE") {
    return createOfflineProvider({ threshold: resolveGuardrails(chatbot.guardrails).confidenceThreshold });
  }
  let config: Awaited<ReturnType<typeof loadProviderConfig>>;
  try {
    const named =
      credential === undefined && chatbot.credentialId
        ? await namedCredential(deps, chatbot.workspaceId, chatbot.credentialId, kind)
        : credential;
    config = await loadProviderConfig(deps, chatbot.workspaceId, kind, named);
  } catch (error) {
    if (error instanceof DomainError && (error.code === "secret_unreadable" || error.code === "secret_key_missing")) {
      throw notConfigured(kind, `its stored API key cannot be decrypted (${error.message}); save the key again`);
    }
    throw error;
  }
  if (!config) throw notConfigured(kind, "no API key (or base URL) is saved for it in Settings → Provider");
  return createProvider(config, { baseUrls: deps.config.llm });
}

/** The chatbot's named credential; null when it is gone or of another kind (it never answers for another). */
async function namedCredential(deps: ProviderResolutionDeps, workspaceId: string, id: string, kind: string) {
  const row = await findCredentialById(deps.db, workspaceId, id);
  return row && row.kind === kind ? row : null;
}

const notConfigured = (kind: string, why: string) =>
  new DomainError("provider_not_configured", `The chatbot answers with ${kind}, but ${why}.`, {
    details: { provider: kind },
  });
