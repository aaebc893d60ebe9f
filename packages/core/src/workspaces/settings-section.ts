import type { Db, WorkspaceSettings } from "@tandem/db";
import { workspaces } from "@tandem/db";
import { eq } from "drizzle-orm";
import { recordAudit } from "../audit/record-audit.ts";
import { type Ctx, withTransaction } from "../context.ts";

/**
 * A section of a workspace's `settings` JSON (inbox, moderation, analytics …): how to read it with its
 * defaults filled in, and the audit action its updates are recorded under.
 */
export interface SettingsSection<Dto> {
  /** The section with its defaults from the whole settings (an unset section reads as defaults). */
  of: (settings: WorkspaceSettings) => Dto;
  /** e.g. `workspace.inbox_settings.update`. */
  auditAction: string;
}

/** A workspace's `settings` (`{}` when it has none); `forUpdate` locks the row until the transaction ends. */
export async function loadWorkspaceSettings(
  db: Db,
  workspaceId: string,
  options: { forUpdate?: boolean } = {},
): Promise<WorkspaceSettings> {
  const query = db.select({ settings: workspaces.settings }).from(workspaces).where(eq(workspaces.id, workspaceId));
  const [row] = await (options.forUpdate ? query.for("update") : query);
  return row?.settings ?? {};
}

/** The section of the context's workspace, defaults filled in. The caller checks the permission. */
export async function readSettingsSection<Dto>(ctx: Ctx, section: SettingsSection<Dto>): Promise<Dto> {
  return section.of(await loadWorkspaceSettings(ctx.db, ctx.workspaceId));
}

/**
 * Replaces the workspace's settings with `change(current)` under a row lock (so two updates of
 * different sections do not lose each other's change) and records the section before and after in
 * the same transaction. The caller checks the permission and validates the input first.
 */
export async function updateSettingsSection<Dto>(
  ctx: Ctx,
  section: SettingsSection<Dto>,
  change: (current: WorkspaceSettings) => WorkspaceSettings,
): Promise<{ before: Dto; after: Dto }> {
  return withTransaction(ctx, async (tx) => {
    const current = await loadWorkspaceSettings(tx.db, tx.workspaceId, { forUpdate: true });
    const next = change(current);
    await tx.db.update(workspaces).set({ settings: next }).where(eq(workspaces.id, tx.workspaceId));
    const before = section.of(current);
    const after = section.of(next);
    await recordAudit(tx, {
      action: section.auditAction,
      entityType: "workspace",
      entityId: tx.workspaceId,
      before,
      after,
    });
    return { before, after };
  });
}
