/**
 * The contract between the Shopify integration's parts (docs/shopify.md): the connection side
 * (`connect-store.ts`, the client, token refresh, webhook registration and ingress) implements it; the
 * sync side (`sync-store.ts`, the webhook-applying job, the nightly reconcile) and the bot's product
 * lookups use it. Errors are `ShopifyApiError`s mapped by the one error table.
 */

/** One GraphQL Admin API call's result: `data`, and the cost Shopify reported (throttle status). */
export interface ShopifyGraphqlResult<T> {
  data: T;
  cost: {
    requestedQueryCost: number;
    actualQueryCost: number | null;
    throttleStatus: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number };
  } | null;
}

/**
 * A connected store's Admin API, authenticated: `graphql` posts to
 * `{shopifyShopBase}/admin/api/{SHOPIFY_API_VERSION}/graphql.json` with `X-Shopify-Access-Token`,
 * refreshes a client-credentials token that expires within 5 minutes first, waits and retries when
 * throttled (HTTP 429 `Retry-After`, or `errors[{extensions.code: "THROTTLED"}]`, using the throttle
 * status to wait just long enough), retries 5xx and network errors with backoff, and throws a
 * `ShopifyApiError` for what retrying cannot fix (401/403: token revoked or scopes missing; GraphQL
 * `errors` or `userErrors`; a shop that does not exist).
 */
export interface ShopifyAdminApi {
  shopDomain: string;
  graphql<T>(query: string, variables?: Record<string, unknown>): Promise<ShopifyGraphqlResult<T>>;
}

export type ShopifyErrorKind = "unauthorized" | "forbidden" | "not_found" | "throttled" | "unavailable" | "invalid";

export class ShopifyApiError extends Error {
  readonly kind: ShopifyErrorKind;
  readonly status: number | null;
  /** Retrying later may work (throttled after the retries, unavailable). */
  readonly retryable: boolean;
  /** The OAuth `error` of a refused token request (`invalid_grant`, `invalid_client`…), when Shopify gave one. */
  readonly oauthError: string | null;
  constructor(
    kind: ShopifyErrorKind,
    message: string,
    options: { status?: number | null; cause?: unknown; oauthError?: string | null } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "ShopifyApiError";
    this.kind = kind;
    this.status = options.status ?? null;
    this.oauthError = options.oauthError ?? null;
    this.retryable = kind === "throttled" || kind === "unavailable";
  }
}

/**
 * Shopify no longer accepts the store's refresh token (refused or expired): the store was marked
 * `error` with this message as its reason, and only a new install gets it a token again.
 */
export class ShopifyReconnectRequired extends ShopifyApiError {
  constructor(reason: string) {
    super("unauthorized", reason, { status: 401 });
    this.name = "ShopifyReconnectRequired";
  }
}
