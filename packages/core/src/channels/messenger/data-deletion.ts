/**
 * Meta's data-deletion callback. Meta POSTs `signed_request=<base64url signature>.<base64url payload>`
 * (HMAC-SHA256 of the encoded payload with the App Secret; the payload names `user_id`). We erase that
 * user's Messenger data in every workspace at once — the request is app-level, not per workspace:
 *
 * - contact profiles: name fields, picture, locale, e-mail, phone, metadata cleared, `erased_at` set;
 * - the text, attachments and payloads of the messages they sent (USER messages) — the thread keeps
 *   its shape and our own replies, so agents still see that a conversation happened — their
 *   reactions, and the conversations' rolling summaries (written from what they said);
 * - the raw webhook entries that carried their events, whatever their state. A job processing one
 *   right now, or a retry of one that already read it, stores the message without its content: the
 *   contact's `erased_at` is later than the entry's arrival (process-inbound-event.ts).
 *
 * A `data_deletion_request` row records the outcome under a random confirmation code; Meta shows the
 * user `{url, confirmation_code}`, and the URL answers with the status.
 *
 * The `user_id` Meta sends is matched against contacts' `platform_user_id` (the PSID). When Meta
 * names the person by an id scoped to the app rather than to the Page, nothing matches: the request
 * is still recorded, with the counts (zero) in `details`, so the outcome is visible either way.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { channels, contacts, conversations, type Db, dataDeletionRequests, inboundEvents, messages } from "@tandem/db";
import { and, eq, inArray, or, sql } from "drizzle-orm";
import type { Config } from "../../config.ts";
import { publishConversation } from "../../conversations/publish.ts";
import { DomainError } from "../../errors.ts";
import type { Logger } from "../../logger.ts";
import type { RealtimePublisher } from "../../realtime.ts";

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

  const erased = await deps.db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db;
    const erasedContacts = await tx
      .update(contacts)
      .set({
        name: null,
        firstName: null,
        lastName: null,
        pictureUrl: null,
        locale: null,
        lastSeenAt: null,
        timezone: null,
        email: null,
        phone: null,
        metadata: {},
        erasedAt: sql`now()`,
      })
      .where(
        and(
          eq(contacts.platformUserId, userId),
          inArray(
            contacts.channelId,
            tx.select({ id: channels.id }).from(channels).where(eq(channels.type, "messenger")),
          ),
        ),
      )
      .returning({ id: contacts.id, workspaceId: contacts.workspaceId });
    const contactIds = erasedContacts.map((c) => c.id);
    const threads = contactIds.length
      ? await tx
          .select({ id: conversations.id, workspaceId: conversations.workspaceId })
          .from(conversations)
          .where(inArray(conversations.contactId, contactIds))
      : [];
    const erasedMessages = threads.length
      ? await tx
          .update(messages)
          .set({ text: null, attachments: [], payload: null })
          .where(
            and(
              inArray(
                messages.conversationId,
                threads.map((t) => t.id),
              ),
              eq(messages.role, "USER"),
            ),
          )
          .returning({ id: messages.id })
      : [];
    if (threads.length) {
      // Reactions are kept per reacting PSID, on our messages as well as theirs.
      await tx
        .update(messages)
        .set({ reactions: sql`${messages.reactions} - ${userId}::text` })
        .where(
          and(
            inArray(
              messages.conversationId,
              threads.map((t) => t.id),
            ),
            sql`${messages.reactions} ? ${userId}::text`,
          ),
        );
      await tx
        .update(conversations)
        .set({ lastMessagePreview: null, summary: null, summaryMessageCount: 0 })
        .where(
          inArray(
            conversations.id,
            threads.map((t) => t.id),
          ),
        );
    }
    const redactedEvents = await redactInboundEntries(tx, userId);
    const details = {
      contacts: contactIds.length,
      messages: erasedMessages.length,
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

/** Webhook entries in which the user wrote (or the Page wrote to them) lose their events. */
async function redactInboundEntries(tx: Db, userId: string): Promise<number> {
  const involving = (list: "messaging" | "standby", party: "sender" | "recipient") =>
    sql`${inboundEvents.payload} @> ${JSON.stringify({ [list]: [{ [party]: { id: userId } }] })}::jsonb`;
  const rows = await tx
    .update(inboundEvents)
    .set({
      payload: sql`jsonb_strip_nulls(jsonb_build_object('id', ${inboundEvents.payload}->'id', 'time', ${inboundEvents.payload}->'time', 'redacted', true))`,
    })
    .where(
      and(
        eq(inboundEvents.source, "messenger"),
        or(
          involving("messaging", "sender"),
          involving("messaging", "recipient"),
          involving("standby", "sender"),
          involving("standby", "recipient"),
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
