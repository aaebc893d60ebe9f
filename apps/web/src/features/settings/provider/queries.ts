"use client";

import {
  BotSettingsDto,
  ProviderSettingsDto,
  type TestProviderInput,
  TestProviderResult,
  type UpdateBotSettingsInput,
  type UpdateProviderSettingsInput,
} from "@tandem/contracts";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, apiFetch } from "@/lib/api";

export const providerKeys = {
  settings: ["settings", "provider"] as const,
  bot: ["settings", "bot"] as const,
};

/** The default chatbot's brand variables, guardrails and memory (effective values). */
export function useBotSettings(enabled = true) {
  return useQuery({
    queryKey: providerKeys.bot,
    queryFn: ({ signal }) => api.get("/api/v1/settings/bot", BotSettingsDto, signal),
    enabled,
  });
}

export function useSaveBotSettings() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: UpdateBotSettingsInput) =>
      apiFetch("/api/v1/settings/bot", { method: "PUT", body: input, schema: BotSettingsDto }),
    onSuccess: (settings) => {
      queryClient.setQueryData(providerKeys.bot, settings);
      // A first save may have created the default chatbot the provider settings belong to.
      void queryClient.invalidateQueries({ queryKey: providerKeys.settings });
    },
  });
}

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
