import type { InboxSettingsDto, UpdateInboxSettingsInput } from "@tandem/contracts";
import { type WorkspaceSettings, workspaces } from "@tandem/db";
import { eq, type SQL, sql } from "drizzle-orm";
import { recordAudit } from "../audit/record-audit.ts";
import { type Ctx, withTransaction } from "../context.ts";
import { assertActorCan } from "../members/guard.ts";

/** The inbox settings with their defaults filled in. */
export function inboxSettingsOf(settings: WorkspaceSettings): InboxSettingsDto {
  return {
    assignOnReply: settings.inbox?.assignOnReply ?? true,
    autoAssign: settings.inbox?.autoAssign ?? "off",
  };
}

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
  const [row] = await ctx.db
    .select({ settings: workspaces.settings })
    .from(workspaces)
    .where(eq(workspaces.id, ctx.workspaceId));
  return inboxSettingsOf(row?.settings ?? {});
}

/** OWNER / ADMIN change how the inbox behaves; audited as `workspace.inbox_settings.update`. */
export async function updateInboxSettings(ctx: Ctx, input: UpdateInboxSettingsInput): Promise<InboxSettingsDto> {
  assertActorCan(ctx, "settings.manage");
  return withTransaction(ctx, async (tx) => {
    const [row] = await tx.db
      .select({ settings: workspaces.settings })
      .from(workspaces)
      .where(eq(workspaces.id, tx.workspaceId))
      .for("update");
    const current = row?.settings ?? {};
    const before = inboxSettingsOf(current);
    const next: WorkspaceSettings = { ...current, inbox: { ...current.inbox, ...input } };
    await tx.db.update(workspaces).set({ settings: next }).where(eq(workspaces.id, tx.workspaceId));
    const after = inboxSettingsOf(next);
    await recordAudit(tx, {
      action: "workspace.inbox_settings.update",
      entityType: "workspace",
      entityId: tx.workspaceId,
      before,
      after,
    });
    return after;
  });
}
