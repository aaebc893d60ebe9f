import type { Db } from "@tandem/db";
import { DomainError } from "../errors.ts";
import { PUBLIC_KINDS } from "./public-channel.ts";
import type { PublicSession } from "./public-session.ts";
import { visitorMetadata, widgetContact } from "./widget-contact.ts";

/**
 * "Require verified identity" (widget settings): a widget visitor sends only after `identify` with a
 * valid `userHash` (kept as `contact.metadata.visitor.verified`); otherwise 403 `identity_required`,
 * before anything is stored. API callers are the site's own server: the setting is not theirs.
 */
export async function assertVisitorIdentity(db: Db, session: PublicSession): Promise<void> {
  if (!PUBLIC_KINDS[session.kind].identityVerified || !session.chatbot.widgetConfig?.requireVerifiedIdentity) return;
  const contact = await widgetContact(db, session.chatbot, session.sessionId);
  if (visitorMetadata(contact).verified !== true) {
    throw new DomainError(
      "identity_required",
      "This chat needs a verified identity: the site must call Tandem.identify with a valid userHash first.",
    );
  }
}
