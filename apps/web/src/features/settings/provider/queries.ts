"use client";

import {
  ProviderSettingsDto,
  type TestProviderInput,
  TestProviderResult,
  type UpdateProviderSettingsInput,
} from "@tandem/contracts";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, apiFetch } from "@/lib/api";

export const providerKeys = {
  settings: ["settings", "provider"] as const,
};

/** The default chatbot's provider settings; keys come back as hints only. */
export function useProviderSettings(enabled = true) {
  return useQuery({
    queryKey: providerKeys.settings,
    queryFn: ({ signal }) => api.get("/api/v1/settings/provider", ProviderSettingsDto, signal),
    enabled,
  });
}

export function useSaveProviderSettings() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: UpdateProviderSettingsInput) =>
      apiFetch("/api/v1/settings/provider", { method: "PUT", body: input, schema: ProviderSettingsDto }),
    onSuccess: (settings) => queryClient.setQueryData(providerKeys.settings, settings),
  });
}

/** "Test connection": the verdict is the response (200 whether the provider answered or not). */
export function useTestProvider() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: TestProviderInput) => api.post("/api/v1/providers/test", input, TestProviderResult),
    // Testing the stored credential records its result.
    onSettled: () => queryClient.invalidateQueries({ queryKey: providerKeys.settings }),
  });
}
