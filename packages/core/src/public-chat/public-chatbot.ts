import { chatbots, type Db } from "@tandem/db";
import { and, eq, isNull } from "drizzle-orm";
import type { ChatbotRow } from "../bots/chatbot-for.ts";
import { DomainError } from "../errors.ts";

/**
 * The chatbot a public route names, for callers outside any workspace (the widget, the public API):
 * a deleted or unknown chatbot is 404 `chatbot_not_found`, whatever workspace it was in.
 */
export async function publicChatbot(db: Db, chatbotId: string): Promise<ChatbotRow> {
  const [chatbot] = await db
    .select()
    .from(chatbots)
    .where(and(eq(chatbots.id, chatbotId), isNull(chatbots.deletedAt)))
    .limit(1);
  if (!chatbot) throw new DomainError("chatbot_not_found", "No such chatbot.");
  return chatbot;
}
