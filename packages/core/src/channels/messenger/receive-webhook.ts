/**
 * The POST half of the Messenger webhook: the app secret, then the shared inbound store
 * (`inbound/store.ts`: verify → split → store → answer, group commit, counters, pacing). Meta's body
 * is app-level: each `entry[]` names its Page, which the store resolves to the connected channel.
 * Pages nobody connected (or only disconnected channels) are kept as `ignored` rows without a channel:
 * `listUnconnectedPages` reports them from those rows, the Messenger webhook's health in the dashboard.
 */
import { channels, type Db, inboundEvents, workspaces } from "@tandem/db";
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Config } from "../../config.ts";
import { DomainError } from "../../errors.ts";
import { type InboundDeps, receiveInbound } from "../../inbound/store.ts";
import { messengerInbound } from "./adapter.ts";

export interface WebhookDeps extends InboundDeps {
  config: Pick<Config, "facebook">;
}

export interface ReceiveMessengerWebhookInput {
  /** The request body exactly as received: the signature covers these bytes. */
  rawBody: Uint8Array;
  /** The `X-Hub-Signature-256` header. */
  signature: string | null | undefined;
  /** The sender's address (`clientAddress`), for the per-sender limit on counting bad signatures. */
  sourceAddress?: string | undefined;
}

export interface ReceiveMessengerWebhookResult {
  /** Entries stored for processing. */
  pending: number;
  /** Entries stored but not processed: unknown Page, or nothing in them to process. */
  ignored: number;
}

export async function receiveMessengerWebhook(
  deps: WebhookDeps,
  input: ReceiveMessengerWebhookInput,
): Promise<ReceiveMessengerWebhookResult> {
  const appSecret = deps.config.facebook.appSecret;
  if (!appSecret) {
    throw new DomainError(
      "messenger_not_configured",
      "Messenger webhooks cannot be verified: FB_APP_SECRET is not set on this server",
    );
  }
  const { pending, ignored } = await receiveInbound(
    deps,
    { type: "messenger", inbound: messengerInbound(deps.config) },
    {
      rawBody: input.rawBody,
      header: (name) => (name === "x-hub-signature-256" ? (input.signature ?? undefined) : undefined),
      secret: appSecret,
      sourceAddress: input.sourceAddress,
    },
  );
  return { pending, ignored };
}

// ---- reporting and recovery --------------------------------------------------------------------

/** How far back `listUnconnectedPages` looks. */
export const UNCONNECTED_PAGE_WINDOW_DAYS = 7;

export interface UnconnectedPage {
  pageId: string;
  /** messaging[] + standby[] items received for the Page in the window. */
  events: number;
  lastEventAt: Date;
}

/**
 * Pages that sent events in the last week though no channel is connected to them (never connected,
 * or disconnected while Facebook kept the app subscribed), most recent first: the admin either
 * connects the Page or removes the app from it. Their entries are `ignored`, without a channel.
 *
 * Only for the workspace that can claim the Page: the one it was connected to before, or — for a
 * Page no workspace ever connected — the installation's only workspace. With several workspaces a
 * never-connected Page is listed for none: its id and traffic are no other tenant's business.
 */
export async function listUnconnectedPages(db: Db, workspaceId: string, limit = 20): Promise<UnconnectedPage[]> {
  const items = sql<number>`coalesce(jsonb_array_length(case when jsonb_typeof(${inboundEvents.payload}->'messaging') = 'array' then ${inboundEvents.payload}->'messaging' end), 0)
    + coalesce(jsonb_array_length(case when jsonb_typeof(${inboundEvents.payload}->'standby') = 'array' then ${inboundEvents.payload}->'standby' end), 0)`;
  const rows = await db
    .select({
      pageId: inboundEvents.externalId,
      events: sql<number>`sum(${items})::int`,
      lastEventAt: sql<string>`max(${inboundEvents.receivedAt})`,
    })
    .from(inboundEvents)
    .where(
      and(
        eq(inboundEvents.status, "ignored"),
        sql`${inboundEvents.receivedAt} > now() - make_interval(days => ${UNCONNECTED_PAGE_WINDOW_DAYS})`,
        eq(inboundEvents.source, "messenger"),
        isNull(inboundEvents.channelId),
        // Connected since: not a stray any more.
        sql`not exists (select 1 from ${channels} c where c.type = 'messenger' and c.external_id = ${inboundEvents.externalId} and c.disconnected_at is null)`,
        sql`(
          exists (select 1 from ${channels} c where c.type = 'messenger' and c.external_id = ${inboundEvents.externalId} and c.workspace_id = ${workspaceId})
          or (
            not exists (select 1 from ${channels} c where c.type = 'messenger' and c.external_id = ${inboundEvents.externalId})
            and (select count(*) from ${workspaces}) = 1
          )
        )`,
      ),
    )
    .groupBy(inboundEvents.externalId)
    .orderBy(sql`max(${inboundEvents.receivedAt}) desc`)
    .limit(limit);
  return rows.flatMap((r) =>
    r.pageId ? [{ pageId: r.pageId, events: Number(r.events), lastEventAt: new Date(r.lastEventAt) }] : [],
  );
}
