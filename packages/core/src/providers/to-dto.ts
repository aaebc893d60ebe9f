import {
  CREDENTIAL_KINDS,
  PROVIDER_KINDS,
  type ProviderCredentialDto,
  type ProviderKind,
  type ProviderSettingsDto,
  SUGGESTED_MODELS,
} from "@tandem/contracts";
import { DEFAULT_PROMPT_TEMPLATE, PROMPT_VARIABLES } from "../bots/prompt.ts";
import type { Config } from "../config.ts";
import { type ChatbotRow, NEW_CHATBOT_SETTINGS } from "./default-chatbot.ts";
import { type CredentialRow, defaultBaseUrl } from "./provider-deps.ts";

const credentialToDto = (kind: (typeof CREDENTIAL_KINDS)[number], row: CredentialRow | undefined) =>
  ({
    provider: kind,
    hasApiKey: Boolean(row?.apiKeyEncrypted),
    apiKeyHint: row?.apiKeyEncrypted ? (row.keyHint ?? "••••") : null,
    baseUrl: row?.baseUrl ?? null,
    lastTest: row?.lastTestedAt
      ? {
          ok: row.lastTestStatus === "ok",
          code: row.lastTestStatus === "ok" ? null : row.lastTestStatus,
          message: row.lastTestError,
          at: row.lastTestedAt.toISOString(),
        }
      : null,
  }) satisfies ProviderCredentialDto;

const byKind = <T>(value: (kind: ProviderKind) => T) =>
  Object.fromEntries(PROVIDER_KINDS.map((kind) => [kind, value(kind)])) as Record<ProviderKind, T>;

/** The API view of the provider settings: hints only, never a key or its envelope. */
export function providerSettingsToDto(
  chatbot: ChatbotRow | undefined,
  rows: CredentialRow[],
  config: Pick<Config, "llm">,
): ProviderSettingsDto {
  const credentials = CREDENTIAL_KINDS.map((kind) =>
    credentialToDto(
      kind,
      rows.find((r) => r.kind === kind),
    ),
  );
  const provider = chatbot?.providerKind ?? NEW_CHATBOT_SETTINGS.provider;
  const active = credentials.find((c) => c.provider === provider);
  return {
    chatbotId: chatbot?.id ?? null,
    chatbotName: chatbot?.name ?? null,
    provider,
    model: chatbot?.model || SUGGESTED_MODELS[provider][0] || "",
    temperature: chatbot?.temperature ?? NEW_CHATBOT_SETTINGS.temperature,
    maxTokens: chatbot?.maxTokens ?? NEW_CHATBOT_SETTINGS.maxTokens,
    systemPrompt: chatbot?.systemPrompt ?? NEW_CHATBOT_SETTINGS.systemPrompt,
    baseUrl: active?.baseUrl ?? null,
    hasApiKey: active?.hasApiKey ?? false,
    apiKeyHint: active?.apiKeyHint ?? null,
    credentials,
    defaultBaseUrls: byKind((kind) => defaultBaseUrl(config, kind) ?? null),
    suggestedModels: byKind((kind) => [...SUGGESTED_MODELS[kind]]),
    promptVariables: [...PROMPT_VARIABLES],
    defaultSystemPrompt: DEFAULT_PROMPT_TEMPLATE,
    updatedAt: chatbot?.updatedAt.toISOString() ?? null,
  };
}
