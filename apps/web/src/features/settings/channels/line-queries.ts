"use client";

import {
  ChannelDto,
  type ConfigureLineInput,
  LineChatbotsResponse,
  LineStatus,
  LineWebhookEndpointResult,
  LineWebhookTestResult,
} from "@tandem/contracts";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "@/lib/api";
import { channelKeys } from "./queries";

export const lineKeys = {
  all: [...channelKeys.all, "line"] as const,
  chatbots: [...channelKeys.all, "line", "chatbots"] as const,
  status: (chatbotId: string) => [...channelKeys.all, "line", "status", chatbotId] as const,
};

/** Each status read asks LINE four things live: polled gently while the page is open. */
export const LINE_STATUS_POLL_MS = 30_000;

const linePath = (chatbotId: string, what: "config" | "status" | "webhook-endpoint" | "webhook-test") =>
  `/api/v1/integrations/line/${encodeURIComponent(chatbotId)}/${what}`;

/** The workspace's chatbots, each with its LINE channel (one per chatbot). */
export function useLineChatbots(enabled = true) {
  return useQuery({
    queryKey: lineKeys.chatbots,
    queryFn: ({ signal }) => api.get("/api/v1/integrations/line", LineChatbotsResponse, signal),
    enabled,
  });
}

export function useLineStatus(chatbotId: string | null) {
  return useQuery({
    queryKey: lineKeys.status(chatbotId ?? ""),
    queryFn: ({ signal }) => api.get(linePath(chatbotId ?? "", "status"), LineStatus, signal),
    enabled: Boolean(chatbotId),
    refetchInterval: LINE_STATUS_POLL_MS,
  });
}

/** Everything under `channels` — the list, the LINE chatbots and statuses — changes with a LINE channel. */
function useInvalidateChannels() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: channelKeys.all });
}

/** Connects the chatbot's LINE channel, or updates its credentials (omitted secrets are kept). */
export function useConfigureLine(chatbotId: string) {
  const invalidate = useInvalidateChannels();
  return useMutation({
    mutationFn: (input: ConfigureLineInput) => api.put(linePath(chatbotId, "config"), input, ChannelDto),
    onSettled: invalidate,
  });
}

export function useSetLineWebhookEndpoint(chatbotId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api.post(linePath(chatbotId, "webhook-endpoint"), undefined, LineWebhookEndpointResult),
    onSettled: () => queryClient.invalidateQueries({ queryKey: lineKeys.status(chatbotId) }),
  });
}

/** LINE's own test of the URL set on it; the verdict is the result (a failed test is not an error). */
export function useTestLineWebhook(chatbotId: string) {
  return useMutation({
    mutationFn: () => api.post(linePath(chatbotId, "webhook-test"), undefined, LineWebhookTestResult),
  });
}
