import type { ModerationSettingsDto, UpdateModerationSettingsInput } from "@tandem/contracts";
import type { WorkspaceSettings } from "@tandem/db";
import type { Ctx } from "../context.ts";
import { assertActorCan } from "../members/guard.ts";
import { readSettingsSection, type SettingsSection, updateSettingsSection } from "../workspaces/settings-section.ts";

/** The moderation settings with their defaults (empty allow-lists) filled in. */
export function moderationSettingsOf(settings: WorkspaceSettings): ModerationSettingsDto {
  return {
    allowedPhones: settings.moderation?.allowedPhones ?? [],
    allowedEmails: settings.moderation?.allowedEmails ?? [],
  };
}

const moderationSection: SettingsSection<ModerationSettingsDto> = {
  of: moderationSettingsOf,
  auditAction: "workspace.moderation_settings.update",
};

/** Those who review flags read them (the queue shows why a bot answer was not flagged). */
export async function getModerationSettings(ctx: Ctx): Promise<ModerationSettingsDto> {
  assertActorCan(ctx, "moderation.review");
  return readSettingsSection(ctx, moderationSection);
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
  const phones = unique(input.allowedPhones);
  const emails = unique(input.allowedEmails);
  const { after } = await updateSettingsSection(ctx, moderationSection, (current) => ({
    ...current,
    moderation: {
      ...current.moderation,
      ...(phones ? { allowedPhones: phones } : {}),
      ...(emails ? { allowedEmails: emails } : {}),
    },
  }));
  return after;
}
