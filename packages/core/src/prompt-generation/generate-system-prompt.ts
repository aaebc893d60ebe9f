import { readFile } from "node:fs/promises";
import { type PromptGenerationStep, rooms, SOCKET_EVENTS } from "@tandem/contracts";
import { promptGenerationJobs } from "@tandem/db";
import { eq } from "drizzle-orm";
import { z } from "zod";
import type { AppJobDeps } from "../app-deps.ts";
import { modelOf } from "../bots/compose-reply.ts";
import { providerForChatbot } from "../bots/provider-for-chatbot.ts";
import { getChatbotInWorkspace } from "../chatbots/get-chatbot-in-workspace.ts";
import { DomainError, isDomainError } from "../errors.ts";
import { extractText, lazyOcr } from "../extract/extract-text.ts";
import { defineJob, type JobContext } from "../jobs/define-job.ts";
import { isRetryable, RetryableError } from "../jobs/errors.ts";
import { LlmError } from "../llm/types.ts";
import { type GenerationParameters, type PromptGenerationRow, parametersOf, promptGenerationToDto } from "./to-dto.ts";
import { removePromptUploads, resolveUpload } from "./upload-store.ts";
import {
  cleanGeneratedPrompt,
  type SourceDocument,
  templatePrompt,
  WRITER_SYSTEM_PROMPT,
  writerMessages,
} from "./write-prompt.ts";

/** The "model" recorded when the offline provider filled the template. */
export const OFFLINE_PROMPT_MODEL = "offline-template";
/** The provider writes a whole prompt: more room and time than a chat reply. */
const WRITER_MAX_TOKENS = 2000;
const WRITER_MIN_TIMEOUT_MS = 60_000;

export const NO_TEXT_READ = "No text could be read from the files";

/**
 * Writes a system prompt from a job's uploads (`start-prompt-generation.ts`): extract each file's
 * text (one OCR worker for the whole job), then the chatbot's provider writes the prompt — or the
 * offline template fills it. Each step is appended to the job's `progress` and published to the
 * workspace room (`prompt-generation:updated`).
 *
 * Never stuck: a retryable provider failure (rate limit, timeout, 5xx) is retried with backoff
 * while attempts remain; anything else, or the last attempt, ends the job `failed` with a reason a
 * person can read. The uploads are deleted when the job ends, either way.
 */
export const generateSystemPrompt = defineJob({
  name: "generate-system-prompt",
  schema: z.object({ jobId: z.string().min(1) }),
  retry: { attempts: 3 },
  // OCR takes a core for seconds: one at a time per process.
  concurrency: 1,
  handle: async ({ jobId }, ctx: JobContext<AppJobDeps>) => {
    const [row] = await ctx.db.select().from(promptGenerationJobs).where(eq(promptGenerationJobs.id, jobId));
    if (!row || row.status === "completed" || row.status === "failed") return;
    const run = new Run(ctx, row);
    try {
      await run.start();
      const documents = await run.extract();
      await run.write(documents);
    } catch (error) {
      if (isRetryable(error) && ctx.attempt < ctx.maxAttempts) {
        await run.step({ step: "retry", status: "running", message: `${reasonOf(error)} Trying again.` });
        throw error;
      }
      ctx.log.warn({ err: error, jobId }, "prompt generation failed");
      await run.fail(reasonOf(error));
    }
  },
});

/** One attempt of one job: its row, kept in step with the database and the workspace's sockets. */
class Run {
  private params: GenerationParameters;

  constructor(
    private readonly ctx: JobContext<AppJobDeps>,
    private row: PromptGenerationRow,
  ) {
    this.params = { ...parametersOf(row) };
  }

  private get scope() {
    return { db: this.ctx.db, workspaceId: this.row.workspaceId };
  }

  async start(): Promise<void> {
    await this.save({ status: "processing", startedAt: this.row.startedAt ?? new Date() });
  }

  async step(step: Omit<PromptGenerationStep, "at">): Promise<void> {
    this.params.progress = [...(this.params.progress ?? []), { ...step, at: new Date().toISOString() }];
    await this.save({});
  }

  async extract(): Promise<SourceDocument[]> {
    const ocr = lazyOcr();
    const documents: SourceDocument[] = [];
    try {
      for (const [i, file] of this.row.inputFiles.entries()) {
        await this.step({ step: "extract", status: "running", file: file.name });
        try {
          const bytes = await readUpload(this.ctx.config.dataDir, file);
          const result = await extractText({ bytes, mime: file.mime, name: file.name }, { ocr });
          const warnings = result.text ? result.warnings : [...result.warnings, "no text found in it"];
          this.record(i, {
            method: result.method,
            pages: result.pages ?? null,
            characters: result.text.length,
            warnings,
            error: null,
          });
          if (result.text) documents.push({ name: file.name, text: result.text });
          await this.step({
            step: "extract",
            status: "done",
            file: file.name,
            message: summary(result.text.length, warnings),
          });
        } catch (error) {
          if (!isDomainError(error)) throw error;
          this.record(i, { method: null, pages: null, characters: null, warnings: [], error: error.message });
          await this.step({ step: "extract", status: "failed", file: file.name, message: error.message });
        }
      }
    } finally {
      await ocr.close();
    }
    if (documents.length === 0) {
      const reasons = this.row.inputFiles
        .map((f, i) => {
          const read = this.params.extraction?.[String(i)];
          return `${f.name}: ${read?.error ?? read?.warnings.join("; ") ?? "nothing read"}`;
        })
        .join(". ");
      throw new DomainError("no_text_extracted", `${NO_TEXT_READ} (${reasons}).`);
    }
    return documents;
  }

  async write(documents: SourceDocument[]): Promise<void> {
    let chatbot: Awaited<ReturnType<typeof getChatbotInWorkspace>>;
    try {
      chatbot = await getChatbotInWorkspace(this.scope, this.row.chatbotId);
    } catch {
      throw new DomainError("chatbot_not_found", "The chatbot was deleted while its prompt was being written.");
    }
    const brief = {
      chatbotName: chatbot.name,
      language: chatbot.language,
      context: this.row.context,
      tone: this.row.tone,
      instructions: this.row.instructions,
      documents,
    };
    await this.step({
      step: "write",
      status: "running",
      message: `${chatbot.providerKind === "OFFLINE" ? "Offline template" : chatbot.providerKind} is writing the prompt`,
    });

    let prompt: string;
    let message: string | undefined;
    if (chatbot.providerKind === "OFFLINE") {
      prompt = templatePrompt(brief);
      this.params.provider = "OFFLINE";
      this.params.model = OFFLINE_PROMPT_MODEL;
      this.params.usage = { promptTokens: 0, completionTokens: 0 };
    } else {
      const provider = await providerForChatbot(
        { db: this.ctx.db, keyring: this.ctx.keyring, config: this.ctx.config },
        chatbot,
      );
      const result = await provider.generate({
        model: modelOf(chatbot),
        temperature: 0.4,
        maxTokens: WRITER_MAX_TOKENS,
        timeoutMs: Math.max(chatbot.timeoutMs, WRITER_MIN_TIMEOUT_MS),
        systemPrompt: WRITER_SYSTEM_PROMPT,
        messages: writerMessages(brief),
        signal: this.ctx.signal,
      });
      const cleaned = cleanGeneratedPrompt(result.text);
      if (!cleaned.prompt) throw new RetryableError("The provider answered with an empty prompt.");
      prompt = cleaned.prompt;
      if (cleaned.removedVariables.length) {
        message = `Unknown placeholders turned into plain words: ${cleaned.removedVariables.map((v) => `{${v}}`).join(", ")}`;
      }
      this.params.provider = result.provider;
      this.params.model = result.model;
      this.params.usage = { promptTokens: result.usage.inputTokens, completionTokens: result.usage.outputTokens };
    }
    this.params.progress = [
      ...(this.params.progress ?? []),
      { step: "write", status: "done", at: new Date().toISOString(), ...(message ? { message } : {}) },
    ];
    // Deleted before the job shows as ended, so an ended job never has files left behind.
    await this.cleanUp();
    await this.save({ status: "completed", generatedPrompt: prompt, error: null, completedAt: new Date() });
  }

  async fail(reason: string): Promise<void> {
    this.params.progress = [
      ...(this.params.progress ?? []),
      { step: "failed", status: "failed", at: new Date().toISOString(), message: reason },
    ];
    await this.cleanUp();
    await this.save({ status: "failed", error: reason, completedAt: new Date() });
  }

  private record(index: number, read: NonNullable<GenerationParameters["extraction"]>[string]): void {
    this.params.extraction = { ...this.params.extraction, [String(index)]: read };
  }

  private async save(set: Partial<typeof promptGenerationJobs.$inferInsert>): Promise<void> {
    const [row] = await this.ctx.db
      .update(promptGenerationJobs)
      .set({ ...set, parameters: this.params as Record<string, unknown> })
      .where(eq(promptGenerationJobs.id, this.row.id))
      .returning();
    if (!row) return;
    this.row = row;
    await this.publish();
  }

  private async publish(): Promise<void> {
    let livePrompt = "";
    try {
      livePrompt = (await getChatbotInWorkspace(this.scope, this.row.chatbotId)).systemPrompt;
    } catch {
      // Deleted meanwhile: the job still reports.
    }
    this.ctx.realtime.emit(
      rooms.workspace(this.row.workspaceId),
      SOCKET_EVENTS.promptGenerationUpdated,
      promptGenerationToDto(this.row, livePrompt),
    );
  }

  private async cleanUp(): Promise<void> {
    try {
      await removePromptUploads(this.ctx.config.dataDir, this.row.workspaceId, this.row.id);
    } catch (error) {
      this.ctx.log.warn({ err: error, jobId: this.row.id }, "could not delete a prompt generation's uploads");
    }
  }
}

async function readUpload(dataDir: string, file: { name: string; path: string }): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(resolveUpload(dataDir, file.path)));
  } catch (error) {
    throw new DomainError("upload_missing", `${file.name} is no longer on the server: upload it again.`, {
      cause: error,
    });
  }
}

function summary(characters: number, warnings: string[]): string {
  const read = `${characters.toLocaleString("en")} characters read`;
  return warnings.length ? `${read}; ${warnings.join("; ")}` : read;
}

/** The reason kept on the job: a domain or provider message as it is, anything else without internals. */
function reasonOf(error: unknown): string {
  if (isDomainError(error)) return error.message;
  if (error instanceof LlmError) return `The AI provider failed (${error.code}): ${error.message}`;
  if (error instanceof RetryableError) return error.message;
  return "An unexpected error stopped the generation; see the server log.";
}
