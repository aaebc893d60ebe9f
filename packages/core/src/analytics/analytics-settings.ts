import type { AnalyticsSettingsDto } from "@tandem/contracts";
import type { Ctx } from "../context.ts";
import { DomainError } from "../errors.ts";
import { assertActorCan } from "../members/guard.ts";
import { readSettingsSection, type SettingsSection, updateSettingsSection } from "../workspaces/settings-section.ts";
import { analyticsSettingsOf } from "./analytics-settings-of.ts";
import { refreshAnalytics } from "./refresh-analytics.ts";

const analyticsSection: SettingsSection<AnalyticsSettingsDto> = {
  of: analyticsSettingsOf,
  auditAction: "workspace.analytics_settings.update",
};

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
  return readSettingsSection(ctx, analyticsSection);
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
  const { before, after } = await updateSettingsSection(ctx, analyticsSection, (current) => ({
    ...current,
    analytics: { ...current.analytics, timeZone },
  }));
  const changed = before.timeZone !== after.timeZone;
  if (changed && ctx.queue) {
    await ctx.queue
      .enqueue(refreshAnalytics, { workspaceId: ctx.workspaceId }, { workspaceId: ctx.workspaceId })
      .catch((err: unknown) =>
        ctx.log.warn({ err }, "could not enqueue the analytics rebuild (done on the next read)"),
      );
  }
  return after;
}
