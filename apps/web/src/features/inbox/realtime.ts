"use client";

import {
  ConversationDto,
  type ConversationViewer,
  type ConversationViewersEvent,
  type MeResponse,
  MessageDto,
  SessionResponse,
  SOCKET_EVENTS,
  TYPING_TTL_MS,
} from "@tandem/contracts";
import { type QueryClient, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { io, type Socket } from "socket.io-client";
import { toast } from "sonner";
import { notificationKeys } from "@/features/alerts/mentions";
import { authKeys } from "@/features/auth/queries";
import { api, isApiError, redirectToLogin } from "@/lib/api";
import { cachedConversation, inboxKeys, storeConversation, storeMessage } from "./cache";
import type { PresenceMember } from "./queries";

/** Told of live events after they are in the cache: a new message; a conversation update, with the copy the cache had before. */
export interface RealtimeListeners {
  onMessageNew: (message: MessageDto) => void;
  onConversationUpdate: (previous: ConversationDto | undefined, next: ConversationDto) => void;
}

/** `refused`: the server turned the connection down for good (too many connections, foreign origin). */
export type RealtimeStatus = "connecting" | "live" | "reconnecting" | "refused";

/**
 * The server disconnected the socket on purpose: the session ended (sign-out elsewhere, revoked,
 * member removed), moved to another workspace, or the member's role changed. Asks the server which:
 * signed out → /login; another workspace → a full reload, so nothing of this one stays on screen;
 * same workspace → `me` (role, permissions) is reloaded and the socket reconnects.
 */
async function afterServerDisconnect(socket: Socket, queryClient: QueryClient): Promise<void> {
  let session: SessionResponse | null;
  try {
    session = await api.get("/api/auth/session", SessionResponse);
  } catch (error) {
    if (!isApiError(error, 401)) {
      socket.connect();
      return;
    }
    session = null;
  }
  if (!session) return redirectToLogin();
  const me = queryClient.getQueryData<MeResponse>(authKeys.me);
  if (me && me.workspace.id !== session.workspace.id) {
    window.location.assign("/dashboard");
    return;
  }
  await queryClient.invalidateQueries({ queryKey: authKeys.me });
  socket.connect();
}

/** The inbox's socket while one is open, for the few things the page sends on it (typing). */
let liveSocket: Socket | null = null;
let typingSent: { conversationId: string; at: number } | null = null;

/**
 * Tells the others with this conversation open that I am typing (or stopped). Renewed at most every
 * third of the server's time-to-live while keys are pressed; the server forgets it after that.
 */
export function signalTyping(conversationId: string, typing: boolean, note = false): void {
  const socket = liveSocket;
  if (!socket?.connected) return;
  const now = Date.now();
  if (typing) {
    if (typingSent?.conversationId === conversationId && now - typingSent.at < TYPING_TTL_MS / 3) return;
    typingSent = { conversationId, at: now };
  } else {
    if (typingSent?.conversationId !== conversationId) return;
    typingSent = null;
  }
  // `note`: teammates see it; the customer (the widget's typing line) only sees replies being written.
  socket.emit(SOCKET_EVENTS.conversationTyping, { conversationId, typing, note });
}

/**
 * The inbox's socket: events go straight into the TanStack Query cache. The socket is in its
 * workspace's room from the handshake on and joins the open conversation's room after the server's
 * access check. On every connection (the first and after a drop) everything the inbox shows is
 * refetched, so nothing that happened before the socket was in its rooms is missed.
 */
export function useInboxRealtime(openConversationId: string | null, listeners?: RealtimeListeners): RealtimeStatus {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<RealtimeStatus>("connecting");
  const socketRef = useRef<Socket | null>(null);
  const openRef = useRef(openConversationId);
  openRef.current = openConversationId;
  const listenersRef = useRef(listeners);
  listenersRef.current = listeners;

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
      void queryClient.invalidateQueries({ queryKey: notificationKeys.unread });
      connectedBefore = true;
    });
    socket.on("disconnect", (reason) => {
      setStatus("reconnecting");
      // Socket.IO does not reconnect by itself after a server-side disconnect.
      if (reason === "io server disconnect") void afterServerDisconnect(socket, queryClient);
    });
    socket.on("connect_error", (error) => {
      setStatus(connectedBefore ? "reconnecting" : "connecting");
      // The session is gone: asking for `me` gets the 401 that sends the browser to /login.
      if (error.message === "unauthenticated") void queryClient.invalidateQueries({ queryKey: authKeys.me });
      // Refused by the server's limits or origin check: it will not retry; say why.
      if (!socket.active && error.message !== "unauthenticated") {
        setStatus("refused");
        const data = (error as Error & { data?: { message?: string } }).data;
        toast.error(data?.message ?? "The live connection was refused.", { id: "realtime-refused" });
      }
    });

    socket.on(SOCKET_EVENTS.conversationUpdated, (payload: unknown) => {
      const dto = ConversationDto.safeParse(payload);
      if (!dto.success) return;
      const previous = cachedConversation(queryClient, dto.data.id);
      storeConversation(queryClient, dto.data, openRef.current);
      listenersRef.current?.onConversationUpdate(previous, dto.data);
    });
    socket.on(SOCKET_EVENTS.messageNew, (payload: unknown) => {
      const dto = MessageDto.safeParse(payload);
      if (!dto.success) return;
      storeMessage(queryClient, dto.data);
      listenersRef.current?.onMessageNew(dto.data);
    });
    socket.on(SOCKET_EVENTS.messageUpdated, (payload: unknown) => {
      const dto = MessageDto.safeParse(payload);
      if (dto.success) storeMessage(queryClient, dto.data);
    });
    // A mention for me (my member room): the alerts list it and announce it (features/alerts/mentions.ts).
    socket.on(SOCKET_EVENTS.notificationNew, () => {
      void queryClient.invalidateQueries({ queryKey: notificationKeys.unread });
    });
    socket.on(SOCKET_EVENTS.presenceUpdate, (payload: { online?: PresenceMember[] } | null) => {
      queryClient.setQueryData<PresenceMember[]>(inboxKeys.presence, payload?.online ?? []);
    });
    socket.on(SOCKET_EVENTS.conversationViewers, (payload: ConversationViewersEvent | null) => {
      if (!payload || typeof payload.conversationId !== "string" || !Array.isArray(payload.viewers)) return;
      queryClient.setQueryData<ConversationViewer[]>(inboxKeys.viewers(payload.conversationId), payload.viewers);
    });
    liveSocket = socket;

    return () => {
      socket.disconnect();
      socketRef.current = null;
      if (liveSocket === socket) liveSocket = null;
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
