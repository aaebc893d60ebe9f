import type { PlaygroundEffectiveConfig, PlaygroundOverrides } from "@tandem/contracts";
import { promptVersions, providerCredentials } from "@tandem/db";
import { and, eq } from "drizzle-orm";
import type { ChatbotRow } from "../../bots/chatbot-for.ts";
import { modelOf } from "../../bots/compose-reply.ts";
import { validatePromptTemplate } from "../../bots/prompt.ts";
import type { Ctx } from "../../context.ts";
import { DomainError } from "../../errors.ts";
import type { CredentialRow } from "../../providers/provider-deps.ts";

export interface PlaygroundConfig {
  /** The chatbot as the overrides make it, in memory only: never written back. */
  chatbot: ChatbotRow;
  /** The credential chosen by `credentialId`; undefined: the chatbot's own, as the live bot resolves it. */
  credential: CredentialRow | undefined;
  effective: PlaygroundEffectiveConfig;
}

/**
 * The chatbot with a playground's overrides applied — a copy, the live row stays as it is. What the
 * overrides name must exist where it belongs: `credentialId` a provider credential of the caller's
 * workspace, `promptVersionId` a prompt version of this chatbot; a `systemPrompt` must use only known
 * `{variables}`. Otherwise `invalid_input` (400) with the field's path under `path`.
 */
export async function resolvePlaygroundConfig(
  ctx: Pick<Ctx, "db" | "workspaceId">,
  chatbot: ChatbotRow,
  overrides: PlaygroundOverrides,
  path: string,
): Promise<PlaygroundConfig> {
  const [credential, version] = await Promise.all([
    overrides.credentialId ? findCredentialById(ctx, overrides.credentialId) : undefined,
    overrides.promptVersionId ? findPromptVersion(ctx, chatbot.id, overrides.promptVersionId) : undefined,
  ]);
  if (overrides.credentialId && !credential) {
    throw invalid(`${path}.credentialId`, "unknown_credential", "No provider credential with this id in the workspace");
  }
  if (overrides.promptVersionId && !version) {
    throw invalid(
      `${path}.promptVersionId`,
      "unknown_prompt_version",
      "No prompt version with this id for this chatbot",
    );
  }
  if (overrides.systemPrompt !== undefined) {
    const check = validatePromptTemplate(overrides.systemPrompt);
    if (!check.ok) {
      throw new DomainError("invalid_prompt_template", "The system prompt uses unknown variables", {
        details: check.unknownVariables.map((name) => ({
          path: `${path}.systemPrompt`,
          message: `unknown variable {${name}}`,
          code: "unknown_variable",
        })),
      });
    }
  }

  const providerKind = credential?.kind ?? chatbot.providerKind;
  // A credential of another kind brings its own default model: the chatbot's would mean nothing to it.
  const model =
    overrides.model ??
    (credential && credential.kind !== chatbot.providerKind ? credential.defaultModel : chatbot.model);
  const effective: ChatbotRow = {
    ...chatbot,
    providerKind,
    model: model ?? null,
    temperature: overrides.temperature ?? chatbot.temperature,
    maxTokens: overrides.maxTokens ?? chatbot.maxTokens,
    systemPrompt: version?.text ?? overrides.systemPrompt ?? chatbot.systemPrompt,
    currentPromptVersionId: version
      ? version.id
      : overrides.systemPrompt !== undefined
        ? null
        : chatbot.currentPromptVersionId,
  };
  return {
    chatbot: effective,
    credential,
    effective: {
      provider: providerKind,
      model: modelOf(effective),
      temperature: effective.temperature,
      maxTokens: effective.maxTokens,
      credentialId: credential?.id ?? null,
      promptVersionId: effective.currentPromptVersionId,
    },
  };
}

/** The session's overrides with the message's on top (a field the message gives wins). */
export function mergePlaygroundOverrides(
  base: PlaygroundOverrides,
  top: PlaygroundOverrides | undefined,
): PlaygroundOverrides {
  if (!top) return base;
  const merged: PlaygroundOverrides = { ...base, ...top };
  // The two ways of choosing the prompt exclude each other: the message's choice replaces the session's.
  if (top.systemPrompt !== undefined) delete merged.promptVersionId;
  if (top.promptVersionId !== undefined) delete merged.systemPrompt;
  return merged;
}

async function findCredentialById(ctx: Pick<Ctx, "db" | "workspaceId">, id: string) {
  const [row] = await ctx.db
    .select()
    .from(providerCredentials)
    .where(and(eq(providerCredentials.id, id), eq(providerCredentials.workspaceId, ctx.workspaceId)))
    .limit(1);
  return row;
}

async function findPromptVersion(ctx: Pick<Ctx, "db">, chatbotId: string, id: string) {
  const [row] = await ctx.db
    .select({ id: promptVersions.id, text: promptVersions.text })
    .from(promptVersions)
    .where(and(eq(promptVersions.id, id), eq(promptVersions.chatbotId, chatbotId)))
    .limit(1);
  return row;
}

const invalid = (path: string, code: string, message: string) =>
  new DomainError("invalid_input", "The request is invalid", { details: [{ path, message, code }] });
