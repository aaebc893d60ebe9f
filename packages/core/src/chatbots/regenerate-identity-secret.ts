import { randomBytes } from "node:crypto";
import type { IdentitySecretDto } from "@tandem/contracts";
import { chatbots } from "@tandem/db";
import { and, eq } from "drizzle-orm";
import { recordAudit } from "../audit/record-audit.ts";
import { type Ctx, withTransaction } from "../context.ts";
import { assertActorCan } from "../members/guard.ts";
import { getChatbotInWorkspace } from "./get-chatbot-in-workspace.ts";
import type { WidgetSettingsDeps } from "./widget-settings.ts";

/**
 * A new identity verification secret for the widget (OWNER, ADMIN): 32 random bytes as hex, stored
 * encrypted with the keyring and returned only here. The previous secret stops verifying at once, so
 * the site's server must sign user ids with the new one. Audited without the secret.
 */
export async function regenerateIdentitySecret(
  ctx: Ctx,
  chatbotId: string,
  deps: Pick<WidgetSettingsDeps, "keyring">,
): Promise<IdentitySecretDto> {
  assertActorCan(ctx, "chatbots.manage");
  const identitySecret = randomBytes(32).toString("hex");
  await withTransaction(ctx, async (tx) => {
    const chatbot = await getChatbotInWorkspace(tx, chatbotId, { forUpdate: true });
    await tx.db
      .update(chatbots)
      .set({ identitySecretEncrypted: deps.keyring.encrypt(identitySecret) })
      .where(and(eq(chatbots.id, chatbot.id), eq(chatbots.workspaceId, tx.workspaceId)));
    await recordAudit(tx, {
      action: "chatbot.regenerate_identity_secret",
      entityType: "chatbot",
      entityId: chatbot.id,
      before: { identitySecretSet: chatbot.identitySecretEncrypted !== null },
      after: { identitySecretSet: true },
    });
  });
  return { identitySecret };
}
