/** The fake Shopify Admin API over real sockets: its API served by @hono/node-server, its webhooks
 * received by a plain node:http server that sees the raw bytes. */
import { createHmac } from "node:crypto";
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { INVALID_TOKEN_MESSAGE } from "./shopify/app.ts";
import type { WebhookDelivery } from "./shopify/webhooks.ts";
import { createSimulator, DEMO_SHOP, DEMO_SHOPIFY_APP } from "./simulator.ts";

let clock = Date.parse("2026-12-01T10:00:00Z");
const simulator = createSimulator({ basePath: "/_simulator", seedDemo: true, shopify: { now: () => clock } });
const SHOP = DEMO_SHOP.domain;
const TOKEN = DEMO_SHOPIFY_APP.accessToken;
const VERSION = "2026-10";
let server: ReturnType<typeof serve>;
let base = "";
let control = "";

/** A webhook receiver: answers with the next of `answers` (then 200), keeps every request's raw body. */
let hook: Server;
let hookUrl = "";
const received: { headers: IncomingMessage["headers"]; raw: Buffer }[] = [];
const answers: number[] = [];

beforeAll(async () => {
  await new Promise<void>((resolve) => {
    server = serve({ fetch: simulator.app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => {
      base = `http://127.0.0.1:${info.port}/_simulator`;
      control = `${base}/_control/shopify`;
      resolve();
    });
  });
  hook = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    received.push({ headers: req.headers, raw: Buffer.concat(chunks) });
    res.writeHead(answers.shift() ?? 200).end("ok");
  });
  hook.listen(0, "127.0.0.1");
  await once(hook, "listening");
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/webhooks/shopify`;
});

afterAll(async () => {
  await simulator.shopify.webhooks.idle();
  hook.closeAllConnections();
  hook.close();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  simulator.reset();
  clock = Date.parse("2026-12-01T10:00:00Z");
  received.length = 0;
  answers.length = 0;
});

const adminUrl = (shop = SHOP) => `${base}/shopify/${shop}/admin`;

// biome-ignore lint/suspicious/noExplicitAny: answers are read as loose JSON; the assertions check their shape
type Loose = any;

async function gql(
  query: string,
  variables: Record<string, unknown> = {},
  options: { token?: string; shop?: string } = {},
) {
  const response = await fetch(`${adminUrl(options.shop)}/api/${VERSION}/graphql.json`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-shopify-access-token": options.token ?? TOKEN },
    body: JSON.stringify({ query, variables }),
  });
  const body: Loose = await response.json();
  return { status: response.status, headers: response.headers, body };
}

async function post(path: string, body: unknown, method = "POST") {
  const response = await fetch(`${control}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: response.status === 204 ? null : ((await response.json()) as Loose) };
}

const deliveries = async (query = "") =>
  ((await (await fetch(`${control}/deliveries${query}`)).json()) as { data: WebhookDelivery[] }).data;

const sign = (secret: string, raw: Buffer) => createHmac("sha256", secret).update(raw).digest("base64");

const PRODUCTS_PAGE = `query($after: String, $first: Int!) {
  products(first: $first, after: $after) {
    nodes { id title variants(first: 5) { nodes { id price } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

async function subscribe(topic: string, uri = hookUrl, token = TOKEN) {
  const { body } = await gql(
    `mutation($topic: WebhookSubscriptionTopic!, $sub: WebhookSubscriptionInput!) {
      webhookSubscriptionCreate(topic: $topic, webhookSubscription: $sub) {
        webhookSubscription { id topic uri } userErrors { field message }
      }
    }`,
    { topic, sub: { uri, format: "JSON" } },
    { token },
  );
  return body.data.webhookSubscriptionCreate as {
    webhookSubscription: { id: string; topic: string; uri: string } | null;
    userErrors: { field: string[]; message: string }[];
  };
}

describe("GraphQL reads", () => {
  it("answers the shop query and the demo catalog with Shopify's shapes and cost extensions", async () => {
    const { status, body, headers } = await gql(`{
      shop { name myshopifyDomain currencyCode primaryDomain { url } description contactEmail }
      productsCount { count }
      currentAppInstallation { accessScopes { handle } }
      products(first: 1, query: "title:Linen*") {
        edges { cursor node {
          id title handle status vendor productType tags description descriptionHtml updatedAt onlineStoreUrl
          totalInventory featuredImage { url altText } images(first: 3) { nodes { url } }
          priceRangeV2 { minVariantPrice { amount currencyCode } maxVariantPrice { amount currencyCode } }
          variants(first: 10) { nodes { id title sku price compareAtPrice availableForSale inventoryQuantity selectedOptions { name value } } }
        } }
      }
    }`);
    expect(status).toBe(200);
    expect(headers.get("x-shopify-api-version")).toBe(VERSION);
    expect(body.data.shop).toEqual({
      name: "Tandem Demo Shop",
      myshopifyDomain: SHOP,
      currencyCode: "THB",
      primaryDomain: { url: "https://tandem-demo.myshopify.com" },
      description: DEMO_SHOP.description,
      contactEmail: DEMO_SHOP.contactEmail,
    });
    expect(body.data.productsCount.count).toBe(12);
    expect(body.data.currentAppInstallation.accessScopes.map((s: { handle: string }) => s.handle)).toEqual([
      "read_products",
      "read_inventory",
    ]);
    const shirt = body.data.products.edges[0].node;
    expect(shirt.id).toMatch(/^gid:\/\/shopify\/Product\/\d+$/);
    expect(shirt.title).toBe("Linen Shirt");
    expect(shirt.onlineStoreUrl).toBe("https://tandem-demo.myshopify.com/products/linen-shirt");
    expect(shirt.description).not.toContain("<p>");
    expect(shirt.priceRangeV2.minVariantPrice).toEqual({ amount: "1290.00", currencyCode: "THB" });
    const bySize = Object.fromEntries(shirt.variants.nodes.map((v: Loose) => [v.selectedOptions[0].value, v]));
    expect(bySize.M.availableForSale).toBe(true);
    expect(bySize.L).toMatchObject({ availableForSale: false, inventoryQuantity: 0, price: "1290.00" });
    expect(shirt.totalInventory).toBe(bySize.S.inventoryQuantity + bySize.M.inventoryQuantity);
    // The picture is served by the simulator.
    const picture = await fetch(shirt.featuredImage.url);
    expect(picture.headers.get("content-type")).toBe("image/svg+xml");
    const cost = body.extensions!.cost;
    expect(cost.actualQueryCost).toBeLessThanOrEqual(cost.requestedQueryCost);
    expect(cost.throttleStatus).toEqual({
      maximumAvailable: 1000,
      currentlyAvailable: 1000 - cost.actualQueryCost!,
      restoreRate: 50,
    });
  });

  it("pages through a large catalog with endCursor until hasNextPage is false", async () => {
    expect((await post(`/shops/${SHOP}/products/generate`, { count: 230 })).status).toBe(201);
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const { body } = await gql(PRODUCTS_PAGE, { first: 100, after });
      const page = body.data.products;
      seen.push(...page.nodes.map((n: { id: string }) => n.id));
      pages += 1;
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
      clock += 10_000;
    }
    expect(pages).toBe(3);
    expect(seen).toHaveLength(242);
    expect(new Set(seen).size).toBe(242);
  });

  it("sorts, searches and refuses pages over 250 or without first/last", async () => {
    const sorted = await gql(`{ products(first: 3, sortKey: TITLE, reverse: true) { nodes { title } } }`);
    expect(sorted.body.data.products.nodes.map((n: { title: string }) => n.title)).toEqual([
      "Straw Hat",
      "Pour-Over Dripper",
      "Oxford Shirt",
    ]);
    const coffee = await gql(`{ products(first: 20, query: "tag:coffee AND -tag:'cold brew'") { nodes { title } } }`);
    expect(coffee.body.data.products.nodes.map((n: { title: string }) => n.title).sort()).toEqual([
      "Doi Chang Coffee Beans",
      "Espresso Blend",
    ]);
    const tooMany = await gql(`{ products(first: 251) { nodes { id } } }`);
    expect(tooMany.body.errors?.[0]?.message).toMatch(/between 0 and 250/);
    const none = await gql(`{ products { nodes { id } } }`);
    expect(none.body.errors?.[0]?.message).toMatch(/first or last/);
  });

  it("reads one product by id and answers null for an unknown one", async () => {
    const { body } = await gql(`{ products(first: 1) { nodes { id title } } }`);
    const { id, title } = body.data.products.nodes[0];
    const one = await gql(`query($id: ID!) { product(id: $id) { title } node(id: $id) { ... on Product { title } } }`, {
      id,
    });
    expect(one.body.data).toEqual({ product: { title }, node: { title } });
    const missing = await gql(`{ product(id: "gid://shopify/Product/1") { title } }`);
    expect(missing.body.data.product).toBeNull();
  });
});

describe("authentication", () => {
  it("answers 401 with Shopify's message for a missing, unknown or other shop's token, 404 for an unknown shop", async () => {
    for (const token of ["", "shpat_unknown"]) {
      const { status, body } = await gql(`{ shop { name } }`, {}, { token });
      expect(status).toBe(401);
      expect(body).toEqual({ errors: INVALID_TOKEN_MESSAGE });
    }
    await post("/shops", { domain: "other.myshopify.com", name: "Other" });
    const other = await post(`/shops/other.myshopify.com/tokens`, { clientId: DEMO_SHOPIFY_APP.clientId });
    expect((await gql(`{ shop { name } }`, {}, { token: other.body.accessToken })).status).toBe(401);
    expect(
      (await gql(`{ shop { name } }`, {}, { token: other.body.accessToken, shop: "other.myshopify.com" })).status,
    ).toBe(200);
    expect((await gql(`{ shop { name } }`, {}, { shop: "nowhere.myshopify.com" })).status).toBe(404);
  });

  it("refuses product reads with ACCESS_DENIED when the token lacks read_products", async () => {
    const { body: issued } = await post(`/shops/${SHOP}/tokens`, {
      clientId: DEMO_SHOPIFY_APP.clientId,
      scopes: ["read_orders"],
    });
    const shop = await gql(`{ shop { name } }`, {}, { token: issued.accessToken });
    expect(shop.body.data.shop.name).toBe("Tandem Demo Shop");
    const { status, body } = await gql(`{ products(first: 5) { nodes { id } } }`, {}, { token: issued.accessToken });
    expect(status).toBe(200);
    expect(body.data).toBeNull();
    expect(body.errors).toEqual([
      expect.objectContaining({
        message: expect.stringContaining("read_products"),
        extensions: expect.objectContaining({ code: "ACCESS_DENIED" }),
      }),
    ]);
  });
});

describe("cost-based throttling", () => {
  it("throttles when the bucket cannot pay, and serves again once it has restored", async () => {
    await post(`/shops/${SHOP}/throttle`, { maximumAvailable: 100, restoreRate: 10, currentlyAvailable: 0 }, "PUT");
    const query = `{ products(first: 5) { nodes { id } } }`; // requested 2 + 5 × 1 = 7
    const throttled = await gql(query);
    expect(throttled.status).toBe(200);
    expect(throttled.body.errors).toEqual([
      expect.objectContaining({ message: "Throttled", extensions: expect.objectContaining({ code: "THROTTLED" }) }),
    ]);
    expect(throttled.body.data).toBeUndefined();
    expect(throttled.body.extensions!.cost).toEqual({
      requestedQueryCost: 7,
      actualQueryCost: null,
      throttleStatus: { maximumAvailable: 100, currentlyAvailable: 0, restoreRate: 10 },
    });
    clock += 500; // 5 points back: still short of 7
    expect((await gql(query)).body.errors?.[0]?.message).toBe("Throttled");
    clock += 500; // 10 points
    const served = await gql(query);
    expect(served.body.data.products.nodes).toHaveLength(5);
    expect(served.body.extensions!.cost.throttleStatus.currentlyAvailable).toBe(3);
    clock += 60_000;
    expect((await gql(query)).body.extensions!.cost.throttleStatus.currentlyAvailable).toBe(93);
  });

  it("refunds the difference between requested and actual cost", async () => {
    const { body } = await gql(`{ products(first: 250) { nodes { id } } }`);
    expect(body.extensions!.cost.requestedQueryCost).toBe(252);
    expect(body.extensions!.cost.actualQueryCost).toBe(2 + 12);
    expect(body.extensions!.cost.throttleStatus.currentlyAvailable).toBe(1000 - 14);
  });

  it("refuses a single query over the max cost with MAX_COST_EXCEEDED", async () => {
    const { body } = await gql(`{ products(first: 100) { nodes { id variants(first: 20) { nodes { id } } } } }`);
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: "MAX_COST_EXCEEDED", cost: 2302, maxCost: 1000 });
  });

  it("answers an injected 429 with Retry-After, then serves", async () => {
    await post("/faults", { kind: "http_429", retryAfterSeconds: 3 });
    const first = await gql(`{ shop { name } }`);
    expect(first.status).toBe(429);
    expect(first.headers.get("retry-after")).toBe("3");
    expect((await gql(`{ shop { name } }`)).status).toBe(200);
  });
});

describe("tokens", () => {
  const tokenUrl = () => `${adminUrl()}/oauth/access_token`;

  it("issues a client-credentials token (form or JSON) that really expires", async () => {
    await post("/settings", { tokenTtlSeconds: 120 }, "PUT");
    const form = await fetch(tokenUrl(), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: DEMO_SHOPIFY_APP.clientId,
        client_secret: DEMO_SHOPIFY_APP.clientSecret,
      }),
    });
    const issued = (await form.json()) as { access_token: string; scope: string; expires_in: number };
    expect(form.status).toBe(200);
    expect(issued).toEqual({
      access_token: expect.stringMatching(/^shpat_/),
      scope: "read_products,read_inventory",
      expires_in: 120,
    });
    expect((await gql(`{ shop { name } }`, {}, { token: issued.access_token })).status).toBe(200);
    clock += 121_000;
    expect((await gql(`{ shop { name } }`, {}, { token: issued.access_token })).status).toBe(401);

    const json = await fetch(tokenUrl(), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        grant_type: "client_credentials",
        client_id: DEMO_SHOPIFY_APP.clientId,
        client_secret: DEMO_SHOPIFY_APP.clientSecret,
      }),
    });
    const fresh = (await json.json()) as { access_token: string };
    expect((await gql(`{ shop { name } }`, {}, { token: fresh.access_token })).status).toBe(200);
  });

  it("refuses a wrong client secret", async () => {
    const response = await fetch(tokenUrl(), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        grant_type: "client_credentials",
        client_id: DEMO_SHOPIFY_APP.clientId,
        client_secret: "nope",
      }),
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: "invalid_client" });
  });

  it("runs the OAuth install: redirect with a verifiable hmac, a single-use code exchanged for a token", async () => {
    const redirectUri = "https://tandem.example/api/v1/integrations/shopify/oauth/callback";
    const authorize = await fetch(
      `${adminUrl()}/oauth/authorize?${new URLSearchParams({
        client_id: DEMO_SHOPIFY_APP.clientId,
        scope: "read_products,read_inventory",
        redirect_uri: redirectUri,
        state: "nonce-123",
      })}`,
      { redirect: "manual" },
    );
    expect(authorize.status).toBe(302);
    const location = new URL(authorize.headers.get("location")!);
    expect(`${location.origin}${location.pathname}`).toBe(redirectUri);
    const params = Object.fromEntries(location.searchParams);
    expect(Object.keys(params).sort()).toEqual(["code", "hmac", "host", "shop", "state", "timestamp"]);
    expect(params).toMatchObject({ shop: SHOP, state: "nonce-123", timestamp: String(Math.floor(clock / 1000)) });
    const { hmac, ...rest } = params;
    const message = Object.keys(rest)
      .sort()
      .map((key) => `${key}=${rest[key]}`)
      .join("&");
    expect(hmac).toBe(createHmac("sha256", DEMO_SHOPIFY_APP.clientSecret).update(message).digest("hex"));

    const exchange = (code: string) =>
      fetch(`${adminUrl()}/oauth/access_token`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          client_id: DEMO_SHOPIFY_APP.clientId,
          client_secret: DEMO_SHOPIFY_APP.clientSecret,
          code,
        }),
      });
    const exchanged = await exchange(params.code!);
    const token = (await exchanged.json()) as { access_token: string; scope: string; expires_in?: number };
    expect(token).toEqual({ access_token: expect.stringMatching(/^shpat_/), scope: "read_products,read_inventory" });
    expect((await gql(`{ shop { name } }`, {}, { token: token.access_token })).status).toBe(200);
    expect((await exchange(params.code!)).status).toBe(400);
  });

  /** An OAuth install's code (the redirect's `code`), ready to exchange. */
  async function installCode() {
    const authorize = await fetch(
      `${adminUrl()}/oauth/authorize?${new URLSearchParams({
        client_id: DEMO_SHOPIFY_APP.clientId,
        scope: "read_products,read_inventory",
        redirect_uri: "https://tandem.example/cb",
      })}`,
      { redirect: "manual" },
    );
    return new URL(authorize.headers.get("location")!).searchParams.get("code")!;
  }

  const tokenRequest = async (form: Record<string, string>) => {
    const response = await fetch(tokenUrl(), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        client_id: DEMO_SHOPIFY_APP.clientId,
        client_secret: DEMO_SHOPIFY_APP.clientSecret,
        ...form,
      }),
    });
    return { status: response.status, body: (await response.json()) as Loose };
  };

  it("exchanges a code with expiring=1 for an hour's offline token and a 90-day refresh token, enforced", async () => {
    const { status, body } = await tokenRequest({ code: await installCode(), expiring: "1" });
    expect(status).toBe(200);
    expect(body).toEqual({
      access_token: expect.stringMatching(/^shpat_/),
      scope: "read_products,read_inventory",
      expires_in: 3600,
      refresh_token: expect.stringMatching(/^shprt_/),
      refresh_token_expires_in: 7_776_000,
    });
    expect((await gql(`{ shop { name } }`, {}, { token: body.access_token })).status).toBe(200);
    clock += 3600_000;
    const expired = await gql(`{ shop { name } }`, {}, { token: body.access_token });
    expect(expired.status).toBe(401);
    expect(expired.body).toEqual({ errors: INVALID_TOKEN_MESSAGE });

    // A refresh token past its 90 days is refused.
    clock += 7_776_000_000;
    const late = await tokenRequest({ grant_type: "refresh_token", refresh_token: body.refresh_token });
    expect(late).toEqual({
      status: 400,
      body: { error: "invalid_grant", error_description: "The refresh token has expired" },
    });
  });

  it("refreshes with grant_type=refresh_token, rotating the refresh token; the used one works until its replacement is used", async () => {
    const first = (await tokenRequest({ code: await installCode(), expiring: "1" })).body;
    clock += 3600_000;
    const second = await tokenRequest({ grant_type: "refresh_token", refresh_token: first.refresh_token });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ expires_in: 3600, refresh_token_expires_in: 7_776_000 });
    expect(second.body.refresh_token).not.toBe(first.refresh_token);
    expect((await gql(`{ shop { name } }`, {}, { token: second.body.access_token })).status).toBe(200);

    // The answer was lost: the used refresh token is accepted again while its replacement is unused…
    const retried = await tokenRequest({ grant_type: "refresh_token", refresh_token: first.refresh_token });
    expect(retried.status).toBe(200);
    // …and retired once a replacement is used.
    expect(
      (await tokenRequest({ grant_type: "refresh_token", refresh_token: retried.body.refresh_token })).status,
    ).toBe(200);
    expect(await tokenRequest({ grant_type: "refresh_token", refresh_token: first.refresh_token })).toEqual({
      status: 400,
      body: { error: "invalid_grant", error_description: "The refresh token was already replaced by a newer one" },
    });
    // A wrong client secret is the client's error, not the grant's.
    const wrongClient = await fetch(tokenUrl(), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        client_id: DEMO_SHOPIFY_APP.clientId,
        client_secret: "nope",
        grant_type: "refresh_token",
        refresh_token: second.body.refresh_token,
      }),
    });
    expect(wrongClient.status).toBe(401);
    expect(await wrongClient.json()).toMatchObject({ error: "invalid_client" });
  });

  it("expires and revokes tokens through the control API; an uninstall revokes refresh tokens", async () => {
    const issued = (await tokenRequest({ code: await installCode(), expiring: "1" })).body;
    expect((await post(`/shops/${SHOP}/tokens/${issued.access_token}/expire`, {})).status).toBe(200);
    expect((await gql(`{ shop { name } }`, {}, { token: issued.access_token })).status).toBe(401);

    const listed = (await (await fetch(`${control}/shops/${SHOP}/tokens`)).json()) as Loose;
    expect(listed.refreshTokens).toEqual([
      expect.objectContaining({ token: issued.refresh_token, revoked: false, usedAt: null }),
    ]);
    const revoked = await fetch(`${control}/shops/${SHOP}/tokens/${issued.refresh_token}`, { method: "DELETE" });
    expect(revoked.status).toBe(204);
    expect(await tokenRequest({ grant_type: "refresh_token", refresh_token: issued.refresh_token })).toEqual({
      status: 400,
      body: { error: "invalid_grant", error_description: "The refresh token has been revoked" },
    });

    const other = (await tokenRequest({ code: await installCode(), expiring: "1" })).body;
    await post(`/shops/${SHOP}/tokens/${other.refresh_token}/expire`, {});
    expect((await tokenRequest({ grant_type: "refresh_token", refresh_token: other.refresh_token })).status).toBe(400);

    const kept = (await tokenRequest({ code: await installCode(), expiring: "1" })).body;
    await post(`/shops/${SHOP}/uninstall`, { clientId: DEMO_SHOPIFY_APP.clientId });
    expect((await tokenRequest({ grant_type: "refresh_token", refresh_token: kept.refresh_token })).status).toBe(400);
  });

  it("shows an error page for an unknown app or a redirect the app does not allow", async () => {
    const unknown = await fetch(`${adminUrl()}/oauth/authorize?client_id=nope&redirect_uri=https://x.test/cb`, {
      redirect: "manual",
    });
    expect(unknown.status).toBe(400);
    await post("/apps", { clientId: "strict", clientSecret: "s3cret", redirectUrls: ["https://ok.test/cb"] });
    const bad = await fetch(`${adminUrl()}/oauth/authorize?client_id=strict&redirect_uri=https://evil.test/cb`, {
      redirect: "manual",
    });
    expect(bad.status).toBe(400);
    const good = await fetch(`${adminUrl()}/oauth/authorize?client_id=strict&redirect_uri=https://ok.test/cb`, {
      redirect: "manual",
    });
    expect(good.status).toBe(302);
  });
});

describe("webhooks", () => {
  it("manages subscriptions with userErrors for a duplicate address and an unknown id", async () => {
    const created = await subscribe("PRODUCTS_UPDATE");
    expect(created.userErrors).toEqual([]);
    expect(created.webhookSubscription).toMatchObject({ topic: "PRODUCTS_UPDATE", uri: hookUrl });
    expect((await subscribe("PRODUCTS_UPDATE")).userErrors[0]!.message).toMatch(/already been taken/);
    const listed = await gql(
      `{ webhookSubscriptions(first: 10) { nodes { id topic uri endpoint { ... on WebhookHttpEndpoint { callbackUrl } } } } }`,
    );
    expect(listed.body.data.webhookSubscriptions.nodes).toEqual([
      {
        id: created.webhookSubscription!.id,
        topic: "PRODUCTS_UPDATE",
        uri: hookUrl,
        endpoint: { callbackUrl: hookUrl },
      },
    ]);
    const del = `mutation($id: ID!) { webhookSubscriptionDelete(id: $id) { deletedWebhookSubscriptionId userErrors { message } } }`;
    const deleted = await gql(del, { id: created.webhookSubscription!.id });
    expect(deleted.body.data.webhookSubscriptionDelete).toEqual({
      deletedWebhookSubscriptionId: created.webhookSubscription!.id,
      userErrors: [],
    });
    const again = await gql(del, { id: created.webhookSubscription!.id });
    expect(again.body.data.webhookSubscriptionDelete.userErrors).toHaveLength(1);
  });

  it("sends products/update signed over the raw body when a product changes, and inventory_levels/update for stock", async () => {
    await subscribe("PRODUCTS_UPDATE");
    await subscribe("INVENTORY_LEVELS_UPDATE");
    const shirt = (await (await fetch(`${control}/shops/${SHOP}/products?query=title:Linen*`)).json()).data[0];
    const large = shirt.variants.find((v: { title: string }) => v.title === "L");
    const patched = await post(
      `/shops/${SHOP}/products/${shirt.id}`,
      { variants: [{ id: large.id, price: "1190", inventoryQuantity: 3 }] },
      "PATCH",
    );
    expect(patched.status).toBe(200);
    await expect.poll(() => received.length).toBe(2);
    const update = received.find((r) => r.headers["x-shopify-topic"] === "products/update")!;
    const inventory = received.find((r) => r.headers["x-shopify-topic"] === "inventory_levels/update")!;
    expect(update.headers).toMatchObject({
      "x-shopify-shop-domain": SHOP,
      "x-shopify-api-version": VERSION,
      "x-shopify-hmac-sha256": sign(DEMO_SHOPIFY_APP.clientSecret, update.raw),
      "x-shopify-webhook-id": expect.any(String),
      "x-shopify-event-id": expect.any(String),
      "x-shopify-triggered-at": new Date(clock).toISOString(),
    });
    const payload = JSON.parse(update.raw.toString("utf8"));
    expect(payload).toMatchObject({
      id: shirt.id,
      title: "Linen Shirt",
      handle: "linen-shirt",
      admin_graphql_api_id: shirt.gid,
    });
    expect(payload.variants.find((v: { id: number }) => v.id === large.id)).toMatchObject({
      price: "1190.00",
      inventory_quantity: 3,
      old_inventory_quantity: 0,
    });
    expect(JSON.parse(inventory.raw.toString("utf8"))).toMatchObject({
      inventory_item_id: expect.any(Number),
      available: 3,
    });
    await expect.poll(async () => (await deliveries()).map((d) => d.state)).toEqual(["delivered", "delivered"]);
    // The change is what the API now answers.
    const read = await gql(
      `query($id: ID!) { product(id: $id) { variants(first: 5) { nodes { title price inventoryQuantity availableForSale } } } }`,
      { id: shirt.gid },
    );
    expect(read.body.data.product.variants.nodes.find((v: { title: string }) => v.title === "L")).toEqual({
      title: "L",
      price: "1190.00",
      inventoryQuantity: 3,
      availableForSale: true,
    });
  });

  it("sends a duplicate with the same webhook id, and a forged one whose signature does not verify", async () => {
    await subscribe("PRODUCTS_UPDATE");
    const product = (await (await fetch(`${control}/shops/${SHOP}/products`)).json()).data[0];
    await post(`/shops/${SHOP}/products/${product.id}`, { title: "Renamed", duplicate: true }, "PATCH");
    await expect.poll(() => received.length).toBe(2);
    expect(received[0]!.headers["x-shopify-webhook-id"]).toBe(received[1]!.headers["x-shopify-webhook-id"]);
    expect(received[1]!.raw.equals(received[0]!.raw)).toBe(true);
    const records = await deliveries();
    expect(records[1]!.duplicateOf).toBe(records[0]!.seq);

    received.length = 0;
    await post(`/shops/${SHOP}/webhooks`, { topic: "products/update", productId: product.id, forged: true });
    await expect.poll(() => received.length).toBe(1);
    expect(received[0]!.headers["x-shopify-hmac-sha256"]).not.toBe(
      sign(DEMO_SHOPIFY_APP.clientSecret, received[0]!.raw),
    );
  });

  it("retries a delivery the receiver refused, keeping the webhook id, and records each attempt", async () => {
    await post("/settings", { webhookRetryDelaysMs: [5, 5] }, "PUT");
    await subscribe("PRODUCTS_DELETE");
    answers.push(500, 503);
    const product = (await (await fetch(`${control}/shops/${SHOP}/products`)).json()).data[0];
    const res = await fetch(`${control}/shops/${SHOP}/products/${product.id}`, { method: "DELETE" });
    expect(res.status).toBe(204);
    await expect.poll(async () => (await deliveries())[0]?.state).toBe("delivered");
    const [delivery] = await deliveries();
    expect(delivery!.attempts.map((a) => a.status)).toEqual([500, 503, 200]);
    expect(new Set(received.map((r) => r.headers["x-shopify-webhook-id"])).size).toBe(1);
    expect(JSON.parse(received[2]!.raw.toString("utf8"))).toEqual({ id: product.id });

    answers.push(500, 500, 500);
    await post(`/shops/${SHOP}/webhooks`, { topic: "products/delete", payload: { id: 1 } });
    await expect.poll(async () => (await deliveries()).at(-1)?.state).toBe("failed");
  });

  it("app/uninstalled goes to the app's subscription and its tokens stop working", async () => {
    await subscribe("APP_UNINSTALLED");
    const uninstall = await post(`/shops/${SHOP}/uninstall`, { clientId: DEMO_SHOPIFY_APP.clientId });
    expect(uninstall.status).toBe(202);
    await expect.poll(() => received.length).toBe(1);
    expect(received[0]!.headers["x-shopify-topic"]).toBe("app/uninstalled");
    expect(JSON.parse(received[0]!.raw.toString("utf8"))).toMatchObject({
      myshopify_domain: SHOP,
      name: "Tandem Demo Shop",
    });
    expect((await gql(`{ shop { name } }`)).status).toBe(401);
  });

  it("sends the privacy topics to a given URL, signed", async () => {
    for (const topic of ["customers/data_request", "customers/redact", "shop/redact"]) {
      const sent = await post(`/shops/${SHOP}/webhooks`, { topic, url: hookUrl, clientId: DEMO_SHOPIFY_APP.clientId });
      expect(sent.status).toBe(202);
    }
    await expect.poll(() => received.length).toBe(3);
    for (const request of received) {
      expect(request.headers["x-shopify-hmac-sha256"]).toBe(sign(DEMO_SHOPIFY_APP.clientSecret, request.raw));
      expect(JSON.parse(request.raw.toString("utf8"))).toMatchObject({ shop_domain: SHOP });
    }
    expect(received.map((r) => r.headers["x-shopify-topic"])).toEqual([
      "customers/data_request",
      "customers/redact",
      "shop/redact",
    ]);
  });
});

describe("bulk operations", () => {
  it("runs a bulk query to a JSONL file with variants on their own lines pointing at __parentId, then sends bulk_operations/finish", async () => {
    await post(`/shops/${SHOP}/products/generate`, { count: 40 });
    await subscribe("BULK_OPERATIONS_FINISH");
    const run = await gql(
      `mutation($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id status } userErrors { field message } } }`,
      { q: `{ products { edges { node { id title variants { edges { node { id price inventoryQuantity } } } } } } }` },
    );
    const operation = run.body.data.bulkOperationRunQuery;
    expect(operation.userErrors).toEqual([]);
    expect(operation.bulkOperation.status).toBe("CREATED");

    const current = async () =>
      (await gql(`{ currentBulkOperation { id status errorCode objectCount rootObjectCount url } }`)).body.data
        .currentBulkOperation;
    await expect.poll(async () => (await current()).status).toBe("COMPLETED");
    const done = await current();
    expect(done.id).toBe(operation.bulkOperation.id);
    const byNode = await gql(`query($id: ID!) { node(id: $id) { ... on BulkOperation { id status url } } }`, {
      id: done.id,
    });
    expect(byNode.body.data.node).toEqual({ id: done.id, status: "COMPLETED", url: done.url });

    const file = await (await fetch(done.url)).text();
    const lines = file
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(String(lines.length)).toBe(done.objectCount);
    expect(done.rootObjectCount).toBe("52");
    const seenProducts = new Set<string>();
    let variants = 0;
    for (const line of lines) {
      if (line.id.startsWith("gid://shopify/Product/")) {
        expect(line.__parentId).toBeUndefined();
        expect(line.variants).toBeUndefined();
        seenProducts.add(line.id);
      } else {
        expect(line.id).toMatch(/^gid:\/\/shopify\/ProductVariant\//);
        expect(seenProducts.has(line.__parentId)).toBe(true);
        variants += 1;
      }
    }
    expect(seenProducts.size).toBe(52);
    expect(variants).toBeGreaterThan(52);

    await expect.poll(() => received.length).toBe(1);
    expect(received[0]!.headers["x-shopify-topic"]).toBe("bulk_operations/finish");
    expect(received[0]!.headers["x-shopify-hmac-sha256"]).toBe(sign(DEMO_SHOPIFY_APP.clientSecret, received[0]!.raw));
    expect(JSON.parse(received[0]!.raw.toString("utf8"))).toMatchObject({
      admin_graphql_api_id: done.id,
      status: "completed",
      error_code: null,
    });
  });

  it("refuses a bulk query without a connection, and a nested connection whose parent does not select id", async () => {
    const run = (q: string) =>
      gql(
        `mutation($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id } userErrors { field message } } }`,
        { q },
      );
    expect((await run(`{ shop { name } }`)).body.data.bulkOperationRunQuery.userErrors[0].field).toEqual(["query"]);
    expect(
      (await run(`{ products { nodes { title variants { nodes { id } } } } }`)).body.data.bulkOperationRunQuery
        .userErrors[0].message,
    ).toMatch(/must select the 'id' field/);
  });
});

describe("control API", () => {
  it("refuses bad input with 400 and changes nothing", async () => {
    const before = (await (await fetch(`${control}/shops/${SHOP}`)).json()).productCount;
    expect((await post(`/shops/${SHOP}/products`, { title: "", variants: [] })).status).toBe(400);
    expect((await post(`/shops/${SHOP}/products`, { title: "Hat", variants: [{ price: "abc" }] })).status).toBe(400);
    expect((await post("/shops", { domain: "not a domain", name: "x" })).status).toBe(400);
    expect((await fetch(`${control}/shops/${SHOP}`).then((r) => r.json())).productCount).toBe(before);
  });
});
