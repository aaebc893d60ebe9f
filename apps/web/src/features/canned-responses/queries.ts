"use client";

import {
  CannedResponseDto,
  CannedResponseList,
  type CreateCannedResponseInput,
  type UpdateCannedResponseInput,
} from "@tandem/contracts";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "@/lib/api";

export const cannedResponseKeys = {
  all: ["canned-responses"] as const,
};

/**
 * The whole library (a workspace keeps at most a few hundred). Search is done in the browser: the
 * settings page filters by words, the composer ranks with the fuzzy matcher.
 */
export function useCannedResponses(enabled = true) {
  return useQuery({
    queryKey: cannedResponseKeys.all,
    queryFn: ({ signal }) => api.get("/api/v1/canned-responses", CannedResponseList, signal),
    enabled,
    staleTime: 60_000,
  });
}

function useInvalidate() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: cannedResponseKeys.all });
}

export function useCreateCannedResponse() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (input: CreateCannedResponseInput) => api.post("/api/v1/canned-responses", input, CannedResponseDto),
    onSuccess: invalidate,
  });
}

export function useUpdateCannedResponse() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ id, ...input }: UpdateCannedResponseInput & { id: string }) =>
      api.patch(`/api/v1/canned-responses/${encodeURIComponent(id)}`, input, CannedResponseDto),
    onSuccess: invalidate,
  });
}

export function useDeleteCannedResponse() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (id: string) => api.delete(`/api/v1/canned-responses/${encodeURIComponent(id)}`),
    onSuccess: invalidate,
  });
}
