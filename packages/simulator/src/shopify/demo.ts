/**
 * The simulated store the demo workspace connects to, and the custom app whose credentials reach it
 * (an Admin API access token that never expires, and a client id and secret for the
 * client-credentials grant). The data lives in `@tandem/contracts/demo-shopify-store`, which the demo
 * seed reads too.
 */
import {
  DEMO_SHOPIFY_APP as DEMO_APP,
  DEMO_SHOPIFY_PRODUCTS,
  DEMO_SHOPIFY_SHOP,
} from "@tandem/contracts/demo-shopify-store";
import type { ProductInput, ShopInput, ShopifyAppInput } from "./state.ts";

export const DEMO_SHOPIFY_APP = DEMO_APP satisfies ShopifyAppInput & { accessToken: string };

export const DEMO_PRODUCTS: ProductInput[] = DEMO_SHOPIFY_PRODUCTS;

export const DEMO_SHOP: ShopInput & { domain: string } = { ...DEMO_SHOPIFY_SHOP, products: DEMO_PRODUCTS };
