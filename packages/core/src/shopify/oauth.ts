import { createHmac, randomBytes } from "node:crypto";
import { normalizeShopDomain, SHOPIFY_REQUIRED_SCOPES, type ShopifyStoreDto } from "@tandem/contracts";
import { hmac, safeEqual } from "../auth/crypto.ts";
import type { Ctx } from "../context.ts";
import { DomainError } from "../errors.ts";
import { assertActorCan } from "../members/guard.ts";
import { exchangeOAuthCode } from "./access-token.ts";
import { checkShopifyConnection } from "./check-connection.ts";
import { shopifyErrorToDomain } from "./errors.ts";
import { saveShopifyConnection } from "./save-connection.ts";
import { shopifyShopBase } from "./shop-url.ts";
import { shopifyAdminApiWithToken } from "./shopify-client.ts";
import type { ShopifyDeps } from "./shopify-deps.ts";

/**
 * Installing the public app (`SHOPIFY_API_KEY` / `SHOPIFY_API_SECRET`) on a shop with OAuth:
 *
 * 1. `start` → 302 to `{shop}/admin/oauth/authorize` with our scopes and a `state` bound to the
 *    caller's session, workspace and shop: a random nonce goes into a short-lived httpOnly cookie and
 *    `state = nonce.HMAC(AUTH_SECRET, binding, workspace, shop, nonce)`.
 * 2. `callback`: Shopify's HMAC of the query (hex HMAC-SHA256 with the app secret over the other
 *    parameters sorted, `hmac` left out) is checked, then the state against the cookie and the
 *    session, then the code is exchanged for an expiring offline token (an hour, with a refresh token
 *    that shopify-client.ts uses to renew it), which is checked and stored like any other connect. A
 *    forged query or state changes nothing.
 */
export const SHOPIFY_OAUTH_NONCE_COOKIE = "tandem_shopify_oauth_state";
/** The cookie is sent only to the OAuth routes. */
export const SHOPIFY_OAUTH_COOKIE_PATH = "/api/v1/integrations/shopify/oauth";
export const SHOPIFY_OAUTH_NONCE_TTL_SECONDS = 10 * 60;

export const shopifyOAuthRedirectUri = (appUrl: string) => `${appUrl}/api/v1/integrations/shopify/oauth/callback`;

/** Who the flow belongs to: the session id for the dashboard, the token id for an API token. */
export interface ShopifyOAuthCaller {
  binding: string;
}

const stateMac = (deps: ShopifyDeps, caller: ShopifyOAuthCaller, workspaceId: string, shop: string, nonce: string) =>
  hmac(deps.authSecret, `shopify-oauth:${caller.binding}:${workspaceId}:${shop}:${nonce}`);

function appOf(deps: ShopifyDeps) {
  const app = deps.config.shopifyApp;
  if (!app) {
    throw new DomainError(
      "shopify_app_not_configured",
      "Installing with OAuth needs SHOPIFY_API_KEY and SHOPIFY_API_SECRET on the server; set them, or connect the store with an access token or client credentials",
    );
  }
  return app;
}

/** Step 1: Shopify's authorisation URL and the nonce the caller keeps in its cookie. */
export function startShopifyOAuth(
  ctx: Ctx,
  caller: ShopifyOAuthCaller,
  input: { shopDomain: string },
  deps: ShopifyDeps,
): { url: string; nonce: string } {
  assertActorCan(ctx, "integrations.manage");
  const app = appOf(deps);
  const nonce = randomBytes(16).toString("base64url");
  const url = new URL(`${shopifyShopBase(deps.config, input.shopDomain)}/admin/oauth/authorize`);
  url.searchParams.set("client_id", app.apiKey);
  url.searchParams.set("scope", SHOPIFY_REQUIRED_SCOPES.join(","));
  url.searchParams.set("redirect_uri", shopifyOAuthRedirectUri(deps.config.appUrl));
  url.searchParams.set("state", `${nonce}.${stateMac(deps, caller, ctx.workspaceId, input.shopDomain, nonce)}`);
  return { url: url.toString(), nonce };
}

/**
 * Shopify's signature of a redirect's query: hex HMAC-SHA256 (app secret) of the other parameters,
 * sorted by name, as `name=value` joined by `&`. Compared in constant time.
 */
export function verifyShopifyQueryHmac(query: Record<string, string>, secret: string): boolean {
  const { hmac: given, signature: _signature, ...rest } = query;
  if (!given) return false;
  const message = Object.keys(rest)
    .sort()
    .map((key) => `${key}=${rest[key]}`)
    .join("&");
  const expected = createHmac("sha256", secret).update(message).digest("hex");
  return safeEqual(given.toLowerCase(), expected);
}

/** Step 2: checks the query's HMAC and the state, exchanges the code, and connects the store. */
export async function completeShopifyOAuth(
  ctx: Ctx,
  caller: ShopifyOAuthCaller,
  input: { query: Record<string, string>; nonceCookie: string | undefined },
  deps: ShopifyDeps,
): Promise<ShopifyStoreDto> {
  assertActorCan(ctx, "integrations.manage");
  const app = appOf(deps);
  if (!verifyShopifyQueryHmac(input.query, app.apiSecret)) {
    throw new DomainError(
      "invalid_signature",
      "This answer from Shopify is not signed by the app (hmac): nothing was connected. Start again from Settings → Integrations.",
    );
  }
  const shopDomain = normalizeShopDomain(input.query.shop ?? "");
  const [nonce = "", mac = ""] = (input.query.state ?? "").split(".");
  if (
    !shopDomain ||
    !nonce ||
    !input.nonceCookie ||
    !safeEqual(nonce, input.nonceCookie) ||
    !safeEqual(mac, stateMac(deps, caller, ctx.workspaceId, shopDomain, nonce))
  ) {
    throw new DomainError(
      "oauth_state_mismatch",
      "This Shopify install does not belong to your session. Start again from Settings → Integrations.",
    );
  }
  const code = input.query.code;
  if (!code) throw new DomainError("oauth_denied", "Shopify returned no authorisation code");

  const http = { config: deps.config, fetch: deps.fetch, log: ctx.log };
  const token = await exchangeOAuthCode(http, {
    shopDomain,
    clientId: app.apiKey,
    clientSecret: app.apiSecret,
    code,
  }).catch((error) => {
    throw shopifyErrorToDomain(error);
  });
  const shop = await checkShopifyConnection(shopifyAdminApiWithToken(http, shopDomain, token.accessToken));
  return saveShopifyConnection(
    ctx,
    {
      shopDomain,
      authMethod: "oauth",
      accessToken: token.accessToken,
      accessTokenExpiresAt: token.expiresAt,
      refreshToken: token.refreshToken,
      refreshTokenExpiresAt: token.refreshTokenExpiresAt,
      shop,
    },
    deps,
  );
}
