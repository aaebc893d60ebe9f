import type { Db } from "@tandem/db";
import type { ChatbotRow } from "../bots/chatbot-for.ts";
import { DomainError } from "../errors.ts";
import { visitorMetadata, widgetContact } from "./widget-contact.ts";

/**
 * With the chatbot's "require verified identity" on, a widget visitor may send only after an
 * `identify` with a valid `userHash` (403 `identity_required`). The public chat routes call it for
 * visitor callers before anything is stored; API-key callers are the site's own server and are not
 * asked.
 */
export async function assertVisitorMaySend(db: Db, chatbot: ChatbotRow, sessionId: string): Promise<void> {
  if (!chatbot.widgetConfig.requireVerifiedIdentity) return;
  const contact = await widgetContact(db, chatbot, sessionId);
  if (visitorMetadata(contact).verified !== true) {
    throw new DomainError(
      "identity_required",
      "This chat needs a verified identity: the site must call Tandem.identify with a valid userHash first.",
    );
  }
}
