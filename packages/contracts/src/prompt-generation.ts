import { z } from "zod";

/**
 * AI-written system prompts (`/api/v1/chatbots/{id}/prompt/generate`): files, context, tone and
 * instructions go in as multipart form data; a background job extracts the files' text and the
 * chatbot's provider writes a draft, which the dashboard shows as a diff against the live prompt and
 * applies with `PUT /chatbots/{id}/prompt {text, generationJobId}`.
 */

export const PROMPT_GENERATION_LIMITS = {
  maxFiles: 10,
  maxFileBytes: 20 * 1024 * 1024,
  maxContextChars: 4000,
  maxToneChars: 200,
  maxInstructionsChars: 4000,
} as const;

/** What the upload form accepts (the server checks the bytes, not these names). */
export const PROMPT_GENERATION_ACCEPT = [".pdf", ".png", ".jpg", ".jpeg", ".webp", ".docx", ".txt", ".md"] as const;

export const PromptGenerationChatbotParam = z.object({ id: z.string().min(1).max(64) });
export const PromptGenerationJobParam = z.object({ id: z.string().min(1).max(64), jobId: z.string().min(1).max(64) });

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `must be at most ${max.toLocaleString("en")} characters`)
    .optional()
    .transform((v) => v || undefined);

/** The text fields of the multipart form (the files are `files`, up to ten). */
export const PromptGenerationFields = z.object({
  context: optionalText(PROMPT_GENERATION_LIMITS.maxContextChars),
  tone: optionalText(PROMPT_GENERATION_LIMITS.maxToneChars),
  additionalInstructions: optionalText(PROMPT_GENERATION_LIMITS.maxInstructionsChars),
});
export type PromptGenerationFields = z.infer<typeof PromptGenerationFields>;

export const PromptGenerationStatus = z.enum(["pending", "processing", "completed", "failed"]);
export type PromptGenerationStatus = z.infer<typeof PromptGenerationStatus>;

export const PromptGenerationStarted = z.object({
  jobId: z.string(),
  status: z.literal("pending"),
});
export type PromptGenerationStarted = z.infer<typeof PromptGenerationStarted>;

/** One step of the job, appended as it goes: `extract` (one per file, with `file`), `write`, `retry`. */
export const PromptGenerationStep = z.object({
  step: z.string(),
  status: z.enum(["running", "done", "failed"]),
  at: z.string(),
  file: z.string().optional(),
  message: z.string().optional(),
});
export type PromptGenerationStep = z.infer<typeof PromptGenerationStep>;

export const PromptGenerationFile = z.object({
  name: z.string(),
  mime: z.string(),
  size: z.number().int(),
  /** How its text was read, once it was; null before, or when it could not be. */
  method: z.enum(["text", "pdf", "ocr", "docx"]).nullable(),
  pages: z.number().int().nullable(),
  characters: z.number().int().nullable(),
  warnings: z.array(z.string()),
  /** Why nothing was read from it (password-protected, damaged), when so. */
  error: z.string().nullable(),
});
export type PromptGenerationFile = z.infer<typeof PromptGenerationFile>;

export const PromptGenerationUsage = z.object({ promptTokens: z.number().int(), completionTokens: z.number().int() });

export const PromptGenerationJobDto = z.object({
  jobId: z.string(),
  chatbotId: z.string(),
  status: PromptGenerationStatus,
  progress: z.array(PromptGenerationStep),
  /** Why it failed, readable by a person; null unless `failed`. */
  error: z.string().nullable(),
  /** The draft; null until `completed`. */
  generatedPrompt: z.string().nullable(),
  /** The chatbot's prompt now, for the diff. */
  livePrompt: z.string(),
  files: z.array(PromptGenerationFile),
  context: z.string().nullable(),
  tone: z.string().nullable(),
  additionalInstructions: z.string().nullable(),
  /** The provider and model that wrote it (`offline-template` for the offline provider). */
  provider: z.string().nullable(),
  model: z.string().nullable(),
  usage: PromptGenerationUsage.nullable(),
  requestedById: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  completedAt: z.string().nullable(),
});
export type PromptGenerationJobDto = z.infer<typeof PromptGenerationJobDto>;
