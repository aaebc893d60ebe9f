"use client";

import { ApiTokenCreated, ApiTokenDto, type CreateApiTokenInput, page } from "@tandem/contracts";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "@/lib/api";

export const tokenKeys = {
  all: ["tokens"] as const,
};

const ApiTokenPage = page(ApiTokenDto);

/** The caller's personal API tokens (the server returns them all in one page). */
export function useApiTokens() {
  return useQuery({
    queryKey: tokenKeys.all,
    queryFn: ({ signal }) => api.get("/api/v1/tokens", ApiTokenPage, signal),
  });
}

export function useCreateApiToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: CreateApiTokenInput) => api.post("/api/v1/tokens", input, ApiTokenCreated),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: tokenKeys.all }),
  });
}

export function useRevokeApiToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.delete(`/api/v1/tokens/${encodeURIComponent(id)}`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: tokenKeys.all }),
  });
}
