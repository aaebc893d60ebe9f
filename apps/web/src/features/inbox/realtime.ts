"use client";

import { ConversationDto, MessageDto, SOCKET_EVENTS } from "@tandem/contracts";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { io, type Socket } from "socket.io-client";
import { authKeys } from "@/features/auth/queries";
import { inboxKeys, storeConversation, storeMessage } from "./cache";
import type { PresenceMember } from "./queries";

export type RealtimeStatus = "connecting" | "live" | "reconnecting";

/**
 * The inbox's socket: events go straight into the TanStack Query cache. The socket is in its
 * workspace's room from the handshake on and joins the open conversation's room after the server's
 * access check. On every connection (the first and after a drop) everything the inbox shows is
 * refetched, so nothing that happened before the socket was in its rooms is missed.
 */
export function useInboxRealtime(openConversationId: string | null): RealtimeStatus {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<RealtimeStatus>("connecting");
  const socketRef = useRef<Socket | null>(null);
  const openRef = useRef(openConversationId);
  openRef.current = openConversationId;

  useEffect(() => {
    const socket = io({ path: "/socket.io", withCredentials: true });
    socketRef.current = socket;
    let connectedBefore = false;

    socket.on("connect", () => {
      setStatus("live");
      const open = openRef.current;
      if (open) socket.emit(SOCKET_EVENTS.conversationJoin, open);
      // Whatever happened while the socket was not in its rooms is only on the server: after a
      // reconnect, and on the first connect too — the list may have been fetched (or be in flight)
      // before the socket joined, and an event in between would never arrive. One refetch closes it.
      void queryClient.invalidateQueries({ queryKey: inboxKeys.all });
      connectedBefore = true;
    });
    socket.on("disconnect", () => setStatus("reconnecting"));
    socket.on("connect_error", (error) => {
      setStatus(connectedBefore ? "reconnecting" : "connecting");
      // The session is gone: asking for `me` gets the 401 that sends the browser to /login.
      if (error.message === "unauthenticated") void queryClient.invalidateQueries({ queryKey: authKeys.me });
    });

    socket.on(SOCKET_EVENTS.conversationUpdated, (payload: unknown) => {
      const dto = ConversationDto.safeParse(payload);
      if (dto.success) storeConversation(queryClient, dto.data, openRef.current);
    });
    const onMessage = (payload: unknown) => {
      const dto = MessageDto.safeParse(payload);
      if (dto.success) storeMessage(queryClient, dto.data);
    };
    socket.on(SOCKET_EVENTS.messageNew, onMessage);
    socket.on(SOCKET_EVENTS.messageUpdated, onMessage);
    socket.on(SOCKET_EVENTS.presenceUpdate, (payload: { online?: PresenceMember[] } | null) => {
      queryClient.setQueryData<PresenceMember[]>(inboxKeys.presence, payload?.online ?? []);
    });

    return () => {
      socket.disconnect();
      socketRef.current = null;
    };
  }, [queryClient]);

  useEffect(() => {
    const socket = socketRef.current;
    if (!socket || !openConversationId) return;
    if (socket.connected) socket.emit(SOCKET_EVENTS.conversationJoin, openConversationId);
    return () => {
      socket.emit(SOCKET_EVENTS.conversationLeave, openConversationId);
    };
  }, [openConversationId]);

  return status;
}
