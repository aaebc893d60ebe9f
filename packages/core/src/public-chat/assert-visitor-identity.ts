import type { VisitorMetadata } from "@tandem/contracts";
import { contacts, type Db } from "@tandem/db";
import { and, eq } from "drizzle-orm";
import { DomainError } from "../errors.ts";
import { findPublicChannel } from "./public-channel.ts";
import type { PublicSession } from "./public-session.ts";

/**
 * "Require verified identity" (widget settings): a widget visitor sends only after `identify` with a
 * valid `userHash` (kept as `contact.metadata.visitor.verified`); otherwise 403 `identity_required`.
 * API callers are the site's own server: the setting is not theirs.
 */
export async function assertVisitorIdentity(db: Db, session: PublicSession): Promise<void> {
  if (session.kind !== "web" || !session.chatbot.widgetConfig?.requireVerifiedIdentity) return;
  const channel = await findPublicChannel(db, session.chatbot.id, "web");
  const [contact] = channel
    ? await db
        .select({ metadata: contacts.metadata })
        .from(contacts)
        .where(and(eq(contacts.channelId, channel.id), eq(contacts.platformUserId, session.sessionId)))
    : [];
  const visitor = contact?.metadata.visitor as VisitorMetadata | undefined;
  if (visitor?.verified !== true) {
    throw new DomainError("identity_required", "This chat needs you to be signed in on the site before you write.");
  }
}
