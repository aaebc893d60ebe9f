/**
 * The subset of Shopify's GraphQL Admin API the simulator serves, as SDL with graphql-js, and the root
 * value that resolves it. Object fields with arguments are methods on the view objects (graphql-js's
 * default resolver calls them with `(args, context)`); abstract types carry `__typename`.
 *
 * In a bulk operation (`context.bulk`), connections ignore `first` and return every node, as Shopify's
 * bulk runner does.
 */
import { buildSchema, GraphQLError } from "graphql";
import { filterProducts, type PageArgs, PRODUCT_SORT_KEYS, paginate, productSortValue } from "./search.ts";
import {
  type BulkStatus,
  type ShopifyState,
  type SimBulkOperation,
  type SimProduct,
  type SimShop,
  type SimSubscription,
  type SimToken,
  type SimVariant,
  topicEnum,
  topicFromEnum,
  WEBHOOK_TOPICS,
} from "./state.ts";

export const CURRENCY_CODES = [
  "AUD",
  "CAD",
  "CHF",
  "CNY",
  "DKK",
  "EUR",
  "GBP",
  "HKD",
  "IDR",
  "INR",
  "JPY",
  "KRW",
  "MYR",
  "NOK",
  "NZD",
  "PHP",
  "SEK",
  "SGD",
  "THB",
  "TWD",
  "USD",
  "VND",
] as const;

export const SDL = /* GraphQL */ `
  scalar URL
  scalar DateTime
  scalar Decimal
  scalar Money
  scalar HTML
  scalar UnsignedInt64

  interface Node { id: ID! }

  enum CurrencyCode { ${CURRENCY_CODES.join(" ")} }
  enum ProductStatus { ACTIVE ARCHIVED DRAFT }
  enum ProductSortKeys { ${PRODUCT_SORT_KEYS.join(" ")} }
  enum ProductVariantInventoryPolicy { CONTINUE DENY }
  enum CountPrecision { AT_LEAST EXACT }
  enum WebhookSubscriptionTopic { ${WEBHOOK_TOPICS.map(topicEnum).join(" ")} }
  enum WebhookSubscriptionFormat { JSON XML }
  enum BulkOperationStatus { CANCELED CANCELING COMPLETED CREATED EXPIRED FAILED RUNNING }
  enum BulkOperationErrorCode { ACCESS_DENIED INTERNAL_SERVER_ERROR TIMEOUT }
  enum BulkOperationType { MUTATION QUERY }
  enum BulkOperationUserErrorCode { INVALID OPERATION_IN_PROGRESS }

  type Query {
    shop: Shop!
    products(
      first: Int, after: String, last: Int, before: String, reverse: Boolean = false,
      query: String, sortKey: ProductSortKeys = ID
    ): ProductConnection!
    product(id: ID!): Product
    productByHandle(handle: String!): Product
    productsCount(query: String, limit: Int = 10000): Count
    currentAppInstallation: AppInstallation!
    webhookSubscriptions(
      first: Int, after: String, last: Int, before: String, reverse: Boolean = false,
      topics: [WebhookSubscriptionTopic!], callbackUrl: URL, uri: String
    ): WebhookSubscriptionConnection!
    webhookSubscription(id: ID!): WebhookSubscription
    currentBulkOperation(type: BulkOperationType = QUERY): BulkOperation
    node(id: ID!): Node
    nodes(ids: [ID!]!): [Node]!
  }

  type Mutation {
    webhookSubscriptionCreate(
      topic: WebhookSubscriptionTopic!, webhookSubscription: WebhookSubscriptionInput!
    ): WebhookSubscriptionCreatePayload
    webhookSubscriptionDelete(id: ID!): WebhookSubscriptionDeletePayload
    bulkOperationRunQuery(query: String!, groupObjects: Boolean = false): BulkOperationRunQueryPayload
    bulkOperationCancel(id: ID!): BulkOperationCancelPayload
  }

  type Shop implements Node {
    id: ID!
    name: String!
    myshopifyDomain: String!
    url: URL!
    email: String!
    contactEmail: String!
    description: String
    currencyCode: CurrencyCode!
    primaryDomain: Domain!
  }
  type Domain implements Node { id: ID! host: String! url: URL! sslEnabled: Boolean! }

  type PageInfo { hasNextPage: Boolean! hasPreviousPage: Boolean! startCursor: String endCursor: String }
  type Count { count: Int! precision: CountPrecision! }

  type Product implements Node {
    id: ID!
    legacyResourceId: UnsignedInt64!
    title: String!
    handle: String!
    status: ProductStatus!
    vendor: String!
    productType: String!
    tags: [String!]!
    description(truncateAt: Int): String!
    descriptionHtml: HTML!
    createdAt: DateTime!
    updatedAt: DateTime!
    publishedAt: DateTime
    onlineStoreUrl: URL
    totalInventory: Int!
    tracksInventory: Boolean!
    hasOnlyDefaultVariant: Boolean!
    featuredImage: Image
    images(first: Int, after: String, last: Int, before: String, reverse: Boolean = false): ImageConnection!
    options(first: Int): [ProductOption!]!
    priceRangeV2: ProductPriceRangeV2!
    variants(first: Int, after: String, last: Int, before: String, reverse: Boolean = false): ProductVariantConnection!
    variantsCount: Count
  }
  type ProductConnection { edges: [ProductEdge!]! nodes: [Product!]! pageInfo: PageInfo! }
  type ProductEdge { cursor: String! node: Product! }
  type ProductOption implements Node { id: ID! name: String! position: Int! values: [String!]! }
  type ProductPriceRangeV2 { minVariantPrice: MoneyV2! maxVariantPrice: MoneyV2! }
  type MoneyV2 { amount: Decimal! currencyCode: CurrencyCode! }

  type Image { id: ID url: URL! altText: String width: Int height: Int }
  type ImageConnection { edges: [ImageEdge!]! nodes: [Image!]! pageInfo: PageInfo! }
  type ImageEdge { cursor: String! node: Image! }

  type ProductVariant implements Node {
    id: ID!
    legacyResourceId: UnsignedInt64!
    title: String!
    displayName: String!
    sku: String
    price: Money!
    compareAtPrice: Money
    availableForSale: Boolean!
    inventoryQuantity: Int
    inventoryPolicy: ProductVariantInventoryPolicy!
    position: Int!
    selectedOptions: [SelectedOption!]!
    inventoryItem: InventoryItem!
    product: Product!
    createdAt: DateTime!
    updatedAt: DateTime!
  }
  type ProductVariantConnection { edges: [ProductVariantEdge!]! nodes: [ProductVariant!]! pageInfo: PageInfo! }
  type ProductVariantEdge { cursor: String! node: ProductVariant! }
  type SelectedOption { name: String! value: String! }
  type InventoryItem implements Node { id: ID! sku: String tracked: Boolean! }

  type AppInstallation implements Node { id: ID! accessScopes: [AccessScope!]! app: App! }
  type App implements Node { id: ID! title: String! apiKey: String! }
  type AccessScope { handle: String! description: String! }

  input WebhookSubscriptionInput {
    callbackUrl: URL
    uri: String
    format: WebhookSubscriptionFormat
    includeFields: [String!]
    filter: String
  }
  type ApiVersion { handle: String! displayName: String! supported: Boolean! }
  type WebhookHttpEndpoint { callbackUrl: URL! }
  union WebhookSubscriptionEndpoint = WebhookHttpEndpoint
  type WebhookSubscription implements Node {
    id: ID!
    legacyResourceId: UnsignedInt64!
    topic: WebhookSubscriptionTopic!
    uri: String!
    callbackUrl: URL!
    endpoint: WebhookSubscriptionEndpoint!
    format: WebhookSubscriptionFormat!
    includeFields: [String!]!
    filter: String
    apiVersion: ApiVersion!
    createdAt: DateTime!
    updatedAt: DateTime!
  }
  type WebhookSubscriptionConnection {
    edges: [WebhookSubscriptionEdge!]! nodes: [WebhookSubscription!]! pageInfo: PageInfo!
  }
  type WebhookSubscriptionEdge { cursor: String! node: WebhookSubscription! }
  type UserError { field: [String!] message: String! }
  type WebhookSubscriptionCreatePayload { webhookSubscription: WebhookSubscription userErrors: [UserError!]! }
  type WebhookSubscriptionDeletePayload { deletedWebhookSubscriptionId: ID userErrors: [UserError!]! }

  type BulkOperation implements Node {
    id: ID!
    status: BulkOperationStatus!
    errorCode: BulkOperationErrorCode
    type: BulkOperationType!
    query: String!
    createdAt: DateTime!
    completedAt: DateTime
    objectCount: UnsignedInt64!
    rootObjectCount: UnsignedInt64!
    fileSize: UnsignedInt64
    url: URL
    partialDataUrl: URL
  }
  type BulkOperationUserError { field: [String!] message: String! code: BulkOperationUserErrorCode }
  type BulkOperationRunQueryPayload { bulkOperation: BulkOperation userErrors: [BulkOperationUserError!]! }
  type BulkOperationCancelPayload { bulkOperation: BulkOperation userErrors: [UserError!]! }
`;

export const schema = buildSchema(SDL);

export interface GraphqlContext {
  state: ShopifyState;
  shop: SimShop;
  token: SimToken;
  apiVersion: string;
  /** Absolute URL of the simulator's `/shopify` mount: image paths and bulk files resolve against it. */
  mountUrl: string;
  /** Running inside a bulk operation: connections are unbounded. */
  bulk: boolean;
  startBulk(context: GraphqlContext, query: string): { operation?: SimBulkOperation; error?: BulkUserError };
  cancelBulk(context: GraphqlContext, operation: SimBulkOperation): void;
}

export interface BulkUserError {
  field: string[] | null;
  message: string;
  code: "INVALID" | "OPERATION_IN_PROGRESS";
}

export const gid = (type: string, id: number) => `gid://shopify/${type}/${id}`;

export function parseGid(value: string): { type: string; id: number } | null {
  const m = /^gid:\/\/shopify\/(\w+)\/(\d+)(?:\?.*)?$/.exec(value);
  return m ? { type: m[1]!, id: Number(m[2]) } : null;
}

function requireScope(context: GraphqlContext, scope: string, field: string): void {
  const [, resource] = scope.split("_");
  const granted = context.token.scopes.includes(scope) || context.token.scopes.includes(`write_${resource}`);
  if (!granted) {
    throw new GraphQLError(`Access denied for ${field} field. Required access: \`${scope}\` access scope.`, {
      extensions: { code: "ACCESS_DENIED", requiredAccess: `\`${scope}\` access scope.` },
    });
  }
}

const stripHtml = (html: string) =>
  html
    .replace(/<\/(p|div|li|h\d)>/gi, "\n")
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<[^>]+>/g, "")
    .replace(/&nbsp;/g, " ")
    .replace(/&amp;/g, "&")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/\n{2,}/g, "\n")
    .trim();

export function resolveUrl(context: Pick<GraphqlContext, "mountUrl">, url: string): string {
  return url.startsWith("/") ? `${context.mountUrl}${url}` : url;
}

function connection<T, V>(
  field: string,
  context: GraphqlContext,
  all: T[],
  keyOf: (item: T) => { v: string; id: number },
  args: PageArgs,
  view: (item: T) => V,
) {
  const page = paginate(field, all, keyOf, args, context.bulk);
  const edges = page.items.map((item) => ({ cursor: item.cursor, node: view(item.node) }));
  return {
    edges,
    nodes: edges.map((edge) => edge.node),
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      startCursor: page.items[0]?.cursor ?? null,
      endCursor: page.items.at(-1)?.cursor ?? null,
    },
  };
}

const available = (variant: SimVariant) => variant.inventoryPolicy === "CONTINUE" || variant.inventoryQuantity > 0;

function variantView(context: GraphqlContext, product: SimProduct, variant: SimVariant) {
  return {
    __typename: "ProductVariant",
    id: gid("ProductVariant", variant.id),
    legacyResourceId: String(variant.id),
    title: variant.title,
    displayName: `${product.title} - ${variant.title}`,
    sku: variant.sku,
    price: variant.price,
    compareAtPrice: variant.compareAtPrice,
    availableForSale: product.status === "ACTIVE" && available(variant),
    inventoryQuantity: variant.inventoryQuantity,
    inventoryPolicy: variant.inventoryPolicy,
    position: variant.position,
    selectedOptions: variant.selectedOptions,
    inventoryItem: {
      __typename: "InventoryItem",
      id: gid("InventoryItem", variant.inventoryItemId),
      sku: variant.sku,
      tracked: true,
    },
    product: () => productView(context, product),
    createdAt: variant.createdAt,
    updatedAt: variant.updatedAt,
  };
}

function imageView(context: GraphqlContext, image: SimProduct["images"][number]) {
  return {
    id: gid("ProductImage", image.id),
    url: resolveUrl(context, image.url),
    altText: image.altText,
    width: 800,
    height: 800,
  };
}

export function productView(context: GraphqlContext, product: SimProduct) {
  const { shop } = context;
  const prices = product.variants.map((v) => Number(v.price));
  const moneyOf = (n: number) => ({ amount: n.toFixed(2), currencyCode: shop.currencyCode });
  return {
    __typename: "Product",
    id: gid("Product", product.id),
    legacyResourceId: String(product.id),
    title: product.title,
    handle: product.handle,
    status: product.status,
    vendor: product.vendor,
    productType: product.productType,
    tags: product.tags,
    description: (args: { truncateAt?: number | null }) => {
      const text = stripHtml(product.descriptionHtml);
      return args.truncateAt && text.length > args.truncateAt ? `${text.slice(0, args.truncateAt - 3)}...` : text;
    },
    descriptionHtml: product.descriptionHtml,
    createdAt: product.createdAt,
    updatedAt: product.updatedAt,
    publishedAt: product.status === "ACTIVE" ? product.createdAt : null,
    onlineStoreUrl: product.status === "ACTIVE" ? `${shop.primaryDomainUrl}/products/${product.handle}` : null,
    totalInventory: product.variants.reduce((sum, v) => sum + v.inventoryQuantity, 0),
    tracksInventory: true,
    hasOnlyDefaultVariant: product.variants.length === 1 && product.variants[0]!.title === "Default Title",
    featuredImage: product.images[0] ? imageView(context, product.images[0]) : null,
    images: (args: PageArgs) =>
      connection(
        "images",
        context,
        product.images,
        (image) => ({ v: "", id: image.id }),
        args,
        (image) => imageView(context, image),
      ),
    options: (args: { first?: number | null }) =>
      product.options
        .slice(0, args.first ?? undefined)
        .map((option, index) => ({ ...option, id: gid("ProductOption", option.id), position: index + 1 })),
    priceRangeV2: {
      minVariantPrice: moneyOf(Math.min(...prices)),
      maxVariantPrice: moneyOf(Math.max(...prices)),
    },
    variants: (args: PageArgs) =>
      connection(
        "variants",
        context,
        product.variants,
        (variant) => ({ v: String(variant.position).padStart(6, "0"), id: variant.id }),
        args,
        (variant) => variantView(context, product, variant),
      ),
    variantsCount: { count: product.variants.length, precision: "EXACT" },
  };
}

function subscriptionView(context: GraphqlContext, subscription: SimSubscription) {
  return {
    __typename: "WebhookSubscription",
    id: gid("WebhookSubscription", subscription.id),
    legacyResourceId: String(subscription.id),
    topic: topicEnum(subscription.topic),
    uri: subscription.uri,
    callbackUrl: subscription.uri,
    endpoint: { __typename: "WebhookHttpEndpoint", callbackUrl: subscription.uri },
    format: subscription.format,
    includeFields: [],
    filter: null,
    apiVersion: { handle: context.apiVersion, displayName: context.apiVersion, supported: true },
    createdAt: subscription.createdAt,
    updatedAt: subscription.updatedAt,
  };
}

export function bulkView(operation: SimBulkOperation) {
  const done = operation.status === "COMPLETED" || operation.status === "FAILED" || operation.status === "CANCELED";
  return {
    __typename: "BulkOperation",
    id: gid("BulkOperation", operation.id),
    status: operation.status satisfies BulkStatus,
    errorCode: operation.errorCode,
    type: "QUERY",
    query: operation.query,
    createdAt: operation.createdAt,
    completedAt: operation.completedAt,
    objectCount: String(operation.objectCount),
    rootObjectCount: String(operation.rootObjectCount),
    fileSize: done && operation.url ? String(operation.fileSize) : null,
    url: operation.url,
    partialDataUrl: null,
  };
}

function ownSubscriptions(context: GraphqlContext) {
  return context.state.subscriptions.filter(
    (s) => s.shop === context.shop.domain && s.clientId === context.token.clientId,
  );
}

function ownBulk(context: GraphqlContext, id: number) {
  const operation = context.state.bulkOperations.get(id);
  return operation && operation.shop === context.shop.domain && operation.clientId === context.token.clientId
    ? operation
    : undefined;
}

function nodeById(context: GraphqlContext, id: string) {
  const parsed = parseGid(id);
  if (!parsed) return null;
  switch (parsed.type) {
    case "Product": {
      requireScope(context, "read_products", "node");
      const product = context.shop.products.get(parsed.id);
      return product ? productView(context, product) : null;
    }
    case "ProductVariant": {
      requireScope(context, "read_products", "node");
      for (const product of context.shop.products.values()) {
        const variant = product.variants.find((v) => v.id === parsed.id);
        if (variant) return variantView(context, product, variant);
      }
      return null;
    }
    case "BulkOperation": {
      const operation = ownBulk(context, parsed.id);
      return operation ? bulkView(operation) : null;
    }
    case "WebhookSubscription": {
      const subscription = ownSubscriptions(context).find((s) => s.id === parsed.id);
      return subscription ? subscriptionView(context, subscription) : null;
    }
    default:
      return null;
  }
}

const SCOPE_DESCRIPTIONS: Record<string, string> = {
  read_products: "Read products, variants, and collections",
  write_products: "Modify products, variants, and collections",
  read_inventory: "Read inventory",
  write_inventory: "Modify inventory",
};

type ProductsArgs = PageArgs & { query?: string | null; sortKey?: string };

export const rootValue = {
  shop: (_args: unknown, context: GraphqlContext) => {
    const { shop } = context;
    return {
      __typename: "Shop",
      id: gid("Shop", shop.id),
      name: shop.name,
      myshopifyDomain: shop.domain,
      url: shop.primaryDomainUrl,
      email: shop.contactEmail,
      contactEmail: shop.contactEmail,
      description: shop.description,
      currencyCode: shop.currencyCode,
      primaryDomain: {
        __typename: "Domain",
        id: gid("Domain", shop.id),
        host: new URL(shop.primaryDomainUrl).host,
        url: shop.primaryDomainUrl,
        sslEnabled: shop.primaryDomainUrl.startsWith("https:"),
      },
    };
  },
  products: (args: ProductsArgs, context: GraphqlContext) => {
    requireScope(context, "read_products", "products");
    const sortKey = args.sortKey ?? "ID";
    const matching = filterProducts(context.shop.products.values(), args.query);
    return connection(
      "products",
      context,
      matching,
      (product) => ({ v: productSortValue(product, sortKey), id: product.id }),
      args,
      (product) => productView(context, product),
    );
  },
  product: (args: { id: string }, context: GraphqlContext) => {
    requireScope(context, "read_products", "product");
    const parsed = parseGid(args.id);
    const product = parsed?.type === "Product" ? context.shop.products.get(parsed.id) : undefined;
    return product ? productView(context, product) : null;
  },
  productByHandle: (args: { handle: string }, context: GraphqlContext) => {
    requireScope(context, "read_products", "productByHandle");
    const product = [...context.shop.products.values()].find((p) => p.handle === args.handle);
    return product ? productView(context, product) : null;
  },
  productsCount: (args: { query?: string | null; limit?: number | null }, context: GraphqlContext) => {
    requireScope(context, "read_products", "productsCount");
    const count = filterProducts(context.shop.products.values(), args.query).length;
    const limit = args.limit ?? null;
    return limit !== null && count > limit ? { count: limit, precision: "AT_LEAST" } : { count, precision: "EXACT" };
  },
  currentAppInstallation: (_args: unknown, context: GraphqlContext) => {
    const app = context.state.apps.get(context.token.clientId);
    return {
      __typename: "AppInstallation",
      id: gid("AppInstallation", context.shop.id),
      accessScopes: context.token.scopes.map((handle) => ({
        handle,
        description: SCOPE_DESCRIPTIONS[handle] ?? handle,
      })),
      app: {
        __typename: "App",
        id: gid("App", context.shop.id),
        title: app?.name ?? "App",
        apiKey: context.token.clientId,
      },
    };
  },
  webhookSubscriptions: (
    args: PageArgs & { topics?: string[] | null; callbackUrl?: string | null; uri?: string | null },
    context: GraphqlContext,
  ) => {
    const uri = args.uri ?? args.callbackUrl;
    const matching = ownSubscriptions(context).filter(
      (s) => (!args.topics?.length || args.topics.includes(topicEnum(s.topic))) && (!uri || s.uri === uri),
    );
    return connection(
      "webhookSubscriptions",
      context,
      matching,
      (s) => ({ v: "", id: s.id }),
      args,
      (s) => subscriptionView(context, s),
    );
  },
  webhookSubscription: (args: { id: string }, context: GraphqlContext) => {
    const parsed = parseGid(args.id);
    const subscription = ownSubscriptions(context).find(
      (s) => parsed?.type === "WebhookSubscription" && s.id === parsed.id,
    );
    return subscription ? subscriptionView(context, subscription) : null;
  },
  currentBulkOperation: (args: { type?: string }, context: GraphqlContext) => {
    if (args.type === "MUTATION") return null;
    const own = [...context.state.bulkOperations.values()].filter(
      (op) => op.shop === context.shop.domain && op.clientId === context.token.clientId,
    );
    const latest = own.at(-1);
    return latest ? bulkView(latest) : null;
  },
  node: (args: { id: string }, context: GraphqlContext) => nodeById(context, args.id),
  nodes: (args: { ids: string[] }, context: GraphqlContext) => args.ids.map((id) => nodeById(context, id)),

  webhookSubscriptionCreate: (
    args: {
      topic: string;
      webhookSubscription: { callbackUrl?: string | null; uri?: string | null; format?: string | null };
    },
    context: GraphqlContext,
  ) => {
    const input = args.webhookSubscription;
    const uri = input.uri ?? input.callbackUrl ?? "";
    const userError = (field: string[], message: string) => ({
      webhookSubscription: null,
      userErrors: [{ field, message }],
    });
    let parsed: URL | null = null;
    try {
      parsed = new URL(uri);
    } catch {
      parsed = null;
    }
    if (!parsed || !/^https?:$/.test(parsed.protocol)) {
      return userError(["webhookSubscription", "callbackUrl"], "Address is invalid");
    }
    if ((input.format ?? "JSON") !== "JSON") {
      return userError(["webhookSubscription", "format"], "Format is not supported by the simulator (use JSON)");
    }
    const topic = topicFromEnum(args.topic) as SimSubscription["topic"];
    if (ownSubscriptions(context).some((s) => s.topic === topic && s.uri === uri)) {
      return userError(["webhookSubscription", "callbackUrl"], "Address for this topic has already been taken");
    }
    const at = context.state.iso();
    const subscription: SimSubscription = {
      id: context.state.newId(),
      shop: context.shop.domain,
      clientId: context.token.clientId,
      topic,
      uri,
      format: "JSON",
      createdAt: at,
      updatedAt: at,
    };
    context.state.subscriptions.push(subscription);
    return { webhookSubscription: subscriptionView(context, subscription), userErrors: [] };
  },
  webhookSubscriptionDelete: (args: { id: string }, context: GraphqlContext) => {
    const parsed = parseGid(args.id);
    const subscription = ownSubscriptions(context).find(
      (s) => parsed?.type === "WebhookSubscription" && s.id === parsed.id,
    );
    if (!subscription) {
      return {
        deletedWebhookSubscriptionId: null,
        userErrors: [{ field: ["id"], message: "Webhook subscription does not exist" }],
      };
    }
    context.state.subscriptions = context.state.subscriptions.filter((s) => s !== subscription);
    return { deletedWebhookSubscriptionId: args.id, userErrors: [] };
  },
  bulkOperationRunQuery: (args: { query: string }, context: GraphqlContext) => {
    const { operation, error } = context.startBulk(context, args.query);
    return { bulkOperation: operation ? bulkView(operation) : null, userErrors: error ? [error] : [] };
  },
  bulkOperationCancel: (args: { id: string }, context: GraphqlContext) => {
    const parsed = parseGid(args.id);
    const operation = parsed?.type === "BulkOperation" ? ownBulk(context, parsed.id) : undefined;
    if (!operation)
      return { bulkOperation: null, userErrors: [{ field: ["id"], message: "Bulk operation does not exist" }] };
    if (operation.status !== "CREATED" && operation.status !== "RUNNING") {
      return {
        bulkOperation: bulkView(operation),
        userErrors: [
          { field: null, message: `A bulk operation cannot be canceled when it is ${operation.status.toLowerCase()}` },
        ],
      };
    }
    context.cancelBulk(context, operation);
    return { bulkOperation: bulkView(operation), userErrors: [] };
  },
};
