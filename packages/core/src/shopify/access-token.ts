import type { Config } from "../config.ts";
import { shopifyShopBase } from "./shop-url.ts";
import { ShopifyApiError } from "./shopify-api.ts";

/**
 * Tokens from `POST {shop}/admin/oauth/access_token`: the client-credentials grant of a Dev Dashboard
 * app (a token that expires, usually after 24 hours), the OAuth code exchange of a public app and the
 * refresh grant. The answer is `{access_token, scope, expires_in?, refresh_token?,
 * refresh_token_expires_in?}`: an expiring offline token (asked with `expiring=1`) lasts an hour and
 * comes with a refresh token (90 days), which Shopify replaces at every refresh.
 */
export interface ShopifyAccessToken {
  accessToken: string;
  /** The granted scopes, as Shopify lists them (comma-separated in the answer). */
  scopes: string[];
  /** Null when the token does not expire. */
  expiresAt: Date | null;
  /** An expiring offline token's refresh token; null for every other token. */
  refreshToken: string | null;
  /** When the refresh token expires; null when Shopify did not say. */
  refreshTokenExpiresAt: Date | null;
}

export interface ShopifyHttpDeps {
  config: Pick<Config, "shopifyApiUrl">;
  /** Test hook: the fetch to use instead of the global one. */
  fetch?: typeof fetch | undefined;
}

const TOKEN_TIMEOUT_MS = 15_000;

/** The client-credentials grant: a fresh token for the app installed on `shopDomain`. */
export function requestClientCredentialsToken(
  deps: ShopifyHttpDeps,
  input: { shopDomain: string; clientId: string; clientSecret: string },
): Promise<ShopifyAccessToken> {
  return requestToken(deps, input.shopDomain, {
    grant_type: "client_credentials",
    client_id: input.clientId,
    client_secret: input.clientSecret,
  });
}

/**
 * The OAuth install's last step: the authorisation code for an expiring offline token (`expiring=1`),
 * which public apps must use from 2027-01-01 (Shopify refuses non-expiring ones from public apps
 * then). Without the parameter Shopify issues a token that never expires.
 */
export function exchangeOAuthCode(
  deps: ShopifyHttpDeps,
  input: { shopDomain: string; clientId: string; clientSecret: string; code: string },
): Promise<ShopifyAccessToken> {
  return requestToken(deps, input.shopDomain, {
    client_id: input.clientId,
    client_secret: input.clientSecret,
    code: input.code,
    expiring: "1",
  });
}

/**
 * The refresh grant: a new expiring offline token and a new refresh token for the stored refresh
 * token. Shopify refusing it (expired, revoked, the app uninstalled) is an `unauthorized` error; only
 * a new install gets the store a token again.
 */
export function refreshOfflineToken(
  deps: ShopifyHttpDeps,
  input: { shopDomain: string; clientId: string; clientSecret: string; refreshToken: string },
): Promise<ShopifyAccessToken> {
  return requestToken(
    deps,
    input.shopDomain,
    {
      client_id: input.clientId,
      client_secret: input.clientSecret,
      grant_type: "refresh_token",
      refresh_token: input.refreshToken,
    },
    (detail) =>
      `Shopify no longer accepts Tandem's refresh token for ${input.shopDomain}${detail}. Install the app on the store again: Settings → Integrations → Connect Shopify → Install app.`,
  );
}

/** `refused`: the message when Shopify refuses the grant (400 / 401), given Shopify's reason as ` (…)`. */
async function requestToken(
  deps: ShopifyHttpDeps,
  shopDomain: string,
  form: Record<string, string>,
  refused: (detail: string) => string = (detail) =>
    `Shopify refused the credentials for ${shopDomain}${detail}: check the client id and secret and that the app is installed on this store`,
): Promise<ShopifyAccessToken> {
  const url = `${shopifyShopBase(deps.config, shopDomain)}/admin/oauth/access_token`;
  let res: Response;
  try {
    res = await (deps.fetch ?? fetch)(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: new URLSearchParams(form).toString(),
      signal: AbortSignal.timeout(TOKEN_TIMEOUT_MS),
    });
  } catch (cause) {
    throw new ShopifyApiError("unavailable", `Shopify did not answer the token request for ${shopDomain}`, { cause });
  }
  const text = await res.text().catch(() => "");
  let body: Record<string, unknown> = {};
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    // Not JSON: a proxy's error page; the status says what happened.
  }
  if (!res.ok) {
    const reason = [body.error, body.error_description, body.errors]
      .filter((v) => typeof v === "string" && v)
      .join(": ");
    const status = res.status;
    const detail = reason ? ` (${reason})` : "";
    if (status === 404)
      throw new ShopifyApiError("not_found", `No Shopify store answers at ${shopDomain}${detail}`, { status });
    if (status === 429 || status >= 500)
      throw new ShopifyApiError(
        status === 429 ? "throttled" : "unavailable",
        `Shopify's token endpoint answered ${status}${detail}`,
        { status },
      );
    if (status === 403)
      throw new ShopifyApiError("forbidden", `Shopify refused the token request${detail}`, { status });
    const oauthError = typeof body.error === "string" ? body.error : null;
    throw new ShopifyApiError("unauthorized", refused(detail), { status, oauthError });
  }
  if (typeof body.access_token !== "string" || !body.access_token) {
    throw new ShopifyApiError("invalid", "Shopify's token answer has no access_token", { status: res.status });
  }
  const now = Date.now();
  const expiresIn = positiveSeconds(body.expires_in);
  const refreshExpiresIn = positiveSeconds(body.refresh_token_expires_in);
  const refreshToken = typeof body.refresh_token === "string" && body.refresh_token ? body.refresh_token : null;
  return {
    accessToken: body.access_token,
    scopes: parseScopes(body.scope),
    expiresAt: expiresIn ? new Date(now + expiresIn * 1000) : null,
    refreshToken,
    refreshTokenExpiresAt: refreshToken && refreshExpiresIn ? new Date(now + refreshExpiresIn * 1000) : null,
  };
}

/** A lifetime in seconds from a token answer (a number, or a numeric string); null when absent. */
function positiveSeconds(value: unknown): number | null {
  const n = typeof value === "string" ? Number(value) : value;
  return typeof n === "number" && Number.isFinite(n) && n > 0 ? n : null;
}

export function parseScopes(value: unknown): string[] {
  if (typeof value !== "string") return [];
  return value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}
