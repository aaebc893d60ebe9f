import type { Config } from "../config.ts";
import type { Keyring } from "../secrets/keyring.ts";

/**
 * What the Shopify verbs need besides `ctx`: the keyring (tokens and secrets are stored encrypted),
 * the server's settings (where Shopify is, the public app, our own address) and the secret that
 * binds an OAuth `state` to the session.
 */
export interface ShopifyDeps {
  keyring: Keyring;
  config: Pick<Config, "shopifyApiUrl" | "shopifyApp" | "appUrl">;
  authSecret: string;
  /** Test hook: the fetch the Shopify calls use instead of the global one. */
  fetch?: typeof fetch | undefined;
}

export const shopifyDeps = (runtime: { keyring: Keyring; config: Config; authSecret: string }): ShopifyDeps => ({
  keyring: runtime.keyring,
  config: runtime.config,
  authSecret: runtime.authSecret,
});

/** Where Shopify delivers webhooks (every store, every workspace: the shop domain header tells them apart). */
export const shopifyWebhookUrl = (appUrl: string) => `${appUrl}/api/webhooks/shopify`;

/**
 * Why Shopify would refuse our webhook address (it delivers to https only), or null. With
 * `SHOPIFY_API_URL` set, calls go to the simulator (or a test double), which delivers to http too.
 */
export function shopifyWebhookUrlProblem(config: Pick<Config, "shopifyApiUrl" | "appUrl">): string | null {
  if (config.shopifyApiUrl || config.appUrl.startsWith("https://")) return null;
  return `Shopify delivers webhooks only to https addresses, and this server's address is ${new URL(config.appUrl).origin}. Set APP_URL to the public https address of this server and connect the store again; until then the store is kept current by the nightly reconcile and resyncs.`;
}
