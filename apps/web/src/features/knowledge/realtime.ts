"use client";

import { KnowledgeUpdatedEvent, SOCKET_EVENTS } from "@tandem/contracts";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { io } from "socket.io-client";
import { applyKnowledgeEvent } from "./cache";
import { knowledgeKeys } from "./keys";

/**
 * Live status and progress for the knowledge pages: the socket is in the workspace's room from the
 * handshake on, and each `knowledge:updated` goes straight into the query cache. On every
 * connection (the first and after a drop) the knowledge queries are refetched, so a move that
 * happened while the socket was not connected is not missed.
 */
export function useKnowledgeRealtime(): void {
  const queryClient = useQueryClient();
  useEffect(() => {
    const socket = io({ path: "/socket.io", withCredentials: true });
    socket.on("connect", () => {
      void queryClient.invalidateQueries({ queryKey: knowledgeKeys.all });
    });
    socket.on(SOCKET_EVENTS.knowledgeUpdated, (payload: unknown) => {
      const event = KnowledgeUpdatedEvent.safeParse(payload);
      if (event.success) applyKnowledgeEvent(queryClient, event.data);
    });
    return () => {
      socket.disconnect();
    };
  }, [queryClient]);
}

/** Mounted once by the /knowledge layout: one socket for every knowledge page, kept while moving between them. */
export function KnowledgeRealtime(): null {
  useKnowledgeRealtime();
  return null;
}
