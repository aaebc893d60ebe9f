import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { SHOPIFY_PRIVACY_TOPICS } from "@tandem/contracts";
import { type Db, shopifyStores, shopifyWebhookEvents } from "@tandem/db";
import { eq } from "drizzle-orm";
import type { Config } from "../config.ts";
import { DomainError } from "../errors.ts";
import type { JobQueue } from "../jobs/queue.ts";
import type { Logger } from "../logger.ts";
import type { Keyring } from "../secrets/keyring.ts";
import { processShopifyWebhook } from "./process-shopify-webhook.ts";
import type { ShopifyStoreRow } from "./shopify-client.ts";

export interface ShopifyWebhookDeps {
  db: Db;
  log: Logger;
  keyring: Keyring;
  config: Pick<Config, "shopifyApp">;
  queue: JobQueue;
}

export interface ShopifyWebhookInput {
  rawBody: Uint8Array;
  header(name: string): string | undefined;
}

/**
 * `POST /api/webhooks/shopify`: one address for every store of every workspace. Shopify gives 5 s,
 * so the delivery is only verified and stored before the 200; the `shopify-webhook` job does the rest.
 *
 * - `X-Shopify-Hmac-Sha256` is base64(HMAC-SHA256(secret, raw body)), checked in constant time
 *   against the secret of every store connected with that `X-Shopify-Shop-Domain` (a shop may be
 *   connected by several workspaces, each with its own app) — an OAuth store's secret is the public
 *   app's — and, for the privacy topics, the public app's secret alone (a shop we no longer hold).
 *   No match: 401 (`invalid_signature`), nothing stored.
 * - Deliveries are at least once: each verified store stores the event once per `X-Shopify-Webhook-Id`
 *   (insert … on conflict do nothing); a repeat is answered 200 and changes nothing.
 */
export async function receiveShopifyWebhook(
  deps: ShopifyWebhookDeps,
  input: ShopifyWebhookInput,
): Promise<{ stored: number; duplicates: number }> {
  const signature = input.header("x-shopify-hmac-sha256")?.trim();
  const shopDomain = input.header("x-shopify-shop-domain")?.trim().toLowerCase();
  if (!signature || !shopDomain) throw invalidSignature();

  const stores = await deps.db.select().from(shopifyStores).where(eq(shopifyStores.shopDomain, shopDomain));
  const appSecret = deps.config.shopifyApp?.apiSecret;
  const verified = stores.filter((store) => {
    const secret = webhookSecretOf(deps, store);
    return secret !== null && signatureMatches(input.rawBody, secret, signature);
  });
  const topic = input.header("x-shopify-topic")?.trim() ?? "";
  if (verified.length === 0) {
    const isPrivacy = (SHOPIFY_PRIVACY_TOPICS as readonly string[]).includes(topic);
    if (isPrivacy && appSecret && signatureMatches(input.rawBody, appSecret, signature)) {
      deps.log.info({ topic, shopDomain }, "shopify privacy webhook for a shop no workspace holds: nothing to do");
      return { stored: 0, duplicates: 0 };
    }
    throw invalidSignature();
  }

  if (!topic) throw new DomainError("invalid_input", "X-Shopify-Topic is missing");
  let payload: Record<string, unknown>;
  try {
    const parsed = JSON.parse(Buffer.from(input.rawBody).toString("utf8")) as unknown;
    payload = parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    throw new DomainError("invalid_json", "The webhook body is not JSON");
  }
  const webhookId =
    input.header("x-shopify-webhook-id")?.trim() ||
    `sha256:${createHash("sha256").update(topic).update(input.rawBody).digest("hex")}`;
  const triggeredAt = parseDate(input.header("x-shopify-triggered-at"));

  let stored = 0;
  for (const store of verified) {
    const [event] = await deps.db
      .insert(shopifyWebhookEvents)
      .values({
        workspaceId: store.workspaceId,
        storeId: store.id,
        webhookId: webhookId.slice(0, 200),
        topic: topic.slice(0, 100),
        triggeredAt,
        payload,
      })
      .onConflictDoNothing({ target: [shopifyWebhookEvents.storeId, shopifyWebhookEvents.webhookId] })
      .returning({ id: shopifyWebhookEvents.id });
    if (!event) continue;
    stored += 1;
    await deps.queue.enqueue(
      processShopifyWebhook,
      { eventId: event.id },
      { jobId: `shopify-webhook:${event.id}`, workspaceId: store.workspaceId },
    );
  }
  deps.log.debug({ topic, shopDomain, webhookId, stored, stores: verified.length }, "shopify webhook received");
  return { stored, duplicates: verified.length - stored };
}

const invalidSignature = () =>
  new DomainError("invalid_signature", "Missing or invalid X-Shopify-Hmac-Sha256: nothing was stored");

function webhookSecretOf(deps: Pick<ShopifyWebhookDeps, "keyring" | "config">, store: ShopifyStoreRow): string | null {
  if (store.authMethod === "oauth") return deps.config.shopifyApp?.apiSecret ?? null;
  return store.webhookSecretEncrypted ? deps.keyring.decrypt(store.webhookSecretEncrypted) : null;
}

/** base64(HMAC-SHA256(secret, body)) against the header, compared in constant time. */
export function signatureMatches(body: Uint8Array, secret: string, signature: string): boolean {
  const expected = createHmac("sha256", secret).update(body).digest();
  const given = Buffer.from(signature, "base64");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function parseDate(value: string | undefined): Date | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}
