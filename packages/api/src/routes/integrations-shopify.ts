import { createRoute, z } from "@hono/zod-openapi";
import { ConnectShopifyInput, ShopDomain, ShopifyStoreDto, ShopifyStoreListDto } from "@tandem/contracts";
import {
  completeShopifyOAuth,
  connectShopifyStore,
  DomainError,
  disconnectShopifyStore,
  getShopifyStore,
  listShopifyStores,
  SHOPIFY_OAUTH_COOKIE_PATH,
  SHOPIFY_OAUTH_NONCE_COOKIE,
  SHOPIFY_OAUTH_NONCE_TTL_SECONDS,
  shopifyDeps,
  startShopifyOAuth,
} from "@tandem/core";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { createRouter, errors, json, jsonBody, permit } from "../openapi.ts";
import type { AppEnv } from "../types.ts";

/**
 * Shopify stores of the workspace (admin stack; docs/shopify.md). Reads for members with
 * `chatbots.read`, changes for OWNER/ADMIN (`integrations.manage`, audited). Shopify's webhooks,
 * `POST /api/webhooks/shopify`, belong to the webhook stack (webhooks-shopify.ts).
 */
const IdParam = z.object({ id: z.string().min(1).max(64) });
const OAuthStartQuery = z.object({ shop: ShopDomain });
/** Shopify signs every parameter of the redirect (these and any it adds), so the HMAC reads them all. */
const OAuthCallbackQuery = z.looseObject({
  code: z.string().max(2000).optional(),
  hmac: z.string().max(200).optional(),
  shop: z.string().max(300).optional(),
  state: z.string().max(500).optional(),
  timestamp: z.string().max(40).optional(),
  host: z.string().max(1000).optional(),
});

/** The OAuth flow is bound to this: the session for the dashboard, the token for an API client. */
function caller(c: Context<AppEnv>) {
  const auth = c.get("auth");
  return { binding: auth.sessionId ? `session:${auth.sessionId}` : `token:${auth.tokenId}` };
}

const redirect = (description: string) => ({ 302: { description } });

export function shopifyIntegrationRoutes() {
  const app = createRouter();

  // GET /api/v1/integrations/shopify — the workspace's stores, whether OAuth is available, the webhook URL
  app.openapi(
    createRoute({
      method: "get",
      path: "/integrations/shopify",
      tags: ["shopify"],
      ...permit("chatbots.read"),
      responses: { 200: json(ShopifyStoreListDto), ...errors(401, 403) },
    }),
    async (c) => c.json(await listShopifyStores(c.get("ctx"), shopifyDeps(c.get("runtime"))), 200),
  );

  // POST /api/v1/integrations/shopify/connect — connect with an access token or client credentials
  app.openapi(
    createRoute({
      method: "post",
      path: "/integrations/shopify/connect",
      tags: ["shopify"],
      ...permit("integrations.manage"),
      description:
        "Checks the credentials with Shopify (the `shop` query and the access scopes `read_products`, `read_inventory`) before storing anything; tokens and secrets are stored encrypted and never returned. Connecting a shop already connected in the workspace replaces its credentials. Then registers the webhooks (when a secret can verify them) and queues the full sync.",
      request: jsonBody(ConnectShopifyInput),
      responses: { 201: json(ShopifyStoreDto, "Connected"), ...errors(400, 401, 403, 503) },
    }),
    async (c) =>
      c.json(await connectShopifyStore(c.get("ctx"), c.req.valid("json"), shopifyDeps(c.get("runtime"))), 201),
  );

  // GET /api/v1/integrations/shopify/oauth/start — redirect to the shop's install screen (state bound to the session)
  app.openapi(
    createRoute({
      method: "get",
      path: "/integrations/shopify/oauth/start",
      tags: ["shopify"],
      ...permit("integrations.manage"),
      request: { query: OAuthStartQuery },
      responses: { ...redirect("To Shopify's authorisation screen"), ...errors(400, 401, 403) },
    }),
    async (c) => {
      const runtime = c.get("runtime");
      const { url, nonce } = startShopifyOAuth(
        c.get("ctx"),
        caller(c),
        { shopDomain: c.req.valid("query").shop },
        shopifyDeps(runtime),
      );
      setCookie(c, SHOPIFY_OAUTH_NONCE_COOKIE, nonce, {
        httpOnly: true,
        // Lax: the cookie comes back on the top-level redirect from Shopify, like the session cookie.
        sameSite: "Lax",
        secure: runtime.config.appUrl.startsWith("https://"),
        path: SHOPIFY_OAUTH_COOKIE_PATH,
        maxAge: SHOPIFY_OAUTH_NONCE_TTL_SECONDS,
      });
      return c.redirect(url, 302);
    },
  );

  // GET /api/v1/integrations/shopify/oauth/callback — Shopify comes back here; the store is connected
  app.openapi(
    createRoute({
      method: "get",
      path: "/integrations/shopify/oauth/callback",
      tags: ["shopify"],
      ...permit("integrations.manage"),
      request: { query: OAuthCallbackQuery },
      responses: {
        ...redirect(
          "To Settings → Integrations, with `shopify=connected&store=<storeId>`, or `shopifyError=<message>` when Shopify refused",
        ),
        ...errors(400, 401, 403),
      },
    }),
    async (c) => {
      const runtime = c.get("runtime");
      const settingsUrl = new URL(`${runtime.config.appUrl}/settings/integrations`);
      const nonceCookie = getCookie(c, SHOPIFY_OAUTH_NONCE_COOKIE);
      try {
        const store = await completeShopifyOAuth(
          c.get("ctx"),
          caller(c),
          { query: c.req.query(), nonceCookie },
          shopifyDeps(runtime),
        );
        settingsUrl.searchParams.set("shopify", "connected");
        settingsUrl.searchParams.set("store", store.id);
      } catch (error) {
        // A forged answer (hmac, state) is refused as an error; Shopify's refusals go back to the page.
        if (
          !(error instanceof DomainError) ||
          error.code === "invalid_signature" ||
          error.code === "oauth_state_mismatch"
        ) {
          throw error;
        }
        settingsUrl.searchParams.set("shopifyError", error.message);
      }
      // The flow is over (a forged answer above leaves the real one its cookie).
      deleteCookie(c, SHOPIFY_OAUTH_NONCE_COOKIE, { path: SHOPIFY_OAUTH_COOKIE_PATH });
      return c.redirect(settingsUrl.toString(), 302);
    },
  );

  // GET /api/v1/integrations/shopify/{id} — one store: status, sync progress, webhooks
  app.openapi(
    createRoute({
      method: "get",
      path: "/integrations/shopify/{id}",
      tags: ["shopify"],
      ...permit("chatbots.read"),
      request: { params: IdParam },
      responses: { 200: json(ShopifyStoreDto), ...errors(401, 403, 404) },
    }),
    async (c) => c.json(await getShopifyStore(c.get("ctx"), c.req.valid("param"), shopifyDeps(c.get("runtime"))), 200),
  );

  // DELETE /api/v1/integrations/shopify/{id} — disconnect: webhooks removed at Shopify, catalog and knowledge removed
  app.openapi(
    createRoute({
      method: "delete",
      path: "/integrations/shopify/{id}",
      tags: ["shopify"],
      ...permit("integrations.manage"),
      description:
        "The store stays listed as `disconnected` (its credentials wiped, its products and knowledge source removed); webhooks Shopify would not remove are named in `webhooks.error`.",
      request: { params: IdParam },
      responses: { 200: json(ShopifyStoreDto, "Disconnected"), ...errors(401, 403, 404) },
    }),
    async (c) =>
      c.json(await disconnectShopifyStore(c.get("ctx"), c.req.valid("param"), shopifyDeps(c.get("runtime"))), 200),
  );

  return app;
}
