import {
  PROVIDER_LABELS,
  type ProviderSettingsDto,
  providerRequiresApiKey,
  providerRequiresBaseUrl,
  type UpdateProviderSettingsInput,
} from "@tandem/contracts";
import { chatbots, providerCredentials } from "@tandem/db";
import { and, eq } from "drizzle-orm";
import { recordAudit } from "../audit/record-audit.ts";
import { assertValidPromptTemplate } from "../bots/prompt.ts";
import { changePrompt } from "../chatbots/prompts/change-prompt.ts";
import { actorRole, type Ctx, withTransaction } from "../context.ts";
import { DomainError } from "../errors.ts";
import { assertOutboundUrlAllowed } from "../net/outbound.ts";
import { assertCan } from "../policy.ts";
import { type ChatbotRow, lockOrCreateDefaultChatbot } from "./default-chatbot.ts";
import { getProviderSettings } from "./get-provider-settings.ts";
import {
  type CredentialRow,
  findCredential,
  freeCredentialName,
  type ProviderDeps,
  sealApiKey,
} from "./provider-deps.ts";

/**
 * Saves the provider settings of the workspace's default chatbot (created when the workspace has
 * none). The key and base URL belong to the chosen kind's credential — one per kind, so switching
 * back to a kind finds its key again: omitted → kept, `null` or `""` → cleared, a value → replaced
 * (encrypted; only a hint is kept in clear). Nothing is cached: the next reply reads the new settings.
 * One audit row per save, with hints instead of keys.
 *
 * A stored key only ever goes to the base URL it was saved with: changing the base URL of a
 * credential that has a key needs the key typed again (or cleared) — 400 `api_key_required`. A base
 * URL on a private network is refused unless the operator allows it (400 `url_not_allowed`).
 */
export async function updateProviderSettings(
  ctx: Ctx,
  input: UpdateProviderSettingsInput,
  deps: ProviderDeps,
): Promise<ProviderSettingsDto> {
  assertCan(actorRole(ctx.actor), "providers.manage");
  // Unknown `{variables}` are reported now, so a typo never reaches a reply.
  assertValidPromptTemplate(input.systemPrompt, "systemPrompt");
  const kind = input.provider;
  // Resolved before the transaction: a DNS lookup must not hold the (embedded) database.
  if (kind !== "OFFLINE" && input.baseUrl)
    await assertOutboundUrlAllowed(deps.config.outbound, input.baseUrl, "baseUrl");

  await withTransaction(ctx, async (tx) => {
    const { chatbot, created } = await lockOrCreateDefaultChatbot(tx);
    const stored =
      kind === "OFFLINE" ? undefined : await findCredential(tx.db, tx.workspaceId, kind, { forUpdate: true });

    let credentialAfter: CredentialSummary | null = null;
    if (kind !== "OFFLINE") {
      const values = credentialChanges(input, deps);
      const movesStoredKey =
        stored?.apiKeyEncrypted &&
        values.apiKeyEncrypted === undefined &&
        values.baseUrl !== undefined &&
        values.baseUrl !== stored.baseUrl;
      if (movesStoredKey) {
        throw invalid(
          "api_key_required",
          "apiKey",
          "Type the API key again to change the base URL: a saved key is only sent to the base URL it was saved with.",
        );
      }
      const hasKey =
        values.apiKeyEncrypted === undefined ? Boolean(stored?.apiKeyEncrypted) : values.apiKeyEncrypted !== null;
      const baseUrl = values.baseUrl === undefined ? (stored?.baseUrl ?? null) : values.baseUrl;
      if (providerRequiresApiKey(kind) && !hasKey) {
        throw invalid(
          "api_key_required",
          "apiKey",
          `Enter an API key for ${PROVIDER_LABELS[kind]}: none is stored for it yet.`,
        );
      }
      if (providerRequiresBaseUrl(kind) && !baseUrl) {
        throw invalid(
          "base_url_required",
          "baseUrl",
          "Enter the base URL of the OpenAI-compatible server, e.g. http://localhost:11434/v1 for Ollama.",
        );
      }
      const saved = await saveCredential(tx, kind, stored, values);
      credentialAfter = credentialSummary(saved);
    }

    // The prompt verbs' own path (history, audit `prompt.update`), so the chatbot's prompt history stays complete.
    const promptVersionId =
      input.systemPrompt !== chatbot.systemPrompt
        ? (
            await changePrompt(tx, { chatbotId: chatbot.id, expected: ["*"], action: "prompt.update" }, async () => ({
              text: input.systemPrompt,
              method: "manual",
              metadata: { source: "provider_settings" },
              textPath: "systemPrompt",
            }))
          ).prompt.versionId
        : chatbot.currentPromptVersionId;

    await tx.db
      .update(chatbots)
      .set({
        providerKind: kind,
        // A named credential of another kind cannot answer for this one: the kind's credential does.
        ...(chatbot.credentialId && kind !== chatbot.providerKind ? { credentialId: null } : {}),
        model: input.model,
        temperature: input.temperature,
        maxTokens: input.maxTokens,
        systemPrompt: input.systemPrompt,
        currentPromptVersionId: promptVersionId,
      })
      .where(and(eq(chatbots.id, chatbot.id), eq(chatbots.workspaceId, tx.workspaceId)));

    await recordAudit(tx, {
      action: "provider.update",
      entityType: "chatbot",
      entityId: chatbot.id,
      before: created ? null : { ...settingsSummary(chatbot), credential: stored ? credentialSummary(stored) : null },
      after: {
        provider: kind,
        model: input.model,
        temperature: input.temperature,
        maxTokens: input.maxTokens,
        systemPrompt: input.systemPrompt,
        credential: credentialAfter,
        ...(created ? { chatbotCreated: true } : {}),
      },
    });
  });

  return getProviderSettings(ctx, deps);
}

async function saveCredential(
  tx: Ctx,
  kind: CredentialRow["kind"],
  stored: CredentialRow | undefined,
  values: CredentialChanges,
): Promise<CredentialRow> {
  if (!stored) {
    const [inserted] = await tx.db
      .insert(providerCredentials)
      .values({
        workspaceId: tx.workspaceId,
        kind,
        name: await freeCredentialName(tx.db, tx.workspaceId, PROVIDER_LABELS[kind]),
        ...values,
      })
      .returning();
    return inserted!;
  }
  if (!changesCredential(stored, values)) return stored;
  const [updated] = await tx.db
    .update(providerCredentials)
    .set({ ...values, ...clearedTest })
    .where(eq(providerCredentials.id, stored.id))
    .returning();
  return updated!;
}

const invalid = (code: string, path: string, message: string) =>
  new DomainError(code, message, { details: [{ path, code, message }] });

/** The credential columns this save changes (undefined = kept). */
type CredentialChanges = { apiKeyEncrypted?: string | null; keyHint?: string | null; baseUrl?: string | null };

function credentialChanges(input: UpdateProviderSettingsInput, deps: ProviderDeps): CredentialChanges {
  const values: CredentialChanges = {};
  if (input.apiKey !== undefined) {
    Object.assign(
      values,
      input.apiKey ? sealApiKey(deps.keyring, input.apiKey) : { apiKeyEncrypted: null, keyHint: null },
    );
  }
  if (input.baseUrl !== undefined) values.baseUrl = input.baseUrl ? input.baseUrl.replace(/\/+$/, "") : null;
  return values;
}

/** A new key (even the same one typed again) or another base URL; a stale test result goes with it. */
const changesCredential = (stored: CredentialRow, values: CredentialChanges) =>
  values.apiKeyEncrypted !== undefined || (values.baseUrl !== undefined && values.baseUrl !== stored.baseUrl);

const clearedTest = { lastTestStatus: null, lastTestError: null, lastTestedAt: null };

type CredentialSummary = ReturnType<typeof credentialSummary>;

/** What the audit trail keeps of a credential: `keyHint`, never the key or its envelope. */
const credentialSummary = (row: CredentialRow | undefined) =>
  row ? { kind: row.kind, keyHint: row.apiKeyEncrypted ? row.keyHint : null, baseUrl: row.baseUrl } : null;

const settingsSummary = (chatbot: ChatbotRow) => ({
  provider: chatbot.providerKind,
  model: chatbot.model,
  temperature: chatbot.temperature,
  maxTokens: chatbot.maxTokens,
  systemPrompt: chatbot.systemPrompt,
});
