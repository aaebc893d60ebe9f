import type { CreateChatbotInput, UpdateChatbotInput } from "@tandem/contracts";
import type { chatbots } from "@tandem/db";
import type { ChatbotRow } from "../bots/chatbot-for.ts";
import type { Ctx } from "../context.ts";
import { DomainError, invalidField } from "../errors.ts";
import { findCredentialById } from "../providers/provider-deps.ts";
import { retrievalValues } from "./retrieval-settings.ts";

type Settings = Omit<CreateChatbotInput, "name" | "systemPrompt"> & Partial<Pick<UpdateChatbotInput, "name">>;
type ChatbotValues = Partial<typeof chatbots.$inferInsert> & {
  /** Not a column: the embedding model changed, so the caller schedules `embed-knowledge` after the commit. */
  embeddingChanged?: boolean;
};

/**
 * The columns a create or a PATCH writes: only the fields given. The behaviour blobs (prompt
 * variables, guardrails, memory) merge into the current ones, so a PATCH of one guardrail keeps the
 * others; knowledge filters and suggested questions are replaced as given.
 *
 * The provider follows the credential: naming one sets the chatbot's kind to the credential's (a
 * `provider` given with it must agree); an unknown credential, or another workspace's, is a 400 on
 * `credentialId`. Switching the kind without naming a credential drops a credential of the old kind
 * (the workspace's credential of the new kind answers) and, unless a model is given, the model (the
 * new kind's first suggestion answers until one is chosen).
 */
export async function chatbotValues(ctx: Ctx, input: Settings, current?: ChatbotRow): Promise<ChatbotValues> {
  const values: ChatbotValues = {};
  if (input.name !== undefined) values.name = input.name;
  if (input.description !== undefined) values.description = input.description || null;
  if (input.status !== undefined) values.status = input.status;
  if (input.temperature !== undefined) values.temperature = input.temperature;
  if (input.maxTokens !== undefined) values.maxTokens = input.maxTokens;
  if (input.timeoutMs !== undefined) values.timeoutMs = input.timeoutMs;
  if (input.language !== undefined) values.language = input.language;
  if (input.welcomeMessage !== undefined) values.welcomeMessage = input.welcomeMessage || null;
  if (input.model !== undefined) values.model = input.model;
  if (input.suggestedQuestions !== undefined) {
    values.widgetConfig = { ...current?.widgetConfig, suggestedQuestions: input.suggestedQuestions };
  }
  if (input.promptVariables !== undefined) {
    values.promptVariables = { ...current?.promptVariables, ...input.promptVariables };
  }
  if (input.guardrails !== undefined) {
    // handoffMessage null = back to the built-in message: not stored (absent means the same).
    const { handoffMessage, ...rest } = input.guardrails;
    const { handoffMessage: _old, ...kept } = { ...current?.guardrails, ...rest };
    const message = handoffMessage === undefined ? current?.guardrails.handoffMessage : handoffMessage;
    values.guardrails = typeof message === "string" ? { ...kept, handoffMessage: message } : kept;
  }
  if (input.memory !== undefined) values.memorySettings = { ...current?.memorySettings, ...input.memory };
  if (input.knowledgeFilters !== undefined) values.knowledgeFilters = input.knowledgeFilters;
  if (input.retrieval !== undefined) {
    const { embeddingChanged, ...retrieval } = await retrievalValues(ctx, input.retrieval, current);
    Object.assign(values, retrieval);
    if (embeddingChanged) values.embeddingChanged = true;
  }

  if (input.credentialId) {
    const credential = await findCredentialById(ctx.db, ctx.workspaceId, input.credentialId);
    if (!credential) {
      const message =
        "No provider credential with this id in the workspace: pick one from Settings → Provider credentials.";
      throw new DomainError("invalid_credential", message, {
        details: [{ path: "credentialId", code: "invalid_credential", message }],
      });
    }
    if (input.provider !== undefined && input.provider !== credential.kind) {
      throw invalidField(
        "invalid_input",
        "provider",
        `The credential "${credential.name}" is a ${credential.kind} credential: leave the provider out or choose ${credential.kind}.`,
      );
    }
    values.credentialId = credential.id;
    values.providerKind = credential.kind;
    if (input.model === undefined && credential.defaultModel) values.model = credential.defaultModel;
  } else {
    if (input.credentialId === null) values.credentialId = null;
    if (input.provider !== undefined) values.providerKind = input.provider;
  }

  const kindChanged = values.providerKind !== undefined && values.providerKind !== current?.providerKind;
  if (current && kindChanged) {
    if (input.credentialId === undefined) values.credentialId = null;
    if (values.model === undefined) values.model = null;
  }
  return values;
}
