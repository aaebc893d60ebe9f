import type { PromptVersionDto } from "@tandem/contracts";
import { promptVersions } from "@tandem/db";
import { and, eq } from "drizzle-orm";
import { actorRole, type Ctx } from "../../context.ts";
import { DomainError } from "../../errors.ts";
import { assertCan } from "../../policy.ts";
import { getChatbotInWorkspace } from "../get-chatbot-in-workspace.ts";
import { versionToDto, versionWithAuthor } from "./to-dto.ts";

/** One version of the chatbot's prompt with its full text (for a diff); another chatbot's version is not found. */
export async function getPromptVersion(
  ctx: Ctx,
  input: { chatbotId: string; versionId: string },
): Promise<PromptVersionDto> {
  assertCan(actorRole(ctx.actor), "chatbots.read");
  const chatbot = await getChatbotInWorkspace(ctx, input.chatbotId);
  const [row] = await versionWithAuthor(ctx.db)
    .where(and(eq(promptVersions.id, input.versionId), eq(promptVersions.chatbotId, chatbot.id)))
    .limit(1);
  if (!row) throw new DomainError("prompt_version_not_found", "Prompt version not found");
  return versionToDto(row, chatbot.currentPromptVersionId);
}
