import type { UpdatePromptInput } from "@tandem/contracts";
import { promptGenerationJobs } from "@tandem/db";
import { and, eq } from "drizzle-orm";
import type { Ctx } from "../../context.ts";
import { DomainError } from "../../errors.ts";
import type { ChatbotRow } from "../get-chatbot-in-workspace.ts";
import { changePrompt, type ExpectedVersion, type PromptChange, type PromptChangeResult } from "./change-prompt.ts";

/**
 * Saves a new version of the chatbot's prompt (method `manual`), or applies a completed AI draft
 * (`generationJobId`: method `ai_generated`, with the job's files, model and token usage in the
 * metadata). The text saved is the one given: the draft may have been edited before it is applied.
 */
export async function updatePrompt(
  ctx: Ctx,
  input: UpdatePromptInput & { chatbotId: string; expected: ExpectedVersion },
): Promise<PromptChangeResult> {
  return changePrompt(
    ctx,
    { chatbotId: input.chatbotId, expected: input.expected, action: "prompt.update" },
    (tx, chatbot) =>
      input.generationJobId
        ? appliedDraft(tx, chatbot, input.generationJobId, input)
        : Promise.resolve({ text: input.text, method: "manual", note: input.note, textPath: "text" }),
  );
}

/** A job of another chatbot or workspace does not exist for the caller; one not completed has no draft yet. */
async function appliedDraft(
  tx: Ctx,
  chatbot: ChatbotRow,
  jobId: string,
  input: UpdatePromptInput,
): Promise<PromptChange> {
  const [job] = await tx.db
    .select()
    .from(promptGenerationJobs)
    .where(
      and(
        eq(promptGenerationJobs.id, jobId),
        eq(promptGenerationJobs.workspaceId, tx.workspaceId),
        eq(promptGenerationJobs.chatbotId, chatbot.id),
      ),
    )
    .limit(1);
  if (!job) {
    throw new DomainError("prompt_generation_not_found", "Prompt generation job not found", {
      details: [{ path: "generationJobId", message: "No such job for this chatbot" }],
    });
  }
  if (job.status !== "completed") {
    throw new DomainError(
      "prompt_generation_not_completed",
      `The prompt generation job is ${job.status}: only a completed job's draft can be applied.`,
      { details: [{ path: "generationJobId", status: job.status }] },
    );
  }
  const parameters = job.parameters;
  return {
    text: input.text,
    method: "ai_generated",
    note: input.note,
    textPath: "text",
    metadata: {
      generationJobId: job.id,
      files: job.inputFiles.map((f) => ({ name: f.name, mime: f.mime, size: f.size })),
      model: typeof parameters.model === "string" ? parameters.model : null,
      usage: usageOf(parameters.usage),
      editedAfterGeneration: job.generatedPrompt !== input.text,
    },
  };
}

function usageOf(value: unknown): { promptTokens: number; completionTokens: number } | null {
  if (!value || typeof value !== "object") return null;
  const { promptTokens, completionTokens } = value as Record<string, unknown>;
  if (typeof promptTokens !== "number" || typeof completionTokens !== "number") return null;
  return { promptTokens, completionTokens };
}
