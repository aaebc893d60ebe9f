import { SHOPIFY_WEBHOOK_TOPICS } from "@tandem/contracts";
import type { ShopifyWebhookSubscription } from "@tandem/db";
import type { ShopifyAdminApi } from "./shopify-api.ts";

/**
 * The store's webhook subscriptions at Shopify, for `SHOPIFY_WEBHOOK_TOPICS` to our webhook URL.
 * Registering is idempotent: a subscription of the topic to the same address is kept, the missing
 * ones are created. Each topic succeeds or fails on its own; the failures come back readable.
 */

const LIST = `query TandemWebhookSubscriptions {
  webhookSubscriptions(first: 100) { nodes { id topic uri } }
}`;

const CREATE = `mutation TandemWebhookCreate($topic: WebhookSubscriptionTopic!, $webhookSubscription: WebhookSubscriptionInput!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $webhookSubscription) {
    webhookSubscription { id topic }
    userErrors { field message }
  }
}`;

const DELETE = `mutation TandemWebhookDelete($id: ID!) {
  webhookSubscriptionDelete(id: $id) { deletedWebhookSubscriptionId userErrors { field message } }
}`;

/** `products/create` → `PRODUCTS_CREATE`, the GraphQL enum. */
export const webhookTopicEnum = (topic: string) => topic.replaceAll("/", "_").toUpperCase();

export interface WebhookRegistration {
  subscriptions: ShopifyWebhookSubscription[];
  /** Readable failures, or null when every topic is subscribed. */
  error: string | null;
}

export async function registerShopifyWebhooks(api: ShopifyAdminApi, url: string): Promise<WebhookRegistration> {
  let existing: { id: string; topic: string; uri?: string | null }[];
  try {
    const { data } = await api.graphql<{ webhookSubscriptions: { nodes: typeof existing } }>(LIST);
    existing = data.webhookSubscriptions.nodes;
  } catch (error) {
    return { subscriptions: [], error: `Could not register webhooks: ${(error as Error).message}` };
  }
  const subscriptions: ShopifyWebhookSubscription[] = [];
  const failures: string[] = [];
  for (const topic of SHOPIFY_WEBHOOK_TOPICS) {
    const same = existing.find((s) => s.topic === webhookTopicEnum(topic) && s.uri === url);
    if (same) {
      subscriptions.push({ topic, id: same.id });
      continue;
    }
    try {
      const { data } = await api.graphql<{ webhookSubscriptionCreate: { webhookSubscription: { id: string } | null } }>(
        CREATE,
        { topic: webhookTopicEnum(topic), webhookSubscription: { uri: url, format: "JSON" } },
      );
      const created = data.webhookSubscriptionCreate.webhookSubscription;
      if (created) subscriptions.push({ topic, id: created.id });
      else failures.push(`${topic}: Shopify created no subscription`);
    } catch (error) {
      failures.push(`${topic}: ${(error as Error).message}`);
    }
  }
  return {
    subscriptions,
    error: failures.length ? `Some webhooks could not be registered (${failures.join("; ")})` : null,
  };
}

/** Removes the subscriptions Tandem made; answers the readable failures (none: null). */
export async function deleteShopifyWebhooks(
  api: ShopifyAdminApi,
  subscriptions: ShopifyWebhookSubscription[],
): Promise<string | null> {
  const failures: string[] = [];
  for (const subscription of subscriptions) {
    try {
      await api.graphql(DELETE, { id: subscription.id });
    } catch (error) {
      failures.push(`${subscription.topic}: ${(error as Error).message}`);
    }
  }
  return failures.length
    ? `Some webhooks could not be removed at Shopify; remove them in the app's settings (${failures.join("; ")})`
    : null;
}
