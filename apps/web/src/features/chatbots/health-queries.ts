"use client";

import { ChatbotHealthDto } from "@tandem/contracts";
import { useQuery } from "@tanstack/react-query";
import { api } from "@/lib/api";

/** How often the chatbot page reads the health again while it is open. */
export const HEALTH_REFRESH_MS = 30_000;

export const chatbotHealthKey = (id: string) => ["chatbots", id, "health"] as const;

/** `GET /chatbots/{id}/health`, read again every 30 seconds while the page is open. */
export function useChatbotHealth(chatbotId: string) {
  return useQuery({
    queryKey: chatbotHealthKey(chatbotId),
    queryFn: ({ signal }) =>
      api.get(`/api/v1/chatbots/${encodeURIComponent(chatbotId)}/health`, ChatbotHealthDto, signal),
    refetchInterval: HEALTH_REFRESH_MS,
  });
}
