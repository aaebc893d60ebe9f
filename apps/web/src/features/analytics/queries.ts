"use client";

import { type AnalyticsQuery, AnalyticsResponse, AnalyticsSettingsDto } from "@tandem/contracts";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "@/lib/api";

export const analyticsKeys = {
  all: ["analytics"] as const,
  report: (query: AnalyticsQuery) => ["analytics", "report", query] as const,
  settings: ["settings", "analytics"] as const,
};

export function analyticsPath(query: AnalyticsQuery): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value) params.set(key, value);
  const search = params.toString();
  return `/api/v1/analytics${search ? `?${search}` : ""}`;
}

/** The workspace's analytics for the filters; the previous numbers stay on screen while new ones load. */
export function useAnalytics(query: AnalyticsQuery, enabled: boolean) {
  return useQuery({
    queryKey: analyticsKeys.report(query),
    queryFn: ({ signal }) => api.get(analyticsPath(query), AnalyticsResponse, signal),
    placeholderData: keepPreviousData,
    enabled,
  });
}

export function useAnalyticsSettings(enabled: boolean) {
  return useQuery({
    queryKey: analyticsKeys.settings,
    queryFn: ({ signal }) => api.get("/api/v1/settings/analytics", AnalyticsSettingsDto, signal),
    enabled,
  });
}

/** A new time zone: the days are counted anew, so every report is fetched again. */
export function useUpdateAnalyticsSettings() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: AnalyticsSettingsDto) => api.patch("/api/v1/settings/analytics", input, AnalyticsSettingsDto),
    onSuccess: (dto) => {
      queryClient.setQueryData(analyticsKeys.settings, dto);
      void queryClient.invalidateQueries({ queryKey: analyticsKeys.all });
    },
  });
}
