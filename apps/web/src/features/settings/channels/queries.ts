"use client";

import {
  ChannelDto,
  ChannelListResponse,
  type ConnectMessengerOAuthPagesInput,
  ConnectMessengerOAuthPagesResponse,
  type ConnectMessengerPageInput,
  MessengerOAuthPagesResponse,
  MessengerWebhookSetup,
  WebhookVerificationTest,
} from "@tandem/contracts";
import { type QueryClient, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "@/lib/api";

export const channelKeys = {
  all: ["channels"] as const,
  list: ["channels", "list"] as const,
  messengerWebhook: ["channels", "messenger-webhook"] as const,
  oauthPages: (oauth: string) => ["channels", "messenger-oauth-pages", oauth] as const,
};

/** Webhook health changes with every event the Page sends: the list is polled while the page is open. */
export const CHANNELS_POLL_MS = 10_000;

/** The workspace's connected channels (disconnected ones are history and left out). */
export function useChannels(enabled = true) {
  return useQuery({
    queryKey: channelKeys.list,
    queryFn: ({ signal }) => api.get("/api/v1/channels", ChannelListResponse, signal),
    enabled,
    refetchInterval: CHANNELS_POLL_MS,
  });
}

/** Messenger's app-level webhook: callback URL, configuration, Pages sending events nobody connected. */
export function useMessengerWebhookSetup(enabled = true) {
  return useQuery({
    queryKey: channelKeys.messengerWebhook,
    queryFn: ({ signal }) => api.get("/api/v1/channels/messenger/webhook", MessengerWebhookSetup, signal),
    enabled,
    refetchInterval: CHANNELS_POLL_MS,
  });
}

/**
 * "Test verification": the server sends Meta's verification GET to its own public callback URL. The
 * verdict comes back either way (`ok`); the panel's "last verified" line follows from the refetch.
 */
export function useTestWebhookVerification() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api.post("/api/v1/channels/messenger/webhook/verify", undefined, WebhookVerificationTest),
    onSettled: () => queryClient.invalidateQueries({ queryKey: channelKeys.messengerWebhook }),
  });
}

/** Puts the server's fresh copy of a channel into the cached list, then refetches to be sure. */
function storeChannel(queryClient: QueryClient, channel: ChannelDto) {
  queryClient.setQueryData<ChannelListResponse>(channelKeys.list, (list) => {
    if (!list) return list;
    const known = list.data.some((c) => c.id === channel.id);
    return {
      ...list,
      data: known ? list.data.map((c) => (c.id === channel.id ? channel : c)) : [...list.data, channel],
    };
  });
}

function useInvalidateChannels() {
  const queryClient = useQueryClient();
  // `all`: the list, and the webhook panel's unconnected Pages, which a connection changes.
  return () => queryClient.invalidateQueries({ queryKey: channelKeys.all });
}

const channelPath = (id: string, action?: "subscribe" | "unsubscribe") =>
  `/api/v1/channels/${encodeURIComponent(id)}${action ? `/${action}` : ""}`;

/** Subscribe (`subscribed: true`) or unsubscribe the app from the Page's webhook. */
export function useSetSubscription() {
  const queryClient = useQueryClient();
  const invalidate = useInvalidateChannels();
  return useMutation({
    mutationFn: ({ id, subscribed }: { id: string; subscribed: boolean }) =>
      api.post(channelPath(id, subscribed ? "subscribe" : "unsubscribe"), undefined, ChannelDto),
    onSuccess: (channel) => storeChannel(queryClient, channel),
    // A failure may have changed the channel too (an expired token marks it "reconnect needed").
    onSettled: invalidate,
  });
}

export function useDisconnectChannel() {
  const queryClient = useQueryClient();
  const invalidate = useInvalidateChannels();
  return useMutation({
    mutationFn: (id: string) => api.delete(channelPath(id)),
    onSuccess: (_data, id) => {
      queryClient.setQueryData<ChannelListResponse>(channelKeys.list, (list) =>
        list ? { ...list, data: list.data.filter((c) => c.id !== id) } : list,
      );
    },
    onSettled: invalidate,
  });
}

/** Connect (or reconnect) a Page with its id and a Page access token pasted by the admin. */
export function useConnectMessengerPage() {
  const queryClient = useQueryClient();
  const invalidate = useInvalidateChannels();
  return useMutation({
    mutationFn: (input: ConnectMessengerPageInput) => api.post("/api/v1/channels/messenger/connect", input, ChannelDto),
    onSuccess: async (channel) => {
      storeChannel(queryClient, channel);
      await invalidate();
    },
  });
}

/** The Pages offered by a finished Facebook Login (`?oauth=<id>` on the way back). */
export function useMessengerOAuthPages(oauth: string | null) {
  return useQuery({
    queryKey: channelKeys.oauthPages(oauth ?? ""),
    queryFn: ({ signal }) =>
      api.get(
        `/api/v1/channels/messenger/oauth/pages?oauth=${encodeURIComponent(oauth ?? "")}`,
        MessengerOAuthPagesResponse,
        signal,
      ),
    enabled: Boolean(oauth),
    // The Login result expires after 15 minutes; a second attempt will not bring it back.
    retry: false,
    staleTime: Number.POSITIVE_INFINITY,
  });
}

export function useConnectMessengerOAuthPages() {
  const queryClient = useQueryClient();
  const invalidate = useInvalidateChannels();
  return useMutation({
    mutationFn: (input: ConnectMessengerOAuthPagesInput) =>
      api.post("/api/v1/channels/messenger/oauth/connect", input, ConnectMessengerOAuthPagesResponse),
    onSuccess: async (result, input) => {
      for (const channel of result.data) storeChannel(queryClient, channel);
      await Promise.all([
        invalidate(),
        queryClient.invalidateQueries({ queryKey: channelKeys.oauthPages(input.oauth) }),
      ]);
    },
  });
}
