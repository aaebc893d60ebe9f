import type { Config } from "../config.ts";

/**
 * Where a shop's Admin API lives: `https://{shop}` (the `*.myshopify.com` domain) in production;
 * with `SHOPIFY_API_URL` set (tests, the simulator) that address with `{shop}` replaced by the domain,
 * or with `/{shop}` appended when it has no `{shop}`. Paths follow as on Shopify:
 * `/admin/api/{version}/graphql.json`, `/admin/oauth/access_token`, `/admin/oauth/authorize`.
 */
export function shopifyShopBase(config: Pick<Config, "shopifyApiUrl">, shopDomain: string): string {
  const override = config.shopifyApiUrl?.replace(/\/$/, "");
  if (!override) return `https://${shopDomain}`;
  return override.includes("{shop}") ? override.replaceAll("{shop}", shopDomain) : `${override}/${shopDomain}`;
}
