import { createHmac } from "node:crypto";
import type { PublicIdentifyInput } from "@tandem/contracts";
import type { Db } from "@tandem/db";
import { safeEqual } from "../auth/crypto.ts";
import type { ChatbotRow } from "../bots/chatbot-for.ts";
import { publishConversation } from "../conversations/publish.ts";
import { DomainError } from "../errors.ts";
import type { RealtimePublisher } from "../realtime.ts";
import type { Keyring } from "../secrets/keyring.ts";
import { latestConversationId, updateVisitor, widgetContact } from "./widget-contact.ts";

export interface IdentifyVisitorDeps {
  db: Db;
  keyring: Keyring;
  realtime?: RealtimePublisher | undefined;
}

/** The `userHash` a site's server computes: hex HMAC-SHA256 of the user id, keyed by the identity secret. */
export const identityHash = (secret: string, userId: string) =>
  createHmac("sha256", secret).update(userId, "utf8").digest("hex");

/**
 * `identify` from the widget (Chatwoot's and Intercom's identity verification): the visitor says who
 * they are on the site. With a `userHash` and an identity secret set, the hash must be the HMAC of
 * `userId` (compared in constant time), else 401 `identity_unverified` and nothing is stored. Without
 * a hash, or while the chatbot has no secret, the identity is kept as unverified. Stored on the
 * session's contact (made on first need): `metadata.visitor` {userId, email, verified}, and the
 * contact's name and email for the inbox.
 */
export async function identifyVisitor(
  deps: IdentifyVisitorDeps,
  chatbot: ChatbotRow,
  sessionId: string,
  input: PublicIdentifyInput,
): Promise<{ verified: boolean }> {
  let verified = false;
  if (input.userHash && chatbot.identitySecretEncrypted) {
    const secret = deps.keyring.decrypt(chatbot.identitySecretEncrypted);
    if (!safeEqual(input.userHash.toLowerCase(), identityHash(secret, input.userId))) {
      throw new DomainError(
        "identity_unverified",
        "userHash is not the HMAC-SHA256 of userId with this chatbot's identity secret.",
      );
    }
    verified = true;
  }
  const contact = await widgetContact(deps.db, chatbot, sessionId, { create: true });
  await updateVisitor(
    deps.db,
    contact.id,
    { userId: input.userId, email: input.email ?? null, verified },
    { ...(input.name ? { name: input.name } : {}), ...(input.email ? { email: input.email } : {}) },
  );
  if (deps.realtime) {
    const conversationId = await latestConversationId(deps.db, contact.id);
    if (conversationId) await publishConversation(deps.realtime, deps.db, contact.workspaceId, conversationId);
  }
  return { verified };
}
