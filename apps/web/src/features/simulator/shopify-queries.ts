"use client";

import {
  SimulatorShopifyDeliveries,
  SimulatorShopifyProduct,
  type SimulatorShopifyProductPatch,
  SimulatorShopifyProducts,
  SimulatorShopifyShops,
} from "@tandem/contracts";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "@/lib/api";
import { simulatorKeys } from "./queries";

/** The simulated Shopify platform's control API, served only when the simulator is on. */
const BASE = "/_simulator/_control/shopify";

export const shopifySimulatorKeys = {
  shops: [...simulatorKeys.all, "shopify", "shops"] as const,
  products: (shop: string) => [...simulatorKeys.all, "shopify", "products", shop] as const,
  deliveries: (shop: string) => [...simulatorKeys.all, "shopify", "deliveries", shop] as const,
};

/** The simulated shops; the demo shop comes first. */
export function useShopifySimulatorShops() {
  return useQuery({
    queryKey: shopifySimulatorKeys.shops,
    queryFn: ({ signal }) => api.get(`${BASE}/shops`, SimulatorShopifyShops, signal),
  });
}

export function useShopifySimulatorProducts(shop: string | undefined) {
  return useQuery({
    queryKey: shopifySimulatorKeys.products(shop ?? ""),
    queryFn: ({ signal }) => api.get(`${BASE}/shops/${shop}/products`, SimulatorShopifyProducts, signal),
    enabled: Boolean(shop),
  });
}

/** The webhooks the simulated shop sent, newest first, polled while deliveries are pending. */
export function useShopifySimulatorDeliveries(shop: string | undefined) {
  return useQuery({
    queryKey: shopifySimulatorKeys.deliveries(shop ?? ""),
    queryFn: async ({ signal }) => {
      const { data } = await api.get(`${BASE}/deliveries?shop=${shop}`, SimulatorShopifyDeliveries, signal);
      return data.slice(-10).reverse();
    },
    enabled: Boolean(shop),
    refetchInterval: (query) => (query.state.data?.some((d) => d.state === "pending") ? 1000 : 5000),
    refetchIntervalInBackground: false,
  });
}

/** Changes a product's prices or stock; the simulated shop sends `products/update` to subscribed apps. */
export function useUpdateShopifySimulatorProduct(shop: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { productId: number } & SimulatorShopifyProductPatch) =>
      api.patch(
        `${BASE}/shops/${shop}/products/${input.productId}`,
        { variants: input.variants },
        SimulatorShopifyProduct,
      ),
    onSettled: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: shopifySimulatorKeys.products(shop) }),
        queryClient.invalidateQueries({ queryKey: shopifySimulatorKeys.deliveries(shop) }),
      ]),
  });
}
