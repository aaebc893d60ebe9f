import type { WidgetPageEvent } from "@tandem/contracts";
import type { Db } from "@tandem/db";
import { describeUserAgent } from "../auth/user-agent.ts";
import type { ChatbotRow } from "../bots/chatbot-for.ts";
import { publishConversation } from "../conversations/publish.ts";
import type { RealtimePublisher } from "../realtime.ts";
import { latestConversationId, updateVisitor, visitorMetadata, widgetContact } from "./widget-contact.ts";

export interface VisitorPresenceDeps {
  db: Db;
  realtime?: RealtimePublisher | undefined;
}

/**
 * What agents see of a widget visitor, written by the widget socket (apps/web widget-realtime.ts) to
 * `contact.metadata.visitor` and published as `conversation:updated` of the visitor's latest
 * conversation, when there is one.
 */

/**
 * The page the visitor is on (the widget's `page` event) and their browser (from the handshake's
 * User-Agent). The first page of a session makes its contact, so the inbox knows the visitor from
 * their first message on.
 */
export async function recordVisitorPage(
  deps: VisitorPresenceDeps,
  chatbot: ChatbotRow,
  sessionId: string,
  page: WidgetPageEvent,
  userAgent: string | null | undefined,
): Promise<void> {
  const contact = await widgetContact(deps.db, chatbot, sessionId, { create: true });
  const { browser, os } = describeUserAgent(userAgent);
  await updateVisitor(
    deps.db,
    contact.id,
    { pageUrl: page.url, pageTitle: page.title ?? null, browser, os },
    { lastSeenAt: new Date() },
  );
  await publishVisitor(deps, contact.workspaceId, contact.id);
}

/**
 * Whether any widget socket of the session is connected (on any web process). Only a contact that
 * exists is written (a session that never sent a page or a message has none), and only a change is
 * published. Going offline stamps `lastSeenAt`.
 */
export async function setVisitorOnline(
  deps: VisitorPresenceDeps,
  chatbot: ChatbotRow,
  sessionId: string,
  online: boolean,
): Promise<boolean> {
  const contact = await widgetContact(deps.db, chatbot, sessionId);
  if (!contact || visitorMetadata(contact).online === online) return false;
  await updateVisitor(deps.db, contact.id, { online }, { lastSeenAt: new Date() });
  await publishVisitor(deps, contact.workspaceId, contact.id);
  return true;
}

async function publishVisitor(deps: VisitorPresenceDeps, workspaceId: string, contactId: string) {
  if (!deps.realtime) return;
  const conversationId = await latestConversationId(deps.db, contactId);
  if (conversationId) await publishConversation(deps.realtime, deps.db, workspaceId, conversationId);
}
