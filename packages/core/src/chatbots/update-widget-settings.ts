import type { UpdateWidgetSettingsInput, WidgetSettingsDto } from "@tandem/contracts";
import { chatbots, type WidgetConfig } from "@tandem/db";
import { and, eq } from "drizzle-orm";
import { recordAudit } from "../audit/record-audit.ts";
import { type Ctx, withTransaction } from "../context.ts";
import { DomainError } from "../errors.ts";
import { assertActorCan } from "../members/guard.ts";
import { sanitizeCustomCss } from "./custom-css.ts";
import { getChatbotInWorkspace } from "./get-chatbot-in-workspace.ts";
import { resolveWidgetTheme, type WidgetSettingsDeps, widgetSettingsToDto } from "./widget-settings.ts";

/**
 * Changes the given widget settings (OWNER, ADMIN), merged into `chatbot.widget_config`: a partial
 * theme changes only its fields, other keys (suggested questions) stay. Domains are kept lower-case
 * and once each; custom CSS is sanitised (`custom-css.ts`). Requiring verified identity needs an
 * identity secret (400 `identity_secret_required`). Audited with the changed settings before and after.
 */
export async function updateWidgetSettings(
  ctx: Ctx,
  chatbotId: string,
  input: UpdateWidgetSettingsInput,
  deps: Pick<WidgetSettingsDeps, "appUrl">,
): Promise<WidgetSettingsDto> {
  assertActorCan(ctx, "chatbots.manage");
  return withTransaction(ctx, async (tx) => {
    const chatbot = await getChatbotInWorkspace(tx, chatbotId, { forUpdate: true });
    const current = chatbot.widgetConfig;
    const next: WidgetConfig = { ...current };
    if (input.theme) next.theme = { ...resolveWidgetTheme(current.theme), ...input.theme };
    if (input.allowedDomains) next.allowedDomains = [...new Set(input.allowedDomains)];
    if (input.customCss !== undefined) next.customCss = sanitizeCustomCss(input.customCss);
    if (input.requireVerifiedIdentity !== undefined) next.requireVerifiedIdentity = input.requireVerifiedIdentity;
    if (input.requireVerifiedIdentity && chatbot.identitySecretEncrypted === null) {
      // Nobody could be verified: the widget would refuse every visitor.
      const message = "Generate an identity secret first: without one no visitor can be verified.";
      throw new DomainError("identity_secret_required", message, {
        details: [{ path: "requireVerifiedIdentity", code: "identity_secret_required", message }],
      });
    }
    const [row] = await tx.db
      .update(chatbots)
      .set({ widgetConfig: next })
      .where(and(eq(chatbots.id, chatbot.id), eq(chatbots.workspaceId, tx.workspaceId)))
      .returning();
    const before = widgetSettingsToDto(chatbot, deps.appUrl);
    const after = widgetSettingsToDto(row!, deps.appUrl);
    const changed = (Object.keys(input) as (keyof UpdateWidgetSettingsInput)[]).filter((k) => input[k] !== undefined);
    await recordAudit(tx, {
      action: "chatbot.update_widget",
      entityType: "chatbot",
      entityId: chatbot.id,
      before: Object.fromEntries(changed.map((k) => [k, before[k]])),
      after: Object.fromEntries(changed.map((k) => [k, after[k]])),
    });
    return after;
  });
}
