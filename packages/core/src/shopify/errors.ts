import { DomainError } from "../errors.ts";
import { ShopifyApiError } from "./shopify-api.ts";

/**
 * A `ShopifyApiError` as the domain reports it (the HTTP status of each code is in the API's error
 * table): a wrong or revoked token and missing scopes are the caller's to fix (4xx), Shopify being
 * slow or down is a 503 to try again later. Any other error passes through unchanged.
 */
export function shopifyErrorToDomain(error: unknown): unknown {
  if (!(error instanceof ShopifyApiError)) return error;
  const options = { cause: error, details: { status: error.status } };
  switch (error.kind) {
    case "unauthorized":
      return new DomainError("shopify_unauthorized", error.message, options);
    case "forbidden":
      return new DomainError("shopify_forbidden", error.message, options);
    case "not_found":
      return new DomainError("shopify_shop_not_found", error.message, options);
    case "throttled":
      return new DomainError("shopify_throttled", `${error.message}. Try again in a minute.`, {
        ...options,
        retryAfterSeconds: 30,
      });
    case "unavailable":
      return new DomainError("platform_unavailable", `Shopify is not answering right now: ${error.message}`, options);
    case "invalid":
      return new DomainError("shopify_request_failed", error.message, options);
  }
}
