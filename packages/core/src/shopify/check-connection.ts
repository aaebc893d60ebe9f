import { SHOPIFY_REQUIRED_SCOPES } from "@tandem/contracts";
import { DomainError } from "../errors.ts";
import { shopifyErrorToDomain } from "./errors.ts";
import type { ShopifyAdminApi } from "./shopify-api.ts";

/** What the connection check learns about the shop. */
export interface ShopInfo {
  name: string;
  myshopifyDomain: string;
  currencyCode: string | null;
  primaryDomainUrl: string | null;
  scopes: string[];
}

const CONNECTION_QUERY = `query TandemConnectionCheck {
  shop { name myshopifyDomain currencyCode primaryDomain { url } }
  currentAppInstallation { accessScopes { handle } }
}`;

interface ConnectionData {
  shop: {
    name: string;
    myshopifyDomain: string;
    currencyCode?: string | null;
    primaryDomain?: { url?: string } | null;
  };
  currentAppInstallation: { accessScopes: { handle: string }[] } | null;
}

/**
 * Every connect checks the token before anything is stored: the `shop` query answers (the token is
 * good for this shop) and the installation's scopes include what Tandem reads. A `write_` scope
 * implies its `read_` one, as on Shopify. Failures are domain errors naming what to fix.
 */
export async function checkShopifyConnection(api: ShopifyAdminApi): Promise<ShopInfo> {
  let data: ConnectionData;
  try {
    data = (await api.graphql<ConnectionData>(CONNECTION_QUERY)).data;
  } catch (error) {
    throw shopifyErrorToDomain(error);
  }
  const scopes = (data.currentAppInstallation?.accessScopes ?? []).map((s) => s.handle);
  const granted = new Set(scopes);
  const missing = SHOPIFY_REQUIRED_SCOPES.filter(
    (scope) => !granted.has(scope) && !granted.has(scope.replace(/^read_/, "write_")),
  );
  if (missing.length > 0) {
    throw new DomainError(
      "shopify_scopes_missing",
      `The app on ${api.shopDomain} lacks the access scope${missing.length > 1 ? "s" : ""} ${missing.join(" and ")}. Add ${missing.length > 1 ? "them" : "it"} to the app's Admin API scopes, install the new version on the store, and connect again.`,
      { details: { missing, granted: scopes } },
    );
  }
  return {
    name: data.shop.name,
    myshopifyDomain: data.shop.myshopifyDomain,
    currencyCode: data.shop.currencyCode ?? null,
    primaryDomainUrl: data.shop.primaryDomain?.url ?? null,
    scopes,
  };
}
