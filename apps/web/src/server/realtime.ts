import type { Server as HttpServer } from "node:http";
import { rooms, SESSION_COOKIE, SOCKET_EVENTS } from "@tandem/contracts";
import {
  type AuthenticatedSession,
  clientAddress,
  getConversationInWorkspace,
  type Runtime,
  resolveSession,
} from "@tandem/core";
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

/** What a dashboard socket tells others about its member (kept in `socket.data`, visible cluster-wide). */
export interface PresenceEntry {
  userId: string;
  name: string | null;
  email: string;
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
    // ioredis reconnects by itself; without a listener an outage would crash the process.
    for (const client of [pub, sub]) {
      client.on("error", (err) => runtime.log.warn({ err }, "socket.io Redis adapter connection error"));
    }
    io.adapter(createAdapter(pub, sub));
  }

  /**
   * Who is online, from the sockets in the workspace room on every process (`fetchSockets` asks the
   * others through the Redis adapter), so agents on different web processes see each other. One
   * computation per workspace at a time; changes that arrive meanwhile trigger one more, so the last
   * update sent is never older than the last change.
   */
  const presenceRuns = new Map<string, { again: boolean }>();
  const publishPresence = (workspaceId: string) => {
    const running = presenceRuns.get(workspaceId);
    if (running) {
      running.again = true;
      return;
    }
    const run = { again: true };
    presenceRuns.set(workspaceId, run);
    void (async () => {
      try {
        while (run.again) {
          run.again = false;
          const sockets = await io.in(rooms.workspace(workspaceId)).fetchSockets();
          const online = new Map<string, PresenceEntry>();
          for (const s of sockets) {
            const entry = s.data.presence as PresenceEntry | undefined;
            if (entry) online.set(entry.userId, entry);
          }
          io.to(rooms.workspace(workspaceId)).emit(SOCKET_EVENTS.presenceUpdate, { online: [...online.values()] });
        }
      } catch (err) {
        runtime.log.warn({ err, workspaceId }, "could not publish presence");
      } finally {
        presenceRuns.delete(workspaceId);
      }
    })();
  };

  io.use(async (socket, next) => {
    // The same client address the HTTP API uses (X-Forwarded-For only from TRUST_PROXY's proxies).
    const address = clientAddress(socket.request, runtime.config.trustProxy);
    socket.data.address = address;
    try {
      const token = readCookie(socket.handshake.headers.cookie, SESSION_COOKIE);
      const session = token ? await resolveSession(runtime.database.db, token) : null;
      if (!session) {
        runtime.log.debug({ address }, "socket handshake without a valid session");
        return next(new Error("unauthenticated"));
      }
      socket.data.session = session;
      next();
    } catch (err) {
      runtime.log.error({ err, address }, "socket handshake failed");
      next(new Error("internal_error"));
    }
  });

  io.on("connection", (socket) => {
    const session = socket.data.session as AuthenticatedSession;
    const workspaceId = session.workspace.id;
    const presence: PresenceEntry = { userId: session.user.id, name: session.user.name, email: session.user.email };
    socket.data.presence = presence;
    socket.join(rooms.workspace(workspaceId));
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

    // By "disconnect" the socket has left its rooms, so the count no longer includes it.
    socket.on("disconnect", () => publishPresence(workspaceId));
  });

  runtime.realtime.bind({ emit: (room, event, payload) => io.to(room).emit(event, payload) });
  return io;
}
