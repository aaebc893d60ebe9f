import type { Config } from "../config.ts";
import { shopifyShopBase } from "./shop-url.ts";
import { ShopifyApiError } from "./shopify-api.ts";

/**
 * Tokens from `POST {shop}/admin/oauth/access_token`: the client-credentials grant of a Dev Dashboard
 * app (a token that expires, usually after 24 hours) and the OAuth code exchange of a public app (an
 * offline token that does not). Both answer `{access_token, scope, expires_in?}`.
 */
export interface ShopifyAccessToken {
  accessToken: string;
  /** The granted scopes, as Shopify lists them (comma-separated in the answer). */
  scopes: string[];
  /** Null when the token does not expire. */
  expiresAt: Date | null;
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

/** The OAuth install's last step: the authorisation code for an offline access token. */
export function exchangeOAuthCode(
  deps: ShopifyHttpDeps,
  input: { shopDomain: string; clientId: string; clientSecret: string; code: string },
): Promise<ShopifyAccessToken> {
  return requestToken(deps, input.shopDomain, {
    client_id: input.clientId,
    client_secret: input.clientSecret,
    code: input.code,
  });
}

async function requestToken(
  deps: ShopifyHttpDeps,
  shopDomain: string,
  form: Record<string, string>,
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
    throw new ShopifyApiError(
      "unauthorized",
      `Shopify refused the credentials for ${shopDomain}${detail}: check the client id and secret and that the app is installed on this store`,
      { status },
    );
  }
  if (typeof body.access_token !== "string" || !body.access_token) {
    throw new ShopifyApiError("invalid", "Shopify's token answer has no access_token", { status: res.status });
  }
  const expiresIn = typeof body.expires_in === "number" && body.expires_in > 0 ? body.expires_in : null;
  return {
    accessToken: body.access_token,
    scopes: parseScopes(body.scope),
    expiresAt: expiresIn ? new Date(Date.now() + expiresIn * 1000) : null,
  };
}

export function parseScopes(value: unknown): string[] {
  if (typeof value !== "string") return [];
  return value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}
