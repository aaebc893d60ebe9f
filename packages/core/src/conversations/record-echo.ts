import { type channels, type Db, messages } from "@tandem/db";
import { and, eq } from "drizzle-orm";
import type { AppJobDeps } from "../app-deps.ts";
import type { CustomerEvent } from "../channels/adapter.ts";
import { upsertContact } from "../contacts/upsert-contact.ts";
import { appendMessage } from "./append-message.ts";
import { publishConversation, publishMessage } from "./publish.ts";
import { fetchProfileOnce, messageIdByPlatformId } from "./receive-customer-message.ts";
import { upsertConversation } from "./upsert-conversation.ts";

type EchoEvent = Extract<CustomerEvent, { type: "echo" }>;

/**
 * A message the business sent, reported back by the platform (Messenger echoes). An echo of our own
 * send is matched by its platform id, or by the marker the adapter found (`ourMessageId`: every part
 * we send carries it, including parts after the first of a split reply), and changes nothing; so does
 * one the platform says this app sent (`fromThisApp`) before the send was recorded — the send job
 * writes that message. Anything else was sent from another tool (the Page inbox, another app): an
 * AGENT message marked `sentFromOutside`. A person answering elsewhere also switches the bot off, as
 * an agent's reply in Tandem does.
 */
export async function recordEcho(
  deps: Pick<AppJobDeps, "db" | "queue" | "realtime" | "log">,
  channel: Pick<typeof channels.$inferSelect, "id" | "workspaceId" | "chatbotId">,
  echo: EchoEvent,
  inboundEventId?: string,
): Promise<void> {
  if (await messageIdByPlatformId(deps.db, channel.id, echo.platformMessageId)) return;
  if (echo.fromThisApp || (echo.ourMessageId && (await isOurMessage(deps.db, channel.id, echo.ourMessageId)))) {
    deps.log.debug(
      { platformMessageId: echo.platformMessageId },
      "echo of our own send (a later part, or before the send was recorded)",
    );
    return;
  }
  const at = new Date(Math.min(echo.at.getTime(), Date.now()));
  const result = await deps.db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db;
    const contact = await upsertContact(tx, channel, echo.to.platformId);
    const conversation = await upsertConversation(tx, channel, contact, at);
    const { message } = await appendMessage(
      tx,
      conversation,
      {
        role: "AGENT",
        kind: echo.attachments.length > 0 ? "attachment" : "text",
        text: echo.text,
        attachments: echo.attachments,
        status: "sent",
        platformMessageId: echo.platformMessageId,
        sentFromOutside: true,
        metadata: { ...(inboundEventId ? { inboundEventId } : {}), ...echo.metadata },
        sentAt: at,
        createdAt: at,
      },
      // A person answered (from the platform's own inbox): the conversation no longer waits for one.
      { ignoreDuplicate: true, set: { humanRepliedAt: at, autoBot: false, needsHuman: false } },
    );
    return { contact, conversation, message };
  });
  if (!result.message) return;
  publishMessage(deps.realtime, channel.workspaceId, result.message);
  await publishConversation(deps.realtime, deps.db, channel.workspaceId, result.conversation.id);
  await fetchProfileOnce(deps, result.contact);
}

async function isOurMessage(db: Db, channelId: string, messageId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: messages.id })
    .from(messages)
    .where(and(eq(messages.id, messageId), eq(messages.channelId, channelId)))
    .limit(1);
  return row !== undefined;
}
