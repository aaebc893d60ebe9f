import { PROMPT_GENERATION_LIMITS, type PromptGenerationStarted } from "@tandem/contracts";
import { type PromptInputFile, promptGenerationJobs } from "@tandem/db";
import { eq } from "drizzle-orm";
import { recordAudit } from "../audit/record-audit.ts";
import { getChatbotInWorkspace } from "../chatbots/get-chatbot-in-workspace.ts";
import type { Config } from "../config.ts";
import { actorUserId, type Ctx, withTransaction } from "../context.ts";
import { DomainError } from "../errors.ts";
import { assertSupportedFile, mimeOf, readSniffBytes } from "../extract/sniff-file-type.ts";
import { queueOf } from "../jobs/job-scope.ts";
import { generateSystemPrompt } from "./generate-system-prompt.ts";
import { removePromptUploads, resolveUpload } from "./upload-store.ts";

export interface StartPromptGenerationInput {
  chatbotId: string;
  /** The id the uploads were stored under (`newId("promptGeneration")`, `promptUploadDir`). */
  jobId: string;
  /** The uploads, already under `DATA_DIR` (paths relative to it). */
  files: PromptInputFile[];
  context?: string | undefined;
  tone?: string | undefined;
  additionalInstructions?: string | undefined;
}

/**
 * Starts writing a system prompt from uploaded files: checks every file's type by its bytes (415
 * `unsupported_file_type` names the first that is none of the accepted ones), records the job
 * (`pending`) with its audit row, and queues `generate-system-prompt`. On any refusal the uploads
 * are deleted and nothing is recorded.
 */
export async function startPromptGeneration(
  ctx: Ctx,
  input: StartPromptGenerationInput,
  deps: { config: Pick<Config, "dataDir"> },
): Promise<PromptGenerationStarted> {
  const { dataDir } = deps.config;
  try {
    await getChatbotInWorkspace(ctx, input.chatbotId);
    if (input.files.length === 0) {
      throw new DomainError("invalid_input", "Upload at least one file", {
        details: [{ path: "files", message: "at least one file is required" }],
      });
    }
    if (input.files.length > PROMPT_GENERATION_LIMITS.maxFiles) {
      throw new DomainError("invalid_input", `Upload at most ${PROMPT_GENERATION_LIMITS.maxFiles} files`, {
        details: [{ path: "files", message: `at most ${PROMPT_GENERATION_LIMITS.maxFiles} files` }],
      });
    }
    const files: PromptInputFile[] = [];
    for (const file of input.files) {
      const kind = assertSupportedFile(await readSniffBytes(resolveUpload(dataDir, file.path)), file);
      files.push({ ...file, mime: mimeOf(kind, file.name) });
    }

    const job = await withTransaction(ctx, async (tx) => {
      await getChatbotInWorkspace(tx, input.chatbotId, { forUpdate: true });
      const [row] = await tx.db
        .insert(promptGenerationJobs)
        .values({
          id: input.jobId,
          workspaceId: ctx.workspaceId,
          chatbotId: input.chatbotId,
          requestedById: actorUserId(ctx.actor),
          status: "pending",
          inputFiles: files,
          context: input.context ?? null,
          tone: input.tone ?? null,
          instructions: input.additionalInstructions ?? null,
          parameters: { progress: [{ step: "upload", status: "done", at: new Date().toISOString() }] },
        })
        .returning();
      await recordAudit(tx, {
        action: "prompt_generation.start",
        entityType: "chatbot",
        entityId: input.chatbotId,
        after: {
          jobId: input.jobId,
          files: files.map(({ name, mime, size }) => ({ name, mime, size })),
          context: input.context ?? null,
          tone: input.tone ?? null,
          additionalInstructions: input.additionalInstructions ?? null,
        },
      });
      return row!;
    });

    try {
      await queueOf(ctx).enqueue(
        generateSystemPrompt,
        { jobId: job.id },
        { jobId: `prompt-generation:${job.id}`, workspaceId: ctx.workspaceId },
      );
    } catch (error) {
      // Recorded but not queued: it must not look pending forever.
      ctx.log.error({ err: error, jobId: job.id }, "could not queue a prompt generation");
      await ctx.db
        .update(promptGenerationJobs)
        .set({ status: "failed", error: "The job could not be queued. Try again.", completedAt: new Date() })
        .where(eq(promptGenerationJobs.id, job.id));
      throw error;
    }
    return { jobId: job.id, status: "pending" };
  } catch (error) {
    await removePromptUploads(dataDir, ctx.workspaceId, input.jobId);
    throw error;
  }
}
