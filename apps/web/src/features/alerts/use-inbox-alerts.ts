"use client";

import type { ConversationDto, MessageDto } from "@tandem/contracts";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useRef } from "react";
import { useCurrentUser } from "@/features/auth/queries";
import { cachedConversation, flattenConversations } from "@/features/inbox/cache";
import { DEFAULT_FILTERS } from "@/features/inbox/filters";
import { contactName } from "@/features/inbox/people";
import { useConversationList, useInboxOptions } from "@/features/inbox/queries";
import type { RealtimeListeners } from "@/features/inbox/realtime";
import { type AlertKind, createAlertMemory, customerMessageAlerts, isNewHandoff } from "./alert-rules";
import { playChime, showNotification } from "./desktop";
import { useAlertPreferences } from "./preferences";

const TITLES: Record<AlertKind, (name: string) => string> = {
  newConversation: (name) => `New conversation: ${name}`,
  myConversation: (name) => `${name} wrote`,
  handoff: (name) => `${name} needs a human`,
};

/** How long a notification waits for a new customer's name. */
const NAME_WAIT_MS = 1_500;
/** Alerts in a burst chime once. */
const CHIME_GAP_MS = 2_000;

function preview(message: Pick<MessageDto, "text"> | null): string {
  const text = message?.text?.trim();
  if (!text) return message ? "Sent an attachment" : "";
  return text.length > 140 ? `${text.slice(0, 139)}…` : text;
}

/**
 * The inbox's alerts: handlers for the live events, which pick the first kind the person wants (their
 * preferences) and chime and/or show a desktop notification — unless it is the conversation they are
 * looking at, in a focused tab. Clicking the notification opens the conversation. One notification
 * per conversation at a time (its `tag`): a later alert replaces the earlier one.
 */
export function useInboxAlerts(openId: string | null, open: (id: string) => void): RealtimeListeners {
  const queryClient = useQueryClient();
  const me = useCurrentUser();
  const options = useInboxOptions();
  const [preferences] = useAlertPreferences(me.user.id);
  const myMemberId = options.data?.members.find((m) => m.userId === me.user.id)?.id ?? null;
  const latest = useRef({ preferences, myMemberId, openId, open });
  latest.current = { preferences, myMemberId, openId, open };

  return useMemo(() => {
    // Always recorded, wanted or not, so turning a kind on later does not announce old news.
    const memory = createAlertMemory();
    // A new conversation's first message can arrive before the conversation itself.
    const waiting = new Map<string, MessageDto[]>();
    let lastChime = 0;

    const alert = (kinds: AlertKind[], conversation: ConversationDto, body: string) => {
      const { preferences, openId, open } = latest.current;
      const kind = kinds.find((k) => preferences.kinds[k]);
      if (!kind) return;
      if (conversation.id === openId && document.visibilityState === "visible" && document.hasFocus()) return;
      if (preferences.sound && Date.now() - lastChime > CHIME_GAP_MS) {
        lastChime = Date.now();
        playChime();
      }
      const announce = () => {
        const named = cachedConversation(queryClient, conversation.id) ?? conversation;
        showNotification({
          title: TITLES[kind](contactName(named)),
          body,
          tag: conversation.id,
          onClick: () => open(conversation.id),
        });
      };
      // A new customer's name often arrives a moment after their first message (the platform's
      // profile): wait for it rather than announce "Unknown customer".
      if (conversation.contact?.name) announce();
      else setTimeout(announce, NAME_WAIT_MS);
    };
    const customerWrote = (message: MessageDto, conversation: ConversationDto) =>
      alert(
        customerMessageAlerts(message, conversation, latest.current.myMemberId, memory),
        conversation,
        preview(message),
      );

    return {
      onMessageNew: (message) => {
        if (message.role !== "USER") return;
        const conversation = cachedConversation(queryClient, message.conversationId);
        if (conversation) customerWrote(message, conversation);
        else waiting.set(message.conversationId, [...(waiting.get(message.conversationId) ?? []), message]);
      },
      onConversationUpdate: (previous, next) => {
        for (const message of waiting.get(next.id) ?? []) customerWrote(message, next);
        waiting.delete(next.id);
        if (isNewHandoff(previous, next, memory)) alert(["handoff"], next, preview(next.lastMessage));
      },
    };
  }, [queryClient]);
}

/** The title counts exactly up to here, then says "99+". */
const TITLE_COUNT_LIMIT = 99;
const UNREAD_PREFIX = /^\(\d+\+?\) /;

/**
 * The tab's title counts the open conversations with unread messages: "(3) Inbox · Tandem". The count
 * is the Unread list (the same query as the list's Unread chip, which the socket keeps current),
 * loaded page by page until it is exact or past 99.
 */
export function useUnreadTitle() {
  const unread = useConversationList({ ...DEFAULT_FILTERS, unread: true });
  // The list keeps the open conversation's row after it is read (so it does not vanish while in use).
  const count = flattenConversations(unread.data).filter((c) => c.unreadCount > 0).length;
  const { hasNextPage, isFetchingNextPage, isError, fetchNextPage } = unread;
  const more = hasNextPage && count <= TITLE_COUNT_LIMIT;
  useEffect(() => {
    if (more && !isFetchingNextPage && !isError) void fetchNextPage();
  }, [more, isFetchingNextPage, isError, fetchNextPage]);
  const label = count === 0 ? "" : count > TITLE_COUNT_LIMIT ? `(${TITLE_COUNT_LIMIT}+) ` : more ? "" : `(${count}) `;

  // Next.js writes the page's own title (on navigation, as metadata streams in): the count is put
  // back in front whenever the title changes under it.
  useEffect(() => {
    const apply = () => {
      const wanted = `${label}${document.title.replace(UNREAD_PREFIX, "")}`;
      if (document.title !== wanted) document.title = wanted;
    };
    apply();
    const observer = new MutationObserver(apply);
    observer.observe(document.head, { subtree: true, childList: true, characterData: true });
    return () => {
      observer.disconnect();
      document.title = document.title.replace(UNREAD_PREFIX, "");
    };
  }, [label]);
}
