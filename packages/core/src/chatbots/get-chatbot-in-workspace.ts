import { chatbots } from "@tandem/db";
import { and, eq, isNull } from "drizzle-orm";
import type { ChatbotRow } from "../bots/chatbot-for.ts";
import type { Ctx } from "../context.ts";
import { DomainError } from "../errors.ts";

export type { ChatbotRow };

/**
 * The chatbot if it belongs to the caller's workspace and is not deleted (locked when asked);
 * otherwise "not found", never "forbidden" — another workspace's chatbot does not exist for the caller.
 */
export async function getChatbotInWorkspace(
  ctx: Pick<Ctx, "db" | "workspaceId">,
  chatbotId: string,
  options: { forUpdate?: boolean } = {},
): Promise<ChatbotRow> {
  const query = ctx.db
    .select()
    .from(chatbots)
    .where(and(eq(chatbots.id, chatbotId), eq(chatbots.workspaceId, ctx.workspaceId), isNull(chatbots.deletedAt)))
    .limit(1);
  const [row] = options.forUpdate ? await query.for("update") : await query;
  if (!row) throw new DomainError("chatbot_not_found", "Chatbot not found");
  return row;
}
