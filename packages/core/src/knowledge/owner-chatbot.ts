import { getChatbotInWorkspace } from "../chatbots/get-chatbot-in-workspace.ts";
import type { Ctx } from "../context.ts";
import { DomainError, isDomainError } from "../errors.ts";

/** A source's owning chatbot must be one of the workspace's: 400 naming `chatbotId` otherwise. */
export async function assertOwnerChatbot(ctx: Ctx, chatbotId: string | null | undefined): Promise<void> {
  if (!chatbotId) return;
  try {
    await getChatbotInWorkspace(ctx, chatbotId);
  } catch (error) {
    if (!isDomainError(error)) throw error;
    throw new DomainError("invalid_input", "That chatbot does not exist in this workspace", {
      details: [{ path: "chatbotId", message: "not a chatbot of this workspace" }],
    });
  }
}
