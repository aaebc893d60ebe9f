import type { ConnectShopifyInput, ShopifyStoreDto } from "@tandem/contracts";
import type { Ctx } from "../context.ts";
import { assertActorCan } from "../members/guard.ts";
import { requestClientCredentialsToken } from "./access-token.ts";
import { checkShopifyConnection } from "./check-connection.ts";
import { shopifyErrorToDomain } from "./errors.ts";
import { saveShopifyConnection } from "./save-connection.ts";
import { shopifyAdminApiWithToken } from "./shopify-client.ts";
import type { ShopifyDeps } from "./shopify-deps.ts";

/**
 * Connects a store with credentials typed in (OWNER, ADMIN; audited): an Admin API access token (and
 * optionally the app's API secret, which verifies webhooks), or a Dev Dashboard app's client id and
 * secret, for which a token is asked with the client-credentials grant (and asked again before it
 * expires, shopify-client.ts). The token is checked (`shop` and the access scopes) before anything
 * is stored: a wrong token, unknown shop or missing scope changes nothing. OAuth installs end in the
 * same `saveShopifyConnection` (oauth.ts).
 */
export async function connectShopifyStore(
  ctx: Ctx,
  input: ConnectShopifyInput,
  deps: ShopifyDeps,
): Promise<ShopifyStoreDto> {
  assertActorCan(ctx, "integrations.manage");
  const http = { config: deps.config, fetch: deps.fetch, log: ctx.log };
  if (input.method === "access_token") {
    const shop = await checkShopifyConnection(shopifyAdminApiWithToken(http, input.shopDomain, input.accessToken));
    return saveShopifyConnection(
      ctx,
      {
        shopDomain: input.shopDomain,
        authMethod: "access_token",
        accessToken: input.accessToken,
        accessTokenExpiresAt: null,
        webhookSecret: input.apiSecret,
        shop,
      },
      deps,
    );
  }
  const token = await requestClientCredentialsToken(http, input).catch((error) => {
    throw shopifyErrorToDomain(error);
  });
  const shop = await checkShopifyConnection(shopifyAdminApiWithToken(http, input.shopDomain, token.accessToken));
  return saveShopifyConnection(
    ctx,
    {
      shopDomain: input.shopDomain,
      authMethod: "client_credentials",
      accessToken: token.accessToken,
      accessTokenExpiresAt: token.expiresAt,
      clientId: input.clientId,
      clientSecret: input.clientSecret,
      // A Dev Dashboard app signs its webhooks with its client secret.
      webhookSecret: input.clientSecret,
      shop,
    },
    deps,
  );
}
