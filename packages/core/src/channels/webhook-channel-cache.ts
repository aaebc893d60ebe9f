import { channels, type Db } from "@tandem/db";
import { and, asc, eq, isNull } from "drizzle-orm";
import type { ChannelType } from "./adapter.ts";

/**
 * What a per-channel webhook URL (`/integrations/{type}/{chatbotId}/webhook`) needs before it can
 * verify a request: the connected channel's id and its signing secret. Reading and decrypting them
 * was one query per request, and the busiest thing a LINE webhook did besides storing its events
 * (bench/messenger-webhook: 517 → 1,243 events/s acknowledged embedded once remembered).
 *
 * Why a few seconds of staleness is safe:
 * - a **disconnected** channel still cached accepts nothing: the store resolves every row against the
 *   connected channels in the same statement that inserts it (store.ts), so its events end `ignored`;
 * - a **changed secret** makes the cached one fail: the webhook reads the row again once before it
 *   answers 401 (`receive-channel-webhook.ts`), so the new secret works from its first request;
 * - an old secret keeps verifying for at most `TTL_MS` on another web process after a rotation; in
 *   this process configure and disconnect forget the entry at once (`forgetWebhookChannel`).
 * - a chatbot with **no channel** is not remembered: connecting one works from the next request.
 */
export interface WebhookChannel {
  channelId: string;
  secret: string;
}

const TTL_MS = 10_000;
/** Far more chatbots than any one server serves; past it the oldest entries go first. */
const MAX_ENTRIES = 5_000;

type Row = typeof channels.$inferSelect;

class WebhookChannelCache {
  readonly #entries = new Map<string, { value: WebhookChannel; until: number }>();

  /** The remembered channel (`cached: true`), else the one read now; null when none is connected. */
  async get(
    db: Db,
    type: ChannelType,
    chatbotId: string,
    secretOf: (channel: Row) => string,
  ): Promise<{ value: WebhookChannel; cached: boolean } | null> {
    const key = keyOf(type, chatbotId);
    const entry = this.#entries.get(key);
    if (entry && entry.until > Date.now()) return { value: entry.value, cached: true };
    const value = await this.read(db, type, chatbotId, secretOf);
    return value ? { value, cached: false } : null;
  }

  /** Reads the connected channel from the database and remembers it (forgets it when there is none). */
  async read(
    db: Db,
    type: ChannelType,
    chatbotId: string,
    secretOf: (channel: Row) => string,
  ): Promise<WebhookChannel | null> {
    const key = keyOf(type, chatbotId);
    const [row] = await db
      .select()
      .from(channels)
      .where(and(eq(channels.chatbotId, chatbotId), eq(channels.type, type), isNull(channels.disconnectedAt)))
      .orderBy(asc(channels.createdAt))
      .limit(1);
    if (!row) {
      this.#entries.delete(key);
      return null;
    }
    const value = { channelId: row.id, secret: secretOf(row) };
    this.#entries.delete(key);
    if (this.#entries.size >= MAX_ENTRIES) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(key, { value, until: Date.now() + TTL_MS });
    return value;
  }

  forget(type: ChannelType, chatbotId: string): void {
    this.#entries.delete(keyOf(type, chatbotId));
  }
}

const keyOf = (type: ChannelType, chatbotId: string) => `${type}:${chatbotId}`;

/** One per database handle, like the inbound store: tests with their own database never share entries. */
const caches = new WeakMap<Db, WebhookChannelCache>();

export function webhookChannelCache(db: Db): WebhookChannelCache {
  let cache = caches.get(db);
  if (!cache) {
    cache = new WebhookChannelCache();
    caches.set(db, cache);
  }
  return cache;
}

/** After a channel's secret, chatbot or connection changed: its webhook reads it again at the next request. */
export function forgetWebhookChannel(db: Db, type: ChannelType, chatbotId: string | null): void {
  if (chatbotId) caches.get(db)?.forget(type, chatbotId);
}
