import type { PromptDto } from "@tandem/contracts";
import { actorRole, type Ctx } from "../../context.ts";
import { assertCan } from "../../policy.ts";
import { getChatbotInWorkspace } from "../get-chatbot-in-workspace.ts";
import { loadLiveVersion, promptToDto } from "./to-dto.ts";

/** The chatbot's live prompt with the variables it may use; every member may read it. */
export async function getPrompt(ctx: Ctx, input: { chatbotId: string }): Promise<PromptDto> {
  assertCan(actorRole(ctx.actor), "chatbots.read");
  const chatbot = await getChatbotInWorkspace(ctx, input.chatbotId);
  return promptToDto(chatbot, await loadLiveVersion(ctx.db, chatbot));
}
