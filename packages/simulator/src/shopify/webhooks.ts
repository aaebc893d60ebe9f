/**
 * Webhook deliveries as Shopify makes them: a JSON body POSTed with `X-Shopify-Topic`,
 * `X-Shopify-Hmac-Sha256` (base64 HMAC-SHA256 of the raw body with the app's client secret),
 * `X-Shopify-Shop-Domain`, `X-Shopify-API-Version`, `X-Shopify-Webhook-Id` (the same on every retry
 * of one delivery), `X-Shopify-Event-Id` (the same for every delivery of one event) and
 * `X-Shopify-Triggered-At`. A non-2xx answer, a timeout or a refused connection is retried after
 * each of `settings.webhookRetryDelaysMs`. Every delivery is recorded with its attempts.
 *
 * Test options: `duplicate` sends the delivery a second time with the same webhook id once the first
 * has settled; `forged` signs with a wrong secret.
 */
import { createHmac, randomUUID } from "node:crypto";
import type { ShopifyState, ShopifyTopic } from "./state.ts";

export interface WebhookAttempt {
  at: string;
  /** The answer's status; null when there was none (refused, timed out). */
  status: number | null;
  error?: string;
}

export interface WebhookDelivery {
  seq: number;
  webhookId: string;
  eventId: string;
  topic: ShopifyTopic;
  shop: string;
  clientId: string;
  url: string;
  triggeredAt: string;
  apiVersion: string;
  headers: Record<string, string>;
  /** The raw body sent (what the signature covers). */
  body: string;
  forged: boolean;
  /** This record is the second send of an earlier delivery (same webhook id). */
  duplicateOf: number | null;
  state: "pending" | "delivered" | "failed";
  attempts: WebhookAttempt[];
}

export interface WebhookTarget {
  url: string;
  clientId: string;
}

export interface SendOptions {
  forged?: boolean;
  duplicate?: boolean;
  /** `X-Shopify-Triggered-At` (default now); an older one makes a stale delivery. */
  triggeredAt?: string;
  /** Reuse an event id (several deliveries of one event). */
  eventId?: string;
}

/** base64(HMAC-SHA256(secret, raw body)): the `X-Shopify-Hmac-Sha256` value. */
export function signShopifyWebhook(secret: string, body: string | Uint8Array): string {
  return createHmac("sha256", secret).update(body).digest("base64");
}

export class WebhookSender {
  deliveries: WebhookDelivery[] = [];
  private seq = 0;
  private pending = new Set<Promise<unknown>>();

  constructor(
    private readonly state: ShopifyState,
    private readonly apiVersion: string,
    private readonly fetchImpl: (request: Request) => Response | Promise<Response> = (request) => fetch(request),
  ) {}

  reset(): void {
    this.deliveries = [];
  }

  /** Resolves when every delivery started so far has settled (retries included). */
  async idle(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  /** Starts one delivery per target; the records are returned at once and updated as attempts finish. */
  send(shop: string, topic: ShopifyTopic, payload: unknown, targets: WebhookTarget[], options: SendOptions = {}) {
    const eventId = options.eventId ?? randomUUID();
    const triggeredAt = options.triggeredAt ?? new Date(this.state.now()).toISOString();
    const body = JSON.stringify(payload);
    const records = targets.map((target) => {
      const record = this.record(shop, topic, target, body, {
        eventId,
        triggeredAt,
        webhookId: randomUUID(),
        forged: Boolean(options.forged),
      });
      const run = this.attempt(record).then(async () => {
        if (!options.duplicate) return;
        const copy = this.record(shop, topic, target, body, {
          eventId,
          triggeredAt,
          webhookId: record.webhookId,
          forged: record.forged,
          duplicateOf: record.seq,
        });
        await this.attempt(copy);
      });
      this.track(run);
      return record;
    });
    return records;
  }

  private record(
    shop: string,
    topic: ShopifyTopic,
    target: WebhookTarget,
    body: string,
    meta: { eventId: string; triggeredAt: string; webhookId: string; forged: boolean; duplicateOf?: number },
  ): WebhookDelivery {
    const secret = this.state.apps.get(target.clientId)?.clientSecret ?? "";
    const signature = signShopifyWebhook(meta.forged ? `forged-${secret}-${randomUUID()}` : secret, body);
    const record: WebhookDelivery = {
      seq: ++this.seq,
      webhookId: meta.webhookId,
      eventId: meta.eventId,
      topic,
      shop,
      clientId: target.clientId,
      url: target.url,
      triggeredAt: meta.triggeredAt,
      apiVersion: this.apiVersion,
      headers: {
        "content-type": "application/json",
        "user-agent": "Shopify-Captain-Hook",
        "x-shopify-topic": topic,
        "x-shopify-hmac-sha256": signature,
        "x-shopify-shop-domain": shop,
        "x-shopify-api-version": this.apiVersion,
        "x-shopify-webhook-id": meta.webhookId,
        "x-shopify-event-id": meta.eventId,
        "x-shopify-triggered-at": meta.triggeredAt,
      },
      body,
      forged: meta.forged,
      duplicateOf: meta.duplicateOf ?? null,
      state: "pending",
      attempts: [],
    };
    this.deliveries.push(record);
    return record;
  }

  private async attempt(record: WebhookDelivery): Promise<void> {
    const delays = this.state.settings.webhookRetryDelaysMs;
    for (let attempt = 0; ; attempt += 1) {
      const at = new Date(this.state.now()).toISOString();
      try {
        const response = await this.fetchImpl(
          new Request(record.url, {
            method: "POST",
            headers: record.headers,
            body: record.body,
            signal: AbortSignal.timeout(this.state.settings.webhookTimeoutMs),
          }),
        );
        await response.body?.cancel().catch(() => undefined);
        record.attempts.push({ at, status: response.status });
        if (response.ok) {
          record.state = "delivered";
          return;
        }
      } catch (error) {
        record.attempts.push({ at, status: null, error: (error as Error).message });
      }
      if (attempt >= delays.length) {
        record.state = "failed";
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, delays[attempt]));
    }
  }

  private track(promise: Promise<unknown>): void {
    const tracked = promise.finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }
}
