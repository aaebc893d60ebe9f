import { createHash, randomBytes } from "node:crypto";
import type { ChatbotApiKeyDto } from "@tandem/contracts";
import { chatbots, type Db } from "@tandem/db";
import { and, eq, isNull } from "drizzle-orm";
import { recordAudit } from "../audit/record-audit.ts";
import type { ChatbotRow } from "../bots/chatbot-for.ts";
import { type Ctx, withTransaction } from "../context.ts";
import { DomainError } from "../errors.ts";
import { assertActorCan } from "../members/guard.ts";
import { getChatbotInWorkspace } from "./get-chatbot-in-workspace.ts";

/**
 * A chatbot's public chat API key (`ck_…`, seed S2): shown once, stored only as its SHA-256 with the
 * last 8 characters as a hint. Looking a key up by its hash needs no constant-time comparison: the
 * hash of a guess tells nothing about the stored one.
 */
export const CHATBOT_KEY_PREFIX = "ck_";
const HINT_LENGTH = 8;

export const hashChatbotKey = (rawKey: string) => createHash("sha256").update(rawKey, "utf8").digest("hex");

/**
 * A new key for the chatbot (OWNER, ADMIN); the old one stops working at once (its hash is replaced
 * in the same update). Audited with the hints, never the key.
 */
export async function regenerateChatbotKey(ctx: Ctx, chatbotId: string): Promise<ChatbotApiKeyDto> {
  assertActorCan(ctx, "chatbots.manage");
  const apiKey = `${CHATBOT_KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
  const apiKeyHint = apiKey.slice(-HINT_LENGTH);
  await withTransaction(ctx, async (tx) => {
    const chatbot = await getChatbotInWorkspace(tx, chatbotId, { forUpdate: true });
    await tx.db
      .update(chatbots)
      .set({ apiKeyHash: hashChatbotKey(apiKey), apiKeyHint })
      .where(and(eq(chatbots.id, chatbot.id), eq(chatbots.workspaceId, tx.workspaceId)));
    await recordAudit(tx, {
      action: "chatbot.regenerate_key",
      entityType: "chatbot",
      entityId: chatbot.id,
      // `keyHint`: the audit redacts fields named like keys (`apiKey…`), and a hint is no secret.
      before: { keyHint: chatbot.apiKeyHint },
      after: { keyHint: apiKeyHint },
    });
  });
  return { apiKey, apiKeyHint };
}

/**
 * The chatbot a public API key belongs to, for the public chat API: any key that is not a current
 * key of a chatbot that still exists — malformed, replaced, or of a deleted chatbot — is a 401
 * `invalid_api_key`. The caller checks that the key is for the chatbot its URL names, and the status.
 * The key is never logged.
 */
export async function authenticateChatbotKey(db: Db, rawKey: string | null | undefined): Promise<ChatbotRow> {
  if (!rawKey?.startsWith(CHATBOT_KEY_PREFIX) || rawKey.length > 200) throw invalidKey();
  const [chatbot] = await db
    .select()
    .from(chatbots)
    .where(and(eq(chatbots.apiKeyHash, hashChatbotKey(rawKey)), isNull(chatbots.deletedAt)))
    .limit(1);
  if (!chatbot) throw invalidKey();
  return chatbot;
}

const invalidKey = () =>
  new DomainError("invalid_api_key", "The API key is not valid: check it or generate a new one.");
