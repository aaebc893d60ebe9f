import type { InboxSettingsDto, UpdateInboxSettingsInput } from "@tandem/contracts";
import { type WorkspaceSettings, workspaces } from "@tandem/db";
import { type SQL, sql } from "drizzle-orm";
import type { Ctx } from "../context.ts";
import { assertActorCan } from "../members/guard.ts";
import { readSettingsSection, type SettingsSection, updateSettingsSection } from "./settings-section.ts";

/** The inbox settings with their defaults filled in. */
export function inboxSettingsOf(settings: WorkspaceSettings): InboxSettingsDto {
  return {
    assignOnReply: settings.inbox?.assignOnReply ?? true,
    autoAssign: settings.inbox?.autoAssign ?? "off",
  };
}

const inboxSection: SettingsSection<InboxSettingsDto> = {
  of: inboxSettingsOf,
  auditAction: "workspace.inbox_settings.update",
};

/**
 * In SQL, for a statement that must not wait for a second round trip: whether replies assign
 * unassigned conversations in this workspace (the default, true, when unset).
 */
export const assignOnReplySql = (workspaceId: string): SQL =>
  sql`(select coalesce((${workspaces.settings} -> 'inbox' ->> 'assignOnReply')::boolean, true) from ${workspaces} where ${workspaces.id} = ${workspaceId})`;

/** In SQL: whether round-robin assignment is on in this workspace (off when unset). */
export const roundRobinSql = (workspaceId: string): SQL =>
  sql`(select coalesce(${workspaces.settings} -> 'inbox' ->> 'autoAssign', 'off') = 'round_robin' from ${workspaces} where ${workspaces.id} = ${workspaceId})`;

export async function getInboxSettings(ctx: Ctx): Promise<InboxSettingsDto> {
  assertActorCan(ctx, "conversations.work");
  return readSettingsSection(ctx, inboxSection);
}

/** OWNER / ADMIN change how the inbox behaves; audited as `workspace.inbox_settings.update`. */
export async function updateInboxSettings(ctx: Ctx, input: UpdateInboxSettingsInput): Promise<InboxSettingsDto> {
  assertActorCan(ctx, "settings.manage");
  const { after } = await updateSettingsSection(ctx, inboxSection, (current) => ({
    ...current,
    inbox: { ...current.inbox, ...input },
  }));
  return after;
}
