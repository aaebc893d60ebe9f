import type { ChatbotDto } from "@tandem/contracts";
import type { Ctx } from "../context.ts";
import { assertActorCan } from "../members/guard.ts";
import { getChatbotInWorkspace } from "./get-chatbot-in-workspace.ts";
import { loadChatbotDtos } from "./to-dto.ts";

/** One chatbot with its overview, channels and translations; another workspace's is "not found". */
export async function getChatbot(ctx: Ctx, chatbotId: string): Promise<ChatbotDto> {
  assertActorCan(ctx, "chatbots.read");
  const row = await getChatbotInWorkspace(ctx, chatbotId);
  const [dto] = await loadChatbotDtos(ctx.db, ctx.workspaceId, [row]);
  return dto!;
}
