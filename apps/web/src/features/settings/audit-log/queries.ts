import { AuditLogFilters, AuditLogResponse } from "@tandem/contracts";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { api } from "@/lib/api";

/** What the page filters by; empty strings mean "any". `from` / `to` are ISO times. */
export interface AuditLogSearch {
  actor: string;
  action: string;
  entityType: string;
  entityId: string;
  from: string;
  to: string;
}

export const auditLogKeys = {
  all: ["audit-log"] as const,
  list: (search: AuditLogSearch) => ["audit-log", "list", search] as const,
  filters: ["audit-log", "filters"] as const,
};

export function useAuditLog(search: AuditLogSearch, enabled: boolean) {
  return useInfiniteQuery({
    queryKey: auditLogKeys.list(search),
    queryFn: ({ pageParam, signal }) => {
      const params = new URLSearchParams({ limit: "50" });
      for (const [key, value] of Object.entries(search)) if (value) params.set(key, value);
      if (pageParam) params.set("cursor", pageParam);
      return api.get(`/api/v1/audit-log?${params}`, AuditLogResponse, signal);
    },
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    enabled,
  });
}

export function useAuditLogFilters(enabled: boolean) {
  return useQuery({
    queryKey: auditLogKeys.filters,
    queryFn: ({ signal }) => api.get("/api/v1/audit-log/filters", AuditLogFilters, signal),
    enabled,
  });
}
