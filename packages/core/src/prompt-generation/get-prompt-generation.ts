import type { PromptGenerationJobDto } from "@tandem/contracts";
import { promptGenerationJobs } from "@tandem/db";
import { and, eq } from "drizzle-orm";
import { getChatbotInWorkspace } from "../chatbots/get-chatbot-in-workspace.ts";
import type { Ctx } from "../context.ts";
import { DomainError } from "../errors.ts";
import { promptGenerationToDto } from "./to-dto.ts";

/** A prompt generation of one of the workspace's chatbots, with the live prompt for the diff; else 404. */
export async function getPromptGeneration(
  ctx: Pick<Ctx, "db" | "workspaceId">,
  input: { chatbotId: string; jobId: string },
): Promise<PromptGenerationJobDto> {
  const chatbot = await getChatbotInWorkspace(ctx, input.chatbotId);
  const [row] = await ctx.db
    .select()
    .from(promptGenerationJobs)
    .where(
      and(
        eq(promptGenerationJobs.id, input.jobId),
        eq(promptGenerationJobs.workspaceId, ctx.workspaceId),
        eq(promptGenerationJobs.chatbotId, chatbot.id),
      ),
    );
  if (!row) throw new DomainError("prompt_generation_not_found", "Prompt generation not found");
  return promptGenerationToDto(row, chatbot.systemPrompt);
}
