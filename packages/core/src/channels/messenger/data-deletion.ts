/**
 * Meta's data-deletion callback. Meta POSTs `signed_request=<base64url signature>.<base64url payload>`
 * (HMAC-SHA256 of the encoded payload with the App Secret; the payload names `user_id`). We erase that
 * user's Messenger data in every workspace at once — the request is app-level, not per workspace:
 *
 * - their contacts, with the messages they sent and the conversations' summaries (`eraseContacts`),
 *   and their reactions;
 * - their events in the raw webhook entries, whatever the entry's state (other customers' events in
 *   the same entry are kept, and still processed). A job processing one
 *   right now, or a retry of one that already read it, stores the message without its content: the
 *   contact's `erased_at` is later than the entry's arrival (process-inbound-event.ts).
 *
 * A `data_deletion_request` row records the outcome under a random confirmation code; Meta shows the
 * user `{url, confirmation_code}`, and the URL answers with the status.
 *
 * The `user_id` Meta sends is matched against contacts' `platform_user_id` (the PSID) directly, and —
 * since Meta usually names the person by their app-scoped id — through the ID Matching API
 * (`/{user_id}/ids_for_pages` with the app token), which lists their PSIDs on the Pages of the app's
 * business. Whatever matched, the request is recorded with the counts and the matching's outcome in
 * `details`, so the result is visible either way.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { channels, contacts, type Db, dataDeletionRequests, inboundEvents, messages } from "@tandem/db";
import { and, eq, inArray, or, sql } from "drizzle-orm";
import type { Config } from "../../config.ts";
import { eraseContacts } from "../../contacts/erase-contacts.ts";
import { publishConversation } from "../../conversations/publish.ts";
import { DomainError } from "../../errors.ts";
import type { Logger } from "../../logger.ts";
import type { RealtimePublisher } from "../../realtime.ts";
import { createGraphClient } from "./graph-client.ts";

export interface DataDeletionDeps {
  db: Db;
  config: Pick<Config, "facebook" | "appUrl">;
  log: Logger;
  realtime?: RealtimePublisher | undefined;
}

export interface DataDeletionResult {
  url: string;
  confirmation_code: string;
}

const invalidRequest = () =>
  new DomainError("invalid_signature", "The signed_request is missing, malformed or not signed by this app");

/** Verifies `signed_request` with the App Secret and returns Meta's payload. */
export function parseSignedRequest(
  signedRequest: string,
  appSecret: string,
): { userId: string; issuedAt: number | null } {
  const [encodedSignature, encodedPayload, extra] = signedRequest.trim().split(".");
  if (!encodedSignature || !encodedPayload || extra !== undefined) throw invalidRequest();
  const signature = Buffer.from(encodedSignature, "base64url");
  const expected = createHmac("sha256", appSecret).update(encodedPayload).digest();
  if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) throw invalidRequest();
  let payload: { algorithm?: unknown; user_id?: unknown; issued_at?: unknown };
  try {
    payload = JSON.parse(Buffer.from(encodedPayload, "base64url").toString("utf8"));
  } catch {
    throw invalidRequest();
  }
  if (typeof payload.algorithm !== "string" || payload.algorithm.toUpperCase() !== "HMAC-SHA256")
    throw invalidRequest();
  const userId = typeof payload.user_id === "number" ? String(payload.user_id) : payload.user_id;
  if (typeof userId !== "string" || !userId) throw invalidRequest();
  return { userId, issuedAt: typeof payload.issued_at === "number" ? payload.issued_at : null };
}

export async function requestMessengerDataDeletion(
  deps: DataDeletionDeps,
  input: { signedRequest: string },
): Promise<DataDeletionResult> {
  const appSecret = deps.config.facebook.appSecret;
  if (!appSecret) {
    throw new DomainError(
      "messenger_not_configured",
      "Data-deletion requests cannot be verified: FB_APP_SECRET is not set on this server",
    );
  }
  const { userId } = parseSignedRequest(input.signedRequest, appSecret);
  const confirmationCode = randomBytes(10).toString("hex");
  // Meta names the person by the id it knows: a PSID, or an app-scoped id that the ID Matching API
  // turns into their PSIDs on the business's Pages. Outside the transaction: it is a network call.
  const matching = await matchPageScopedIds(deps, userId);
  const ids = [...new Set([userId, ...matching.psids])];

  const erased = await deps.db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db;
    const {
      contacts: erasedContacts,
      threads,
      messages: erasedMessages,
    } = await eraseContacts(
      tx,
      and(
        inArray(contacts.platformUserId, ids),
        inArray(
          contacts.channelId,
          tx.select({ id: channels.id }).from(channels).where(eq(channels.type, "messenger")),
        ),
      )!,
    );
    const contactIds = erasedContacts.map((c) => c.id);
    if (threads.length) {
      // Reactions are kept per reacting PSID, on our messages as well as theirs.
      await tx
        .update(messages)
        .set({ reactions: sql`${messages.reactions} - array[${idList(ids)}]::text[]` })
        .where(
          and(
            inArray(
              messages.conversationId,
              threads.map((t) => t.id),
            ),
            sql`${messages.reactions} ?| array[${idList(ids)}]::text[]`,
          ),
        );
    }
    const redactedEvents = await redactInboundEntries(tx, ids);
    const details = {
      idMatching: matching.detail,
      contacts: contactIds.length,
      messages: erasedMessages,
      inboundEvents: redactedEvents,
      workspaces: new Set(erasedContacts.map((c) => c.workspaceId)).size,
    };
    await tx.insert(dataDeletionRequests).values({
      platform: "messenger",
      platformUserId: userId,
      confirmationCode,
      status: "completed",
      details,
      completedAt: sql`now()`,
    });
    return { threads, details };
  });

  deps.log.info({ confirmationCode, ...erased.details }, "erased a Messenger user's data on Meta's request");
  if (deps.realtime) {
    for (const t of erased.threads) await publishConversation(deps.realtime, deps.db, t.workspaceId, t.id);
  }
  return { url: dataDeletionStatusUrl(deps.config.appUrl, confirmationCode), confirmation_code: confirmationCode };
}

export const dataDeletionStatusUrl = (appUrl: string, code: string) =>
  `${appUrl}/api/webhooks/messenger/data-deletion/${encodeURIComponent(code)}`;

const idList = (ids: string[]) =>
  sql.join(
    ids.map((id) => sql`${id}`),
    sql`, `,
  );

/**
 * The PSIDs of an app-scoped user id, from the ID Matching API (`/{asid}/ids_for_pages`, app token).
 * A PSID there is simply not found; a failure (no business, no permission, Graph down) is kept in the
 * request's details and the log, and the direct match still runs.
 */
async function matchPageScopedIds(
  deps: DataDeletionDeps,
  userId: string,
): Promise<{ psids: string[]; detail: Record<string, unknown> }> {
  const { appId, appSecret, graphApiUrl } = deps.config.facebook;
  if (!appId || !appSecret) return { psids: [], detail: { skipped: "FB_APP_ID is not set" } };
  try {
    const graph = createGraphClient({ baseUrl: graphApiUrl, appId, appSecret });
    const matched = await graph.idsForPages(userId);
    return { psids: matched.map((m) => m.id), detail: { psids: matched.length } };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    deps.log.warn({ err: error }, "data deletion: the ID Matching API failed; erasing by the id Meta sent only");
    return { psids: [], detail: { error: message.slice(0, 300) } };
  }
}

/**
 * The raw webhook entries that carried the user's events lose those events — only those: an entry
 * batches several customers' events, and the others' are still to be processed (or kept as sent).
 * The entry is marked `redacted`.
 */
async function redactInboundEntries(tx: Db, ids: string[]): Promise<number> {
  const involving = (list: "messaging" | "standby", party: "sender" | "recipient", id: string) =>
    sql`${inboundEvents.payload} @> ${JSON.stringify({ [list]: [{ [party]: { id } }] })}::jsonb`;
  const others = (list: "messaging" | "standby") => sql`case when ${inboundEvents.payload} ? ${list}
      then jsonb_build_object(${list}::text, coalesce((
        select jsonb_agg(item) from jsonb_array_elements(${inboundEvents.payload}->${list}::text) item
        where coalesce(item->'sender'->>'id', '') not in (${idList(ids)})
          and coalesce(item->'recipient'->>'id', '') not in (${idList(ids)})), '[]'::jsonb))
      else '{}'::jsonb end`;
  const rows = await tx
    .update(inboundEvents)
    .set({
      payload: sql`(${inboundEvents.payload} - 'messaging' - 'standby') || ${others("messaging")} || ${others("standby")}
        || '{"redacted": true}'::jsonb`,
    })
    .where(
      and(
        eq(inboundEvents.source, "messenger"),
        or(
          ...ids.flatMap((id) => [
            involving("messaging", "sender", id),
            involving("messaging", "recipient", id),
            involving("standby", "sender", id),
            involving("standby", "recipient", id),
          ]),
        ),
      ),
    )
    .returning({ id: inboundEvents.id });
  return rows.length;
}

export interface DataDeletionStatus {
  confirmationCode: string;
  status: "pending" | "completed" | "failed";
  requestedAt: string;
  completedAt: string | null;
}

/** What the status URL shows: the request's state, nothing about the person. */
export async function getDataDeletionStatus(deps: { db: Db }, input: { code: string }): Promise<DataDeletionStatus> {
  const [row] = await deps.db
    .select()
    .from(dataDeletionRequests)
    .where(eq(dataDeletionRequests.confirmationCode, input.code))
    .limit(1);
  if (!row)
    throw new DomainError("data_deletion_request_not_found", "No data-deletion request has this confirmation code");
  return {
    confirmationCode: row.confirmationCode,
    status: row.status,
    requestedAt: row.requestedAt.toISOString(),
    completedAt: row.completedAt?.toISOString() ?? null,
  };
}
