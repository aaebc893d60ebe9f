import type { PromptGenerationFile, PromptGenerationJobDto, PromptGenerationStep } from "@tandem/contracts";
import type { promptGenerationJobs } from "@tandem/db";

export type PromptGenerationRow = typeof promptGenerationJobs.$inferSelect;

/** What the job keeps in `parameters` (jsonb): its progress, what each file gave, and who wrote the prompt. */
export interface GenerationParameters {
  progress?: PromptGenerationStep[];
  /** By the index of `inputFiles`. */
  extraction?: Record<string, Pick<PromptGenerationFile, "method" | "pages" | "characters" | "warnings" | "error">>;
  provider?: string;
  model?: string;
  usage?: { promptTokens: number; completionTokens: number };
}

export const parametersOf = (row: Pick<PromptGenerationRow, "parameters">) => row.parameters as GenerationParameters;

export function promptGenerationToDto(row: PromptGenerationRow, livePrompt: string): PromptGenerationJobDto {
  const params = parametersOf(row);
  return {
    jobId: row.id,
    chatbotId: row.chatbotId,
    status: row.status,
    progress: params.progress ?? [],
    error: row.error,
    generatedPrompt: row.generatedPrompt,
    livePrompt,
    files: row.inputFiles.map((file, i) => {
      const read = params.extraction?.[String(i)];
      return {
        name: file.name,
        mime: file.mime,
        size: file.size,
        method: read?.method ?? null,
        pages: read?.pages ?? null,
        characters: read?.characters ?? null,
        warnings: read?.warnings ?? [],
        error: read?.error ?? null,
      };
    }),
    context: row.context,
    tone: row.tone,
    additionalInstructions: row.instructions,
    provider: params.provider ?? null,
    model: params.model ?? null,
    usage: params.usage ?? null,
    requestedById: row.requestedById,
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    completedAt: row.completedAt?.toISOString() ?? null,
  };
}
