"use client";

import {
  type ConnectShopifyInput,
  ShopifyStoreDto,
  ShopifyStoreListDto,
  type ShopifyUpdatedEvent,
  SOCKET_EVENTS,
} from "@tandem/contracts";
import { type QueryClient, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { io } from "socket.io-client";
import { api } from "@/lib/api";

const BASE = "/api/v1/integrations/shopify";

export const shopifyKeys = {
  all: ["integrations", "shopify"] as const,
};

/** While a sync runs the list is also read every few seconds, besides the live events. */
const SYNCING_POLL_MS = 3000;

/**
 * The workspace's Shopify stores, whether the server can run the OAuth install, and the webhook
 * address. Live events keep it current; while a sync runs it is read again every few seconds too, so
 * a list fetched during a short sync that arrives after the sync's last event cannot leave the page
 * showing "Syncing" for good.
 */
export function useShopifyStores() {
  return useQuery({
    queryKey: shopifyKeys.all,
    queryFn: ({ signal }) => api.get(BASE, ShopifyStoreListDto, signal),
    refetchInterval: (query) =>
      query.state.data?.stores.some((s) => s.sync.state === "running") ? SYNCING_POLL_MS : false,
  });
}

function putStore(queryClient: QueryClient, store: ShopifyStoreDto) {
  queryClient.setQueryData<ShopifyStoreListDto>(shopifyKeys.all, (list) => {
    if (!list) return list;
    const known = list.stores.some((s) => s.id === store.id);
    return {
      ...list,
      stores: known ? list.stores.map((s) => (s.id === store.id ? store : s)) : [...list.stores, store],
    };
  });
}

export function useConnectShopify() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: ConnectShopifyInput) => api.post(`${BASE}/connect`, input, ShopifyStoreDto),
    onSuccess: (store) => {
      putStore(queryClient, store);
      void queryClient.invalidateQueries({ queryKey: shopifyKeys.all });
    },
  });
}

export function useResyncShopify() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (storeId: string) => api.post(`${BASE}/${encodeURIComponent(storeId)}/sync`),
    onSettled: () => queryClient.invalidateQueries({ queryKey: shopifyKeys.all }),
  });
}

export function useDisconnectShopify() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (storeId: string) => api.delete(`${BASE}/${encodeURIComponent(storeId)}`),
    onSettled: () => queryClient.invalidateQueries({ queryKey: shopifyKeys.all }),
  });
}

/** Where the browser goes to install the public app on a shop (the server redirects to Shopify). */
export function oauthStartUrl(shopDomain: string): string {
  return `${BASE}/oauth/start?shop=${encodeURIComponent(shopDomain)}`;
}

/**
 * Live sync progress and status: each `shopify:updated` goes into the cache (a removed store leaves
 * it); on every (re)connection the list is refetched so nothing that moved meanwhile is missed.
 */
export function useShopifyRealtime(): void {
  const queryClient = useQueryClient();
  useEffect(() => {
    const socket = io({ path: "/socket.io", withCredentials: true });
    socket.on("connect", () => {
      void queryClient.invalidateQueries({ queryKey: shopifyKeys.all });
    });
    socket.on(SOCKET_EVENTS.shopifyUpdated, (payload: ShopifyUpdatedEvent) => {
      if (!payload || typeof payload.storeId !== "string") return;
      if (payload.store === null) {
        queryClient.setQueryData<ShopifyStoreListDto>(shopifyKeys.all, (list) =>
          list ? { ...list, stores: list.stores.filter((s) => s.id !== payload.storeId) } : list,
        );
        return;
      }
      const store = ShopifyStoreDto.safeParse(payload.store);
      if (store.success) putStore(queryClient, store.data);
    });
    return () => {
      socket.disconnect();
    };
  }, [queryClient]);
}
