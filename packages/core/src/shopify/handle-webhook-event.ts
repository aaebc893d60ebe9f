import { contacts, shopifyStores, type shopifyWebhookEvents } from "@tandem/db";
import { and, eq, or, type SQL, sql } from "drizzle-orm";
import type { AppJobDeps } from "../app-deps.ts";
import { recordAudit } from "../audit/record-audit.ts";
import { eraseContacts } from "../contacts/erase-contacts.ts";
import { type Ctx, withTransaction } from "../context.ts";
import { publishConversation } from "../conversations/publish.ts";
import { applyProductWebhook, SHOPIFY_PRODUCT_TOPICS } from "./apply-product-webhook.ts";
import { retireShopifyStore } from "./retire-store.ts";
import { auditView } from "./save-connection.ts";
import type { ShopifyStoreRow } from "./shopify-client.ts";
import { publishShopifyUpdate } from "./store-to-dto.ts";

export type ShopifyWebhookEventRow = typeof shopifyWebhookEvents.$inferSelect;

/** What the webhook job gives the handlers besides `ctx`. */
export type ShopifyJobDeps = Pick<AppJobDeps, "db" | "log" | "keyring" | "config" | "realtime" | "queue">;

/**
 * One stored Shopify webhook, by topic (`ctx` is the store's workspace, acting as the system):
 *
 * - product topics → `applyProductWebhook` (the catalog side), for a store that is not disconnected;
 * - `app/uninstalled` → the store is disconnected (`retireShopifyStore`), with the reason shown;
 * - `customers/data_request` → recorded in the audit log and the server log with what Tandem holds
 *   for the customer (the contacts with their e-mail or phone). Tandem sends nothing to Shopify: the
 *   merchant answers the customer (docs/shopify.md);
 * - `customers/redact` → the workspace's contacts with the customer's e-mail or phone are erased
 *   (`eraseContacts`);
 * - `shop/redact` → the store and everything of it (catalog, knowledge source, webhook events) is
 *   deleted.
 *
 * Answers a note when the event was deliberately left alone (a topic we do not handle).
 */
export async function handleShopifyWebhookEvent(
  ctx: Ctx,
  event: ShopifyWebhookEventRow,
  deps: ShopifyJobDeps,
): Promise<void> {
  const [store] = await ctx.db.select().from(shopifyStores).where(eq(shopifyStores.id, event.storeId));
  if (!store) return;
  if ((SHOPIFY_PRODUCT_TOPICS as readonly string[]).includes(event.topic)) {
    if (store.status === "disconnected") return;
    return applyProductWebhook(ctx, { store, event }, deps);
  }
  switch (event.topic) {
    case "app/uninstalled":
      return uninstalled(ctx, store, deps);
    case "customers/data_request":
      return customerDataRequest(ctx, store, event);
    case "customers/redact":
      return customerRedact(ctx, store, event, deps);
    case "shop/redact":
      return shopRedact(ctx, store, deps);
    default:
      ctx.log.info({ topic: event.topic, storeId: store.id }, "shopify webhook of a topic Tandem does not handle");
  }
}

async function uninstalled(ctx: Ctx, store: ShopifyStoreRow, deps: ShopifyJobDeps) {
  const changed = await withTransaction(ctx, async (tx) => {
    const [locked] = await tx.db.select().from(shopifyStores).where(eq(shopifyStores.id, store.id)).for("update");
    if (!locked || locked.status === "disconnected") return false;
    const retired = await retireShopifyStore(tx, locked, {
      reason: "The app was uninstalled from the shop on Shopify. Connect the store again to resume.",
      webhookError: null,
      keyring: deps.keyring,
      // Shopify may deliver this topic again: its repeats must still verify (and be deduplicated).
      keepWebhookSecret: true,
    });
    await recordAudit(tx, {
      action: "shopify_store.uninstall",
      entityType: "shopify_store",
      entityId: locked.id,
      before: auditView(locked),
      after: auditView(retired),
    });
    return true;
  });
  if (!changed) return;
  ctx.log.info({ storeId: store.id, shopDomain: store.shopDomain }, "shopify app uninstalled: store disconnected");
  await publishShopifyUpdate({ ...ctx, config: deps.config }, { workspaceId: store.workspaceId, storeId: store.id });
}

interface PrivacyCustomer {
  id?: number | string;
  email?: string | null;
  phone?: string | null;
}

function customerOf(event: ShopifyWebhookEventRow): PrivacyCustomer {
  const customer = event.payload.customer;
  return customer && typeof customer === "object" ? (customer as PrivacyCustomer) : {};
}

/**
 * The workspace's contacts that are this customer: same e-mail (case-insensitive) or same phone
 * (digits and a leading +, compared without spaces, dashes or brackets). Null when the payload names
 * neither, so nothing matches by accident.
 */
function matchingContacts(workspaceId: string, customer: PrivacyCustomer): SQL | null {
  const email = customer.email?.trim().toLowerCase();
  const phone = customer.phone?.replace(/[^\d+]/g, "");
  const by: SQL[] = [];
  if (email) by.push(sql`lower(${contacts.email}) = ${email}`);
  if (phone && phone.replace(/\D/g, "").length >= 6) {
    by.push(sql`regexp_replace(${contacts.phone}, '[^0-9+]', '', 'g') = ${phone}`);
  }
  if (by.length === 0) return null;
  return and(eq(contacts.workspaceId, workspaceId), or(...by)) ?? null;
}

async function customerDataRequest(ctx: Ctx, store: ShopifyStoreRow, event: ShopifyWebhookEventRow) {
  const customer = customerOf(event);
  const where = matchingContacts(store.workspaceId, customer);
  const held = where ? await ctx.db.select({ id: contacts.id }).from(contacts).where(where) : [];
  const request = event.payload.data_request as { id?: number | string } | undefined;
  const record = {
    shopDomain: store.shopDomain,
    customerId: customer.id ?? null,
    email: customer.email ?? null,
    phone: customer.phone ?? null,
    dataRequestId: request?.id ?? null,
    ordersRequested: event.payload.orders_requested ?? [],
    contactIds: held.map((c) => c.id),
  };
  await recordAudit(ctx, {
    action: "shopify_store.customer_data_request",
    entityType: "shopify_store",
    entityId: store.id,
    after: record,
  });
  ctx.log.warn(
    { storeId: store.id, ...record },
    "Shopify customers/data_request: the merchant must give this customer their data (the listed contacts' conversations)",
  );
}

async function customerRedact(ctx: Ctx, store: ShopifyStoreRow, event: ShopifyWebhookEventRow, deps: ShopifyJobDeps) {
  const customer = customerOf(event);
  const where = matchingContacts(store.workspaceId, customer);
  const erased = await withTransaction(ctx, async (tx) => {
    const result = where ? await eraseContacts(tx.db, where) : { contacts: [], threads: [], messages: 0 };
    await recordAudit(tx, {
      action: "shopify_store.customer_redact",
      entityType: "shopify_store",
      entityId: store.id,
      after: {
        shopDomain: store.shopDomain,
        customerId: customer.id ?? null,
        contactIds: result.contacts.map((c) => c.id),
        messages: result.messages,
      },
    });
    return result;
  });
  ctx.log.info(
    { storeId: store.id, contacts: erased.contacts.length, messages: erased.messages },
    "Shopify customers/redact: erased the customer's contacts",
  );
  for (const thread of erased.threads) await publishConversation(deps.realtime, ctx.db, thread.workspaceId, thread.id);
}

async function shopRedact(ctx: Ctx, store: ShopifyStoreRow, deps: ShopifyJobDeps) {
  await withTransaction(ctx, async (tx) => {
    // The catalog, the knowledge source (with its documents and chunks) and the webhook events go
    // with the row (foreign keys on delete cascade).
    await tx.db.delete(shopifyStores).where(eq(shopifyStores.id, store.id));
    await recordAudit(tx, {
      action: "shopify_store.redact",
      entityType: "shopify_store",
      entityId: store.id,
      before: auditView(store),
    });
  });
  ctx.log.info(
    { storeId: store.id, shopDomain: store.shopDomain },
    "Shopify shop/redact: the store's data was deleted",
  );
  await publishShopifyUpdate({ ...ctx, config: deps.config }, { workspaceId: store.workspaceId, storeId: store.id });
}
