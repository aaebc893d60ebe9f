import type { AnalyticsSettingsDto } from "@tandem/contracts";
import { type WorkspaceSettings, workspaces } from "@tandem/db";
import { eq } from "drizzle-orm";
import { recordAudit } from "../audit/record-audit.ts";
import { type Ctx, withTransaction } from "../context.ts";
import { DomainError } from "../errors.ts";
import { assertActorCan } from "../members/guard.ts";
import { analyticsSettingsOf } from "./analytics-settings-of.ts";
import { refreshAnalytics } from "./refresh-analytics.ts";

/** The IANA name as `Intl` spells it (`asia/bangkok` → `Asia/Bangkok`), or null when it is not one. */
export function canonicalTimeZone(name: string): string | null {
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

export async function getAnalyticsSettings(ctx: Ctx): Promise<AnalyticsSettingsDto> {
  assertActorCan(ctx, "analytics.read");
  const [row] = await ctx.db
    .select({ settings: workspaces.settings })
    .from(workspaces)
    .where(eq(workspaces.id, ctx.workspaceId));
  return analyticsSettingsOf(row?.settings ?? {});
}

/**
 * OWNER / ADMIN set the time zone of the analytics' days; audited as
 * `workspace.analytics_settings.update`. The daily rollups are rebuilt in the new zone (a job, and
 * in any case on the next read).
 */
export async function updateAnalyticsSettings(ctx: Ctx, input: AnalyticsSettingsDto): Promise<AnalyticsSettingsDto> {
  assertActorCan(ctx, "settings.manage");
  const timeZone = canonicalTimeZone(input.timeZone);
  if (!timeZone) {
    throw new DomainError("invalid_time_zone", `"${input.timeZone}" is not an IANA time zone (e.g. Asia/Bangkok)`, {
      details: { timeZone: input.timeZone },
    });
  }
  const { after, changed } = await withTransaction(ctx, async (tx) => {
    const [row] = await tx.db
      .select({ settings: workspaces.settings })
      .from(workspaces)
      .where(eq(workspaces.id, tx.workspaceId))
      .for("update");
    const current = row?.settings ?? {};
    const before = analyticsSettingsOf(current);
    const next: WorkspaceSettings = { ...current, analytics: { ...current.analytics, timeZone } };
    await tx.db.update(workspaces).set({ settings: next }).where(eq(workspaces.id, tx.workspaceId));
    const after = analyticsSettingsOf(next);
    await recordAudit(tx, {
      action: "workspace.analytics_settings.update",
      entityType: "workspace",
      entityId: tx.workspaceId,
      before,
      after,
    });
    return { after, changed: before.timeZone !== after.timeZone };
  });
  if (changed && ctx.queue) {
    await ctx.queue
      .enqueue(refreshAnalytics, { workspaceId: ctx.workspaceId }, { workspaceId: ctx.workspaceId })
      .catch((err: unknown) =>
        ctx.log.warn({ err }, "could not enqueue the analytics rebuild (done on the next read)"),
      );
  }
  return after;
}
