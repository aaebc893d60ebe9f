import { z } from "zod";
import { page } from "./common.ts";

/**
 * A chatbot's system prompt as immutable versions (`/api/v1/chatbots/{id}/prompt`): every save,
 * AI draft applied or rollback adds a version and makes it live; the live one is what the bot answers
 * with and what each bot message names (`promptVersionId`). The live version's id is its ETag; a
 * save sends it back in `If-Match`, so two people editing at once cannot overwrite each other.
 */

export const PROMPT_LIMITS = {
  /** The same ceiling as the provider settings' `systemPrompt`. */
  textLength: 20_000,
  noteLength: 500,
} as const;

export const PromptMethod = z.enum(["manual", "ai_generated", "rollback"]);
export type PromptMethod = z.infer<typeof PromptMethod>;

/** Null when the author's account is gone (or the version was written by the system). */
export const PromptAuthor = z.object({ id: z.string(), name: z.string().nullable() }).nullable();
export type PromptAuthor = z.infer<typeof PromptAuthor>;

/** One version without its text: a row of the history. */
export const PromptVersionSummary = z.object({
  versionId: z.string(),
  version: z.number().int(),
  author: PromptAuthor,
  method: PromptMethod,
  note: z.string().nullable(),
  /**
   * How it was made: `ai_generated` → `{generationJobId, files[{name, mime, size}], model, usage
   * {promptTokens, completionTokens}, editedAfterGeneration}`; `rollback` → `{fromVersionId,
   * fromVersion}`; saves through `/settings/provider` → `{source: "provider_settings"}`.
   */
  metadata: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  /** The version the chatbot answers with now. */
  live: z.boolean(),
});
export type PromptVersionSummary = z.infer<typeof PromptVersionSummary>;

/** One version with its text (`/prompt/history/{versionId}`, for a diff). */
export const PromptVersionDto = PromptVersionSummary.extend({ text: z.string() });
export type PromptVersionDto = z.infer<typeof PromptVersionDto>;

/**
 * The live prompt (`GET /prompt`, and the answer of every save). `versionId` is null only for a
 * chatbot that has never had a version (its ETag is then `"none"`). An empty `text` means the
 * default template.
 */
export const PromptDto = z.object({
  versionId: z.string().nullable(),
  version: z.number().int().nullable(),
  text: z.string(),
  method: PromptMethod.nullable(),
  author: PromptAuthor,
  note: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  createdAt: z.string().nullable(),
  /** The `{variables}` the text may use; any other `{name}` is refused (400 `invalid_prompt_template`). */
  variables: z.array(z.string()),
  /** The template the bot uses while `text` is empty. */
  defaultTemplate: z.string(),
});
export type PromptDto = z.infer<typeof PromptDto>;

const note = z.string().trim().max(PROMPT_LIMITS.noteLength).optional();

export const UpdatePromptInput = z.object({
  text: z.string().max(PROMPT_LIMITS.textLength),
  note,
  /** A completed prompt-generation job of this chatbot whose draft is applied (edited or not): method `ai_generated`. */
  generationJobId: z.string().min(1).max(64).optional(),
});
export type UpdatePromptInput = z.infer<typeof UpdatePromptInput>;

export const RollbackPromptInput = z.object({
  /** The version to copy; any version of this chatbot. */
  versionId: z.string().min(1).max(64),
  note,
});
export type RollbackPromptInput = z.infer<typeof RollbackPromptInput>;

export const PromptHistoryQuery = z.object({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export type PromptHistoryQuery = z.infer<typeof PromptHistoryQuery>;

/** Newest first. */
export const PromptHistoryResponse = page(PromptVersionSummary);
export type PromptHistoryResponse = z.infer<typeof PromptHistoryResponse>;

export const ChatbotPromptParam = z.object({ id: z.string().min(1).max(64) });
export const ChatbotPromptVersionParam = z.object({
  id: z.string().min(1).max(64),
  versionId: z.string().min(1).max(64),
});
