"use client";

import type { ConversationDto } from "@tandem/contracts";
import { useCallback, useEffect, useRef } from "react";
import { useCurrentUser } from "@/features/auth/queries";
import { flattenConversations } from "@/features/inbox/cache";
import { DEFAULT_FILTERS } from "@/features/inbox/filters";
import { contactName } from "@/features/inbox/people";
import { useConversationList, useInboxOptions } from "@/features/inbox/queries";
import { type AlertKind, alertKindsFor, createAlertMemory } from "./alert-rules";
import { playChime, showNotification } from "./desktop";
import { useAlertPreferences } from "./preferences";

const TITLES: Record<AlertKind, (name: string) => string> = {
  newConversation: (name) => `New conversation: ${name}`,
  myConversation: (name) => `${name} wrote`,
  handoff: (name) => `${name} needs a human`,
};

function bodyOf(conversation: ConversationDto): string {
  const text = conversation.lastMessage?.text?.trim();
  if (!text) return conversation.lastMessage ? "Sent an attachment" : "";
  return text.length > 140 ? `${text.slice(0, 139)}…` : text;
}

/**
 * The inbox's alerts: returns the handler for live conversation updates, which picks the first kind
 * the person wants (their preferences) and chimes and/or shows a desktop notification — unless it is
 * the conversation they are looking at, in a focused tab. Clicking the notification opens it.
 */
export function useInboxAlerts(openId: string | null, open: (id: string) => void) {
  const me = useCurrentUser();
  const options = useInboxOptions();
  const [preferences] = useAlertPreferences(me.user.id);
  const myMemberId = options.data?.members.find((m) => m.userId === me.user.id)?.id ?? null;
  const memory = useRef(createAlertMemory());
  const latest = useRef({ preferences, myMemberId, openId, open });
  latest.current = { preferences, myMemberId, openId, open };

  return useCallback((previous: ConversationDto | undefined, next: ConversationDto) => {
    const { preferences, myMemberId, openId, open } = latest.current;
    // Always recorded, wanted or not, so turning a kind on later does not announce old news.
    const kinds = alertKindsFor(previous, next, myMemberId, memory.current);
    const kind = kinds.find((k) => preferences.kinds[k]);
    if (!kind) return;
    if (next.id === openId && document.visibilityState === "visible" && document.hasFocus()) return;
    if (preferences.sound) playChime();
    showNotification({
      title: TITLES[kind](contactName(next)),
      body: bodyOf(next),
      tag: `${kind}:${next.id}`,
      onClick: () => open(next.id),
    });
  }, []);
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
  const count = flattenConversations(unread.data).length;
  const { hasNextPage, isFetchingNextPage, isError, fetchNextPage } = unread;
  const more = hasNextPage && count <= TITLE_COUNT_LIMIT;
  useEffect(() => {
    if (more && !isFetchingNextPage && !isError) void fetchNextPage();
  }, [more, isFetchingNextPage, isError, fetchNextPage]);
  const label = count === 0 ? "" : count > TITLE_COUNT_LIMIT ? `(${TITLE_COUNT_LIMIT}+) ` : more ? "" : `(${count}) `;

  useEffect(() => {
    const base = document.title.replace(UNREAD_PREFIX, "");
    document.title = `${label}${base}`;
  }, [label]);
  useEffect(
    () => () => {
      document.title = document.title.replace(UNREAD_PREFIX, "");
    },
    [],
  );
}
