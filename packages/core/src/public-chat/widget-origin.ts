import type { ChatbotRow } from "../bots/chatbot-for.ts";
import { DomainError } from "../errors.ts";
import { originAllowed } from "./allowed-origin.ts";

/**
 * Whether a page on `origin` may run the chatbot's widget now, by the chatbot's status: `active` on
 * its allowed domains (and the dashboard's own preview), `testing` on the dashboard's preview only,
 * `inactive` nowhere (409 `chatbot_inactive`). A refused origin is 403 `origin_not_allowed`. The
 * config endpoint checks this before issuing a visitor token, the widget socket at its handshake and
 * on every token refresh.
 */
export function assertWidgetOrigin(
  chatbot: Pick<ChatbotRow, "status" | "widgetConfig">,
  origin: string | null | undefined,
  appOrigin: string,
): asserts origin is string {
  assertChatbotServes(chatbot);
  const domains = chatbot.status === "active" ? (chatbot.widgetConfig.allowedDomains ?? []) : [];
  if (!originAllowed(origin, domains, appOrigin)) {
    throw new DomainError(
      "origin_not_allowed",
      chatbot.status === "testing"
        ? "This chatbot is in testing: its widget runs in the dashboard's preview only."
        : "This site is not allowed to use this chatbot's widget (Website → Allowed domains).",
    );
  }
}

/** An `inactive` chatbot answers nobody: 409 `chatbot_inactive`. */
export function assertChatbotServes(chatbot: Pick<ChatbotRow, "status">): void {
  if (chatbot.status === "inactive") {
    throw new DomainError("chatbot_inactive", "This chatbot is inactive: it does not answer anyone.");
  }
}
