import type { Server as HttpServer } from "node:http";
import { rooms, SESSION_COOKIE, SOCKET_EVENTS } from "@tandem/contracts";
import { type AuthenticatedSession, getConversationInWorkspace, type Runtime, resolveSession } from "@tandem/core";
import { Server } from "socket.io";

/**
 * Dashboard sockets: the session cookie is checked at the handshake; each socket joins its
 * workspace room, and a conversation room only after the same workspace check the API does.
 */
function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return decodeURIComponent(v.join("="));
  }
  return undefined;
}

export interface PresenceEntry {
  userId: string;
  name: string | null;
  email: string;
  sockets: number;
}

export async function attachRealtime(httpServer: HttpServer, runtime: Runtime) {
  const io = new Server(httpServer, {
    path: "/socket.io",
    serveClient: false,
    cors: { origin: runtime.config.appOrigin, credentials: true },
  });

  if (runtime.redis) {
    const { createAdapter } = await import("@socket.io/redis-adapter");
    const pub = runtime.redis.duplicate();
    const sub = runtime.redis.duplicate();
    io.adapter(createAdapter(pub, sub));
  }

  const presence = new Map<string, Map<string, PresenceEntry>>();
  const publishPresence = (workspaceId: string) => {
    const online = [...(presence.get(workspaceId)?.values() ?? [])].map(({ sockets: _s, ...p }) => p);
    io.to(rooms.workspace(workspaceId)).emit(SOCKET_EVENTS.presenceUpdate, { online });
  };

  io.use(async (socket, next) => {
    try {
      const token = readCookie(socket.handshake.headers.cookie, SESSION_COOKIE);
      const session = token ? await resolveSession(runtime.database.db, token) : null;
      if (!session) return next(new Error("unauthenticated"));
      socket.data.session = session;
      next();
    } catch (err) {
      runtime.log.error({ err }, "socket handshake failed");
      next(new Error("internal_error"));
    }
  });

  io.on("connection", (socket) => {
    const session = socket.data.session as AuthenticatedSession;
    const workspaceId = session.workspace.id;
    socket.join(rooms.workspace(workspaceId));

    const byUser = presence.get(workspaceId) ?? new Map<string, PresenceEntry>();
    presence.set(workspaceId, byUser);
    const entry = byUser.get(session.user.id) ?? { ...session.user, userId: session.user.id, sockets: 0 };
    entry.sockets += 1;
    byUser.set(session.user.id, entry);
    publishPresence(workspaceId);

    socket.on(SOCKET_EVENTS.conversationJoin, async (conversationId: unknown, ack?: (r: unknown) => void) => {
      try {
        if (typeof conversationId !== "string") throw new Error("conversation id must be a string");
        await getConversationInWorkspace({ db: runtime.database.db, workspaceId }, conversationId);
        await socket.join(rooms.conversation(conversationId));
        ack?.({ ok: true });
      } catch {
        ack?.({ ok: false, error: { code: "conversation_not_found", message: "Conversation not found" } });
      }
    });

    socket.on(SOCKET_EVENTS.conversationLeave, async (conversationId: unknown) => {
      if (typeof conversationId === "string") await socket.leave(rooms.conversation(conversationId));
    });

    socket.on("disconnect", () => {
      const current = byUser.get(session.user.id);
      if (current) {
        current.sockets -= 1;
        if (current.sockets <= 0) byUser.delete(session.user.id);
      }
      publishPresence(workspaceId);
    });
  });

  runtime.realtime.bind({ emit: (room, event, payload) => io.to(room).emit(event, payload) });
  return io;
}
