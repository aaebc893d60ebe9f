import type { ModerationSettingsDto, UpdateModerationSettingsInput } from "@tandem/contracts";
import { type WorkspaceSettings, workspaces } from "@tandem/db";
import { eq } from "drizzle-orm";
import { recordAudit } from "../audit/record-audit.ts";
import { type Ctx, withTransaction } from "../context.ts";
import { assertActorCan } from "../members/guard.ts";

/** The moderation settings with their defaults (empty allow-lists) filled in. */
export function moderationSettingsOf(settings: WorkspaceSettings): ModerationSettingsDto {
  return {
    allowedPhones: settings.moderation?.allowedPhones ?? [],
    allowedEmails: settings.moderation?.allowedEmails ?? [],
  };
}

/** Those who review flags read them (the queue shows why a bot answer was not flagged). */
export async function getModerationSettings(ctx: Ctx): Promise<ModerationSettingsDto> {
  assertActorCan(ctx, "moderation.review");
  const [row] = await ctx.db
    .select({ settings: workspaces.settings })
    .from(workspaces)
    .where(eq(workspaces.id, ctx.workspaceId));
  return moderationSettingsOf(row?.settings ?? {});
}

/**
 * OWNER / ADMIN set the shop's own phone numbers and e-mail addresses (each list replaced as given,
 * duplicates dropped); audited as `workspace.moderation_settings.update`. Applies to bot answers
 * stored from now on; flags already raised stay for review.
 */
export async function updateModerationSettings(
  ctx: Ctx,
  input: UpdateModerationSettingsInput,
): Promise<ModerationSettingsDto> {
  assertActorCan(ctx, "settings.manage");
  const unique = (values: string[] | undefined) => (values ? [...new Set(values)] : undefined);
  return withTransaction(ctx, async (tx) => {
    const [row] = await tx.db
      .select({ settings: workspaces.settings })
      .from(workspaces)
      .where(eq(workspaces.id, tx.workspaceId))
      .for("update");
    const current = row?.settings ?? {};
    const before = moderationSettingsOf(current);
    const phones = unique(input.allowedPhones);
    const emails = unique(input.allowedEmails);
    const next: WorkspaceSettings = {
      ...current,
      moderation: {
        ...current.moderation,
        ...(phones ? { allowedPhones: phones } : {}),
        ...(emails ? { allowedEmails: emails } : {}),
      },
    };
    await tx.db.update(workspaces).set({ settings: next }).where(eq(workspaces.id, tx.workspaceId));
    const after = moderationSettingsOf(next);
    await recordAudit(tx, {
      action: "workspace.moderation_settings.update",
      entityType: "workspace",
      entityId: tx.workspaceId,
      before,
      after,
    });
    return after;
  });
}
