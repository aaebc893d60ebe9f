import { SHOPIFY_API_VERSION } from "@tandem/contracts";
import { type Db, shopifyStores } from "@tandem/db";
import { eq } from "drizzle-orm";
import type { Config } from "../config.ts";
import type { Logger } from "../logger.ts";
import { type Keyring, maskSecret } from "../secrets/keyring.ts";
import {
  refreshOfflineToken,
  requestClientCredentialsToken,
  type ShopifyAccessToken,
  type ShopifyHttpDeps,
} from "./access-token.ts";
import { shopifyShopBase } from "./shop-url.ts";
import {
  type ShopifyAdminApi,
  ShopifyApiError,
  type ShopifyGraphqlResult,
  ShopifyReconnectRequired,
} from "./shopify-api.ts";

/**
 * The GraphQL Admin API client behind `ShopifyAdminApi` (shopify-api.ts), on plain `fetch`.
 *
 * - **Throttling.** Shopify meters cost in a leaky bucket and reports it on every answer
 *   (`extensions.cost.throttleStatus`). Before a call the client estimates what has refilled since the
 *   last answer and, when that is below the last query's cost, waits for the difference; a throttled
 *   answer (HTTP 429 with `Retry-After`, or `errors[{extensions.code: "THROTTLED"}]`) waits as long as
 *   Retry-After or the bucket's refill says, then tries again.
 * - **Transient failures** (5xx, network, timeouts) are retried with exponential backoff and jitter.
 * - **Tokens.** A token that expires within 5 minutes is renewed first (and once more after a 401, in
 *   case it was revoked early), stored encrypted on the store row: a client-credentials token is asked
 *   again, an OAuth install's expiring offline token is refreshed with its refresh token (Shopify
 *   answers with a new refresh token too, stored with it in the same update). One renewal at a time
 *   per store: in-process by a shared promise, across processes by a row lock under which the expiry
 *   is read again (another process may have just renewed it). A refresh token Shopify refuses, or one
 *   past its expiry, marks the store `error` with the reason (install the app again) and is dropped,
 *   so nothing asks Shopify with it again. Tokens that never expire are used as they are.
 * - Anything retrying cannot fix is a `ShopifyApiError`; waits longer than `maxWaitMs` are given up as
 *   retryable `throttled` errors so a job backs off instead of holding a worker.
 */

export type ShopifyStoreRow = typeof shopifyStores.$inferSelect;

export interface ShopifyClientDeps extends ShopifyHttpDeps {
  /** `shopifyApp`: the public app whose client id and secret refresh an OAuth install's token. */
  config: Pick<Config, "shopifyApiUrl" | "shopifyApp">;
  db: Db;
  log: Logger;
  keyring: Keyring;
  /** Aborts waits and requests (a job's signal when the worker stops). */
  signal?: AbortSignal | undefined;
}

/** Refresh a token this close to its expiry. */
export const TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;
const REQUEST_TIMEOUT_MS = 30_000;
const MAX_TRANSIENT_RETRIES = 4;
const MAX_THROTTLE_RETRIES = 8;
/** The longest single wait the client sits through; a longer Retry-After is left to the caller's retry. */
const MAX_WAIT_MS = 30_000;

interface TokenSource {
  get(): Promise<string>;
  /** After a 401: get a new token if this kind of token can be renewed; false when it cannot. */
  renew(): Promise<boolean>;
}

/** A connected store's Admin API (see the module comment and `ShopifyAdminApi`). */
export function shopifyAdminApi(deps: ShopifyClientDeps, store: ShopifyStoreRow): ShopifyAdminApi {
  return createGraphqlClient(deps, store.shopDomain, storeTokenSource(deps, store));
}

/**
 * The Admin API with a token that is not stored yet: the connection check before a store row exists.
 * The token is not renewed.
 */
export function shopifyAdminApiWithToken(
  deps: ShopifyHttpDeps & { log: Logger; signal?: AbortSignal | undefined },
  shopDomain: string,
  accessToken: string,
): ShopifyAdminApi {
  return createGraphqlClient(deps, shopDomain, { get: async () => accessToken, renew: async () => false });
}

const inFlightRefreshes = new Map<string, Promise<StoredToken>>();

interface StoredToken {
  accessToken: string;
  expiresAt: Date | null;
}

function storeTokenSource(deps: ShopifyClientDeps, store: ShopifyStoreRow): TokenSource {
  let current: StoredToken = {
    accessToken: deps.keyring.decrypt(store.accessTokenEncrypted),
    expiresAt: store.accessTokenExpiresAt,
  };
  // Client credentials are asked again; an OAuth install's expiring token is refreshed (or, once its
  // refresh token is gone, fails with the reason the store was marked with).
  const renewable =
    store.authMethod === "client_credentials" ||
    store.refreshTokenEncrypted !== null ||
    store.accessTokenExpiresAt !== null;
  const refresh = async (force: boolean) => {
    let pending = inFlightRefreshes.get(store.id);
    if (!pending) {
      pending = refreshStoreToken(deps, store.id, force ? current.accessToken : null).finally(() =>
        inFlightRefreshes.delete(store.id),
      );
      inFlightRefreshes.set(store.id, pending);
    }
    current = await pending;
  };
  return {
    async get() {
      if (renewable && expiresSoon(current.expiresAt)) await refresh(false);
      return current.accessToken;
    },
    async renew() {
      if (!renewable) return false;
      await refresh(true);
      return true;
    },
  };
}

const expiresSoon = (expiresAt: Date | null) =>
  expiresAt !== null && expiresAt.getTime() - Date.now() < TOKEN_REFRESH_MARGIN_MS;

/**
 * Under the store row's lock: keeps the stored token when another process renewed it meanwhile (it no
 * longer expires soon and is not the one `rejected` by Shopify), else renews it — client credentials,
 * or the refresh grant — and stores it encrypted. A refresh token that is refused or expired marks
 * the store for reconnection in the same transaction, and the caller gets the reason as an
 * `unauthorized` error.
 */
async function refreshStoreToken(
  deps: ShopifyClientDeps,
  storeId: string,
  rejected: string | null,
): Promise<StoredToken> {
  const outcome = await deps.db.transaction(async (tx): Promise<StoredToken | { reconnect: string }> => {
    const [row] = await tx.select().from(shopifyStores).where(eq(shopifyStores.id, storeId)).for("update");
    if (!row || row.status === "disconnected") {
      throw new ShopifyApiError("unauthorized", "This Shopify store is no longer connected");
    }
    const stored = deps.keyring.decrypt(row.accessTokenEncrypted);
    if (!expiresSoon(row.accessTokenExpiresAt) && stored !== rejected) {
      return { accessToken: stored, expiresAt: row.accessTokenExpiresAt };
    }
    let token: ShopifyAccessToken;
    if (row.clientId && row.clientSecretEncrypted) {
      token = await requestClientCredentialsToken(deps, {
        shopDomain: row.shopDomain,
        clientId: row.clientId,
        clientSecret: deps.keyring.decrypt(row.clientSecretEncrypted),
      });
    } else if (row.refreshTokenEncrypted) {
      const refreshed = await refreshWithRefreshToken(deps, row);
      if ("reconnect" in refreshed) {
        await tx
          .update(shopifyStores)
          .set({
            status: "error",
            statusReason: refreshed.reconnect,
            refreshTokenEncrypted: null,
            refreshTokenExpiresAt: null,
            updatedAt: new Date(),
          })
          .where(eq(shopifyStores.id, storeId));
        deps.log.warn(
          { storeId, shopDomain: row.shopDomain, reason: refreshed.reconnect },
          "shopify store needs reconnecting",
        );
        return refreshed;
      }
      token = refreshed;
    } else if (row.authMethod === "oauth") {
      // An expiring token whose refresh token was dropped when the store was marked for reconnection:
      // the reason it was marked with, without a call.
      throw new ShopifyReconnectRequired(
        row.statusReason ??
          `The token of ${row.shopDomain} expired and no refresh token is stored. Install the app on the store again: Settings → Integrations → Connect Shopify → Install app.`,
      );
    } else {
      throw new ShopifyApiError(
        "unauthorized",
        `The token of ${row.shopDomain} expired and nothing is stored to renew it: connect the store again`,
      );
    }
    await tx
      .update(shopifyStores)
      .set({
        accessTokenEncrypted: deps.keyring.encrypt(token.accessToken),
        accessTokenHint: maskSecret(token.accessToken),
        accessTokenExpiresAt: token.expiresAt,
        // The refresh answer's new refresh token replaces the old one in the same write: losing it
        // would leave the store with a refresh token Shopify is about to retire.
        ...(token.refreshToken
          ? {
              refreshTokenEncrypted: deps.keyring.encrypt(token.refreshToken),
              refreshTokenExpiresAt: token.refreshTokenExpiresAt,
            }
          : {}),
        ...(token.scopes.length > 0 ? { scopes: token.scopes } : {}),
      })
      .where(eq(shopifyStores.id, storeId));
    deps.log.info({ storeId, shopDomain: row.shopDomain, expiresAt: token.expiresAt }, "shopify token refreshed");
    return { accessToken: token.accessToken, expiresAt: token.expiresAt };
  });
  if ("reconnect" in outcome) throw new ShopifyReconnectRequired(outcome.reconnect);
  return outcome;
}

/**
 * The refresh grant for an OAuth install, with the public app's credentials. `reconnect`: the refresh
 * token is past its expiry or Shopify refused it, and only a new install helps. Shopify being down
 * or throttling is thrown as it is (retryable), and so is a server without the public app configured.
 */
async function refreshWithRefreshToken(
  deps: ShopifyClientDeps,
  row: ShopifyStoreRow,
): Promise<ShopifyAccessToken | { reconnect: string }> {
  if (row.refreshTokenExpiresAt && row.refreshTokenExpiresAt.getTime() <= Date.now()) {
    return {
      reconnect: `The refresh token for ${row.shopDomain} expired on ${row.refreshTokenExpiresAt.toISOString().slice(0, 10)} (Shopify's refresh tokens last 90 days unless used). Install the app on the store again: Settings → Integrations → Connect Shopify → Install app.`,
    };
  }
  const app = deps.config.shopifyApp;
  if (!app) {
    throw new ShopifyApiError(
      "unauthorized",
      `The token of ${row.shopDomain} expires and renewing it needs the public app's SHOPIFY_API_KEY and SHOPIFY_API_SECRET on the server`,
    );
  }
  try {
    return await refreshOfflineToken(deps, {
      shopDomain: row.shopDomain,
      clientId: app.apiKey,
      clientSecret: app.apiSecret,
      refreshToken: deps.keyring.decrypt(row.refreshTokenEncrypted!),
    });
  } catch (error) {
    if (!(error instanceof ShopifyApiError) || error.kind !== "unauthorized") throw error;
    // The app's own credentials refused: the server's configuration, not the store's refresh token.
    if (error.oauthError === "invalid_client") {
      throw new ShopifyApiError(
        "unauthorized",
        `Shopify refused the public app's SHOPIFY_API_KEY / SHOPIFY_API_SECRET while renewing the token of ${row.shopDomain}`,
        { status: error.status, oauthError: error.oauthError, cause: error },
      );
    }
    return { reconnect: error.message };
  }
}

interface Bucket {
  available: number;
  maximum: number;
  restoreRate: number;
  at: number;
  /** The last query's requested cost: what the next one probably needs. */
  lastCost: number;
}

type Cost = NonNullable<ShopifyGraphqlResult<unknown>["cost"]>;

function createGraphqlClient(
  deps: ShopifyHttpDeps & { log: Logger; signal?: AbortSignal | undefined },
  shopDomain: string,
  tokens: TokenSource,
): ShopifyAdminApi {
  const url = `${shopifyShopBase(deps.config, shopDomain)}/admin/api/${SHOPIFY_API_VERSION}/graphql.json`;
  const doFetch = deps.fetch ?? fetch;
  let bucket: Bucket | null = null;

  const wait = (ms: number, reason: string) => {
    if (ms > MAX_WAIT_MS) {
      throw new ShopifyApiError(
        "throttled",
        `Shopify asked ${shopDomain} to wait ${Math.ceil(ms / 1000)} s (${reason})`,
        {
          status: 429,
        },
      );
    }
    deps.log.debug({ shopDomain, ms, reason }, "shopify: waiting before the next call");
    return sleep(ms, deps.signal);
  };

  /** How long until the bucket holds the last query's cost again (0: now). */
  const bucketWaitMs = () => {
    if (!bucket || bucket.restoreRate <= 0) return 0;
    const refilled = Math.min(
      bucket.maximum,
      bucket.available + ((Date.now() - bucket.at) / 1000) * bucket.restoreRate,
    );
    const needed = Math.min(bucket.lastCost, bucket.maximum);
    return refilled >= needed ? 0 : Math.ceil(((needed - refilled) / bucket.restoreRate) * 1000);
  };

  const remember = (cost: Cost | null) => {
    if (!cost?.throttleStatus) return;
    const t = cost.throttleStatus;
    bucket = {
      available: t.currentlyAvailable,
      maximum: t.maximumAvailable,
      restoreRate: t.restoreRate,
      at: Date.now(),
      lastCost: cost.requestedQueryCost,
    };
  };

  async function graphql<T>(query: string, variables?: Record<string, unknown>): Promise<ShopifyGraphqlResult<T>> {
    let transient = 0;
    let throttled = 0;
    let renewed = false;
    const body = JSON.stringify(variables ? { query, variables } : { query });

    const retryTransient = async (error: ShopifyApiError) => {
      transient += 1;
      if (transient > MAX_TRANSIENT_RETRIES) throw error;
      await wait(backoffMs(transient), error.message);
    };
    const retryThrottled = async (ms: number, message: string, status: number | null) => {
      throttled += 1;
      if (throttled > MAX_THROTTLE_RETRIES) throw new ShopifyApiError("throttled", message, { status });
      await wait(ms, message);
    };

    for (;;) {
      const ahead = bucketWaitMs();
      if (ahead > 0) await wait(ahead, "the cost bucket is refilling");
      const token = await tokens.get();

      let res: Response;
      try {
        res = await doFetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", accept: "application/json", "x-shopify-access-token": token },
          body,
          signal: deps.signal
            ? AbortSignal.any([deps.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)])
            : AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
      } catch (cause) {
        if (deps.signal?.aborted) throw cause;
        await retryTransient(
          new ShopifyApiError("unavailable", `Shopify did not answer for ${shopDomain}: ${(cause as Error).message}`, {
            cause,
          }),
        );
        continue;
      }

      const text = await res.text().catch(() => "");
      const json = parseJson(text);
      const reason = errorText(json);

      if (res.status === 429) {
        const retryAfter = Number(res.headers.get("retry-after"));
        await retryThrottled(
          Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : 1000,
          `Shopify throttled ${shopDomain} (429)`,
          429,
        );
        continue;
      }
      if (res.status >= 500) {
        await retryTransient(
          new ShopifyApiError("unavailable", `Shopify answered ${res.status} for ${shopDomain}${suffix(reason)}`, {
            status: res.status,
          }),
        );
        continue;
      }
      if (res.status === 401) {
        if (!renewed && (await tokens.renew())) {
          renewed = true;
          continue;
        }
        throw new ShopifyApiError(
          "unauthorized",
          `Shopify rejected the access token for ${shopDomain}${suffix(reason)}: it is wrong or was revoked, or the app was uninstalled`,
          { status: 401 },
        );
      }
      if (res.status === 402 || res.status === 403 || res.status === 423) {
        const why =
          res.status === 402
            ? "the shop is frozen (unpaid)"
            : res.status === 423
              ? "the shop is locked"
              : "the token lacks a scope this call needs";
        throw new ShopifyApiError("forbidden", `Shopify refused the call for ${shopDomain}: ${why}${suffix(reason)}`, {
          status: res.status,
        });
      }
      if (res.status === 404) {
        throw new ShopifyApiError("not_found", `No Shopify store answers at ${shopDomain}${suffix(reason)}`, {
          status: 404,
        });
      }
      if (!res.ok || json === null) {
        if (res.ok) {
          await retryTransient(
            new ShopifyApiError("unavailable", `Shopify's answer for ${shopDomain} was not JSON`, {
              status: res.status,
            }),
          );
          continue;
        }
        throw new ShopifyApiError(
          "invalid",
          `Shopify refused the call for ${shopDomain} (${res.status})${suffix(reason)}`,
          {
            status: res.status,
          },
        );
      }

      const cost = costOf(json);
      remember(cost);
      const errors = Array.isArray(json.errors) ? (json.errors as GraphqlError[]) : [];
      if (errors.some((e) => e.extensions?.code === "THROTTLED" || e.message === "Throttled")) {
        await retryThrottled(throttledWaitMs(cost), `Shopify throttled ${shopDomain} (query cost)`, res.status);
        continue;
      }
      if (errors.length > 0) {
        const messages = errors.map((e) => e.message ?? "error").join("; ");
        const denied = errors.some((e) => e.extensions?.code === "ACCESS_DENIED");
        throw new ShopifyApiError(
          denied ? "forbidden" : "invalid",
          `Shopify ${denied ? "denied" : "refused"} the query for ${shopDomain}: ${messages}`,
          { status: res.status },
        );
      }
      const data = (json.data ?? null) as T;
      const userErrors = userErrorsOf(data);
      if (userErrors.length > 0) {
        throw new ShopifyApiError(
          "invalid",
          `Shopify refused the change for ${shopDomain}: ${userErrors.map((e) => (e.field ? `${e.field.join(".")}: ${e.message}` : e.message)).join("; ")}`,
          { status: res.status },
        );
      }
      return { data, cost };
    }
  }

  return { shopDomain, graphql };
}

interface GraphqlError {
  message?: string;
  extensions?: { code?: string };
}

function parseJson(text: string): Record<string, unknown> | null {
  if (!text) return null;
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Shopify's reason on an error answer: `errors` as a string, a list, or an object. */
function errorText(json: Record<string, unknown> | null): string {
  const errors = json?.errors ?? json?.error;
  if (typeof errors === "string") return errors;
  if (Array.isArray(errors))
    return errors.map((e) => (typeof e === "string" ? e : (e as GraphqlError)?.message)).join("; ");
  if (errors && typeof errors === "object") return JSON.stringify(errors);
  return "";
}

const suffix = (reason: string) => (reason ? ` (${reason.slice(0, 300)})` : "");

function costOf(json: Record<string, unknown>): Cost | null {
  const cost = (json.extensions as { cost?: Cost } | undefined)?.cost;
  if (!cost || typeof cost.requestedQueryCost !== "number") return null;
  return {
    requestedQueryCost: cost.requestedQueryCost,
    actualQueryCost: typeof cost.actualQueryCost === "number" ? cost.actualQueryCost : null,
    throttleStatus: cost.throttleStatus,
  };
}

/** How long the bucket needs to hold the throttled query's cost; a second when Shopify said nothing. */
function throttledWaitMs(cost: Cost | null): number {
  const t = cost?.throttleStatus;
  if (!cost || !t || t.restoreRate <= 0) return 1000;
  const missing = Math.min(cost.requestedQueryCost, t.maximumAvailable) - t.currentlyAvailable;
  return Math.max(100, Math.ceil((missing / t.restoreRate) * 1000));
}

/** The `userErrors` of a mutation's top-level payloads (`{ webhookSubscriptionCreate: { userErrors } }`). */
function userErrorsOf(data: unknown): { field?: string[] | null; message: string }[] {
  if (!data || typeof data !== "object") return [];
  return Object.values(data as Record<string, unknown>).flatMap((payload) => {
    const list = (payload as { userErrors?: unknown } | null)?.userErrors;
    return Array.isArray(list) ? (list as { field?: string[] | null; message: string }[]) : [];
  });
}

/** 0.5 s, 1 s, 2 s, 4 s… with up to half of it added at random. */
const backoffMs = (attempt: number) => {
  const base = Math.min(8000, 500 * 2 ** (attempt - 1));
  return Math.round(base + Math.random() * (base / 2));
};

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
