import { chatbots, type conversations, type Db } from "@tandem/db";
import { and, eq, isNull } from "drizzle-orm";

export type ChatbotRow = typeof chatbots.$inferSelect;

/** The conversation's chatbot, else the workspace's default one; deleted chatbots do not count. */
export async function chatbotFor(
  db: Db,
  conversation: Pick<typeof conversations.$inferSelect, "workspaceId" | "chatbotId">,
): Promise<ChatbotRow | undefined> {
  const live = and(eq(chatbots.workspaceId, conversation.workspaceId), isNull(chatbots.deletedAt));
  if (conversation.chatbotId) {
    const [own] = await db
      .select()
      .from(chatbots)
      .where(and(live, eq(chatbots.id, conversation.chatbotId)))
      .limit(1);
    if (own) return own;
  }
  const [fallback] = await db
    .select()
    .from(chatbots)
    .where(and(live, eq(chatbots.isDefault, true)))
    .limit(1);
  return fallback;
}
