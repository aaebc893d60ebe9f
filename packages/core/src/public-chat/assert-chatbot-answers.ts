import type { ChatbotRow } from "../bots/chatbot-for.ts";
import { DomainError } from "../errors.ts";

/**
 * Whether a chatbot takes customers' messages on the public routes, by its status:
 * - `active`: from everyone (API keys, visitors on allowed sites);
 * - `testing`: only from the widget preview on the dashboard's own origin — an API key or another
 *   site gets 409 `chatbot_testing`;
 * - `inactive`: from nobody, 409 `chatbot_inactive`.
 * Reading a session's messages stays allowed whatever the status: a customer keeps their history.
 */
export function assertChatbotAnswers(chatbot: Pick<ChatbotRow, "status">, caller: { preview: boolean }): void {
  if (chatbot.status === "active") return;
  if (chatbot.status === "testing") {
    if (caller.preview) return;
    throw new DomainError(
      "chatbot_testing",
      "This chatbot is in testing: only the dashboard's preview can chat with it. Set it to active to take customers' messages.",
    );
  }
  throw new DomainError("chatbot_inactive", "This chatbot is switched off and takes no messages.");
}
