"use client";

import { MarkedRead, type NotificationDto, NotificationList } from "@tandem/contracts";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { toast } from "sonner";
import { api } from "@/lib/api";
import { showNotification } from "./desktop";

export const notificationKeys = { unread: ["notifications", "unread"] as const };

/** My unread notifications (@mentions), kept while I was away; the socket's `notification:new` refreshes it. */
export function useUnreadNotifications() {
  return useQuery({
    queryKey: notificationKeys.unread,
    queryFn: ({ signal }) => api.get("/api/v1/notifications", NotificationList, signal),
  });
}

export function useMarkNotificationRead() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.post(`/api/v1/notifications/${encodeURIComponent(id)}/read`, {}, MarkedRead),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: notificationKeys.unread }),
  });
}

export const mentionTitle = (n: NotificationDto) =>
  n.kind === "moderation_escalated"
    ? `${n.actor?.name ?? "A teammate"} escalated a flagged message to you`
    : `${n.actor?.name ?? "A teammate"} mentioned you in a note`;

/**
 * Mentions on screen: each unread one is announced once per page load — a toast with "Open", and a
 * desktop notification when the browser allows them — whether it arrived live or while I was
 * offline. Opening the conversation (from the toast or otherwise) marks its mentions read.
 */
export function useMentionAlerts(openId: string | null, open: (conversationId: string) => void) {
  const unread = useUnreadNotifications();
  const markRead = useMarkNotificationRead();
  const announced = useRef(new Set<string>());
  const latest = useRef({ open, markRead: markRead.mutate });
  latest.current = { open, markRead: markRead.mutate };

  useEffect(() => {
    for (const notification of unread.data?.data ?? []) {
      if (announced.current.has(notification.id) || notification.conversationId === openId) continue;
      announced.current.add(notification.id);
      const where = notification.contactName ? ` (${notification.contactName})` : "";
      const go = () => latest.current.open(notification.conversationId);
      toast(mentionTitle(notification), {
        id: `mention-${notification.id}`,
        description: `${notification.excerpt}${where}`,
        duration: 10_000,
        action: { label: "Open", onClick: go },
      });
      showNotification({
        title: mentionTitle(notification),
        body: notification.excerpt,
        tag: `mention-${notification.id}`,
        onClick: go,
      });
    }
  }, [unread.data, openId]);

  // Looking at the conversation reads its mentions.
  useEffect(() => {
    if (!openId) return;
    for (const notification of unread.data?.data ?? []) {
      if (notification.conversationId === openId) latest.current.markRead(notification.id);
    }
  }, [unread.data, openId]);
}
