"use client";

import {
  FlagDto,
  FlagList,
  type FlagMessageInput,
  type FlagSource,
  type FlagType,
  ModerationSettingsDto,
  type ReviewFlagInput,
  type UpdateModerationSettingsInput,
} from "@tandem/contracts";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { inboxKeys } from "@/features/inbox/cache";
import { api } from "@/lib/api";

export interface FlagFilters {
  status: "open" | "reviewed";
  type?: FlagType | undefined;
  source?: FlagSource | undefined;
}

export const moderationKeys = {
  all: ["moderation"] as const,
  queue: (filters: FlagFilters) => ["moderation", "flags", filters] as const,
  openCount: ["moderation", "open-count"] as const,
};

/** The review queue, a page at a time (newest first). */
export function useFlagQueue(filters: FlagFilters) {
  return useInfiniteQuery({
    queryKey: moderationKeys.queue(filters),
    queryFn: ({ pageParam, signal }) => {
      const params = new URLSearchParams({ status: filters.status, limit: "30" });
      if (filters.type) params.set("type", filters.type);
      if (filters.source) params.set("source", filters.source);
      if (pageParam) params.set("cursor", pageParam);
      return api.get(`/api/v1/moderation/flags?${params}`, FlagList, signal);
    },
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
}

/** Open flags (escalated ones included), for the nav badge; refreshed every minute and after each decision. */
export function useOpenFlagCount(enabled = true) {
  return useQuery({
    queryKey: moderationKeys.openCount,
    queryFn: ({ signal }) => api.get("/api/v1/moderation/flags?status=open&limit=1", FlagList, signal),
    select: (list) => list.openCount,
    refetchInterval: 60_000,
    enabled,
  });
}

export function useReviewFlag() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...body }: ReviewFlagInput & { id: string }) =>
      api.post(`/api/v1/moderation/flags/${encodeURIComponent(id)}/review`, body, FlagDto),
    onSuccess: (flag) => {
      void queryClient.invalidateQueries({ queryKey: moderationKeys.all });
      void queryClient.invalidateQueries({ queryKey: inboxKeys.messages(flag.conversation.id) });
    },
  });
}

/** An agent flags a message from the inbox; the thread refetches to show the marker. */
export function useFlagMessage(conversationId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ messageId, ...body }: FlagMessageInput & { messageId: string }) =>
      api.post(`/api/v1/messages/${encodeURIComponent(messageId)}/flags`, body, FlagDto),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: inboxKeys.messages(conversationId) });
      void queryClient.invalidateQueries({ queryKey: moderationKeys.all });
    },
  });
}

const moderationSettingsKey = ["settings", "moderation"] as const;

/** The shop's own contact details, which bot answers may give out without a flag. */
export function useModerationSettings() {
  return useQuery({
    queryKey: moderationSettingsKey,
    queryFn: ({ signal }) => api.get("/api/v1/settings/moderation", ModerationSettingsDto, signal),
  });
}

export function useUpdateModerationSettings() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: UpdateModerationSettingsInput) =>
      api.patch("/api/v1/settings/moderation", input, ModerationSettingsDto),
    onSuccess: (dto) => queryClient.setQueryData(moderationSettingsKey, dto),
  });
}
