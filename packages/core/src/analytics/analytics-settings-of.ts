import type { AnalyticsSettingsDto } from "@tandem/contracts";
import type { WorkspaceSettings } from "@tandem/db";

export const DEFAULT_TIME_ZONE = "UTC";

/** A workspace's analytics settings from its `settings` (UTC until someone picks a time zone). */
export function analyticsSettingsOf(settings: WorkspaceSettings): AnalyticsSettingsDto {
  return { timeZone: settings.analytics?.timeZone ?? DEFAULT_TIME_ZONE };
}
