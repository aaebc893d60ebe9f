"use client";

import { IdentitySecretDto, type UpdateWidgetSettingsInput, WidgetSettingsDto } from "@tandem/contracts";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "@/lib/api";

export const widgetKeys = {
  settings: (id: string) => ["chatbots", id, "widget"] as const,
  loader: (id: string) => ["chatbots", id, "widget", "loader"] as const,
};

const base = (id: string) => `/api/v1/chatbots/${encodeURIComponent(id)}/widget`;

/** The path of the real widget's loader for a chatbot (what the embed snippet loads). */
export const widgetLoaderPath = (chatbotId: string) =>
  `/api/v1/public/widget/${encodeURIComponent(chatbotId)}/loader.js`;

/** The website widget settings (owners and admins). */
export function useWidgetSettings(chatbotId: string) {
  return useQuery({
    queryKey: widgetKeys.settings(chatbotId),
    queryFn: ({ signal }) => api.get(base(chatbotId), WidgetSettingsDto, signal),
  });
}

export function useUpdateWidgetSettings(chatbotId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: UpdateWidgetSettingsInput) => api.patch(base(chatbotId), input, WidgetSettingsDto),
    onSuccess: (settings) => queryClient.setQueryData(widgetKeys.settings(chatbotId), settings),
  });
}

/** A new identity secret: the response is the only place it is ever shown. */
export function useRegenerateIdentitySecret(chatbotId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api.post(`${base(chatbotId)}/identity-secret`, undefined, IdentitySecretDto),
    onSuccess: () => {
      queryClient.setQueryData(widgetKeys.settings(chatbotId), (current: WidgetSettingsDto | undefined) =>
        current ? { ...current, identitySecretSet: true } : current,
      );
    },
  });
}

/**
 * Whether this server serves the widget's loader (the bundle is built with the rest of the app; a
 * checkout without it answers 404). The preview says "not built" instead of showing an empty frame.
 */
export function useWidgetLoaderAvailable(chatbotId: string) {
  return useQuery({
    queryKey: widgetKeys.loader(chatbotId),
    queryFn: async ({ signal }) => {
      const res = await fetch(widgetLoaderPath(chatbotId), { method: "GET", cache: "no-store", signal });
      const type = res.headers.get("content-type") ?? "";
      return res.ok && type.includes("javascript");
    },
    staleTime: 60_000,
  });
}
