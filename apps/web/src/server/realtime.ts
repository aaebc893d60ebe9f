import { createHash } from "node:crypto";
import type { Server as HttpServer } from "node:http";
import { isSameOrigin } from "@tandem/api";
import {
  type ConversationViewer,
  type ConversationViewersEvent,
  rooms,
  SESSION_COOKIE,
  SOCKET_EVENTS,
  TYPING_TTL_MS,
} from "@tandem/contracts";
import {
  type AuthenticatedSession,
  addressBucket,
  byNamespace,
  clientAddress,
  findActiveSession,
  getConversationInWorkspace,
  PRESENCE_RENEW_MS,
  publishTypingToCustomer,
  type Runtime,
  realtimeNamespace,
  recordMemberPresence,
  resolveSession,
} from "@tandem/core";
import { Server, type Socket } from "socket.io";
import { refusal } from "./socket-refusal.ts";
import { createMemorySocketSlots, createRedisSocketSlots, holdSocketSlots, type SlotClaim } from "./socket-slots.ts";
import { tracedEvent, tracedHandshake } from "./trace-realtime.ts";
import { attachWidgetNamespace } from "./widget-realtime.ts";

/**
 * Dashboard sockets. The handshake refuses, cheapest check first: a browser `Origin` other than the
 * app's, a missing cookie, an address that sent too many invalid sessions lately, an address or a
 * session already holding too many sockets — all before the session's database lookup — then an
 * invalid session. Each socket
 * joins its workspace's room, its session's and its membership's (ending the session or changing
 * the membership disconnects it, see `RealtimePublisher.disconnect`), and a conversation's room only
 * after checking again that the session is still valid and the conversation in its workspace.
 */
function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) {
      try {
        return decodeURIComponent(v.join("="));
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

export const SOCKET_LIMITS = {
  /** Open sockets per session: the dashboard opens one per tab. */
  perSession: 10,
  /** Handshakes with an unknown or expired session, per address: past it the address waits. */
  failedHandshakes: { limit: 60, windowMs: 60_000 },
} as const;

/** How long "a room has sockets" (the widget's `agentsOnline`) is reused before asking the cluster again. */
const HAS_SOCKETS_CACHE_MS = 10_000;

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

  // Socket caps: cluster-wide through Redis when there is one, else in this (the only) web process.
  const slots = runtime.redis
    ? createRedisSocketSlots(runtime.redis, {
        onError: (err) => runtime.log.warn({ err }, "could not renew the socket slots"),
      })
    : createMemorySocketSlots();
  httpServer.once("close", () => slots.close());
  const perIp = runtime.config.realtimeMaxSocketsPerIp;

  /**
   * Who is online, from the sockets in the workspace room on every process (`fetchSockets` asks the
   * others through the Redis adapter), so agents on different web processes see each other. One
   * computation per workspace at a time; changes that arrive meanwhile trigger one more, so the last
   * update sent is never older than the last change.
   */
  const onlineIn = async (workspaceId: string) => {
    const sockets = await io.in(rooms.workspace(workspaceId)).fetchSockets();
    const online = new Map<string, PresenceEntry>();
    for (const s of sockets) {
      const entry = s.data.presence as PresenceEntry | undefined;
      if (entry) online.set(entry.userId, entry);
    }
    return online;
  };
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
          const online = await onlineIn(workspaceId);
          io.to(rooms.workspace(workspaceId)).emit(SOCKET_EVENTS.presenceUpdate, { online: [...online.values()] });
          // Kept in the database too, for round-robin assignment (which may run in a worker).
          await recordMemberPresence(runtime.database.db, workspaceId, [...online.keys()]);
        }
      } catch (err) {
        runtime.log.warn({ err, workspaceId }, "could not publish presence");
      } finally {
        presenceRuns.delete(workspaceId);
      }
    })();
  };

  // The database's presence lapses unless renewed: every process renews the workspaces it has sockets of.
  const renewPresence = setInterval(() => {
    const workspaceIds = new Set<string>();
    for (const socket of io.of("/").sockets.values()) {
      const session = socket.data.session as AuthenticatedSession | undefined;
      if (session) workspaceIds.add(session.workspace.id);
    }
    for (const workspaceId of workspaceIds) {
      onlineIn(workspaceId)
        .then((online) => recordMemberPresence(runtime.database.db, workspaceId, [...online.keys()]))
        .catch((err) => runtime.log.warn({ err, workspaceId }, "could not renew presence"));
    }
  }, PRESENCE_RENEW_MS);
  renewPresence.unref();
  httpServer.once("close", () => clearInterval(renewPresence));

  /**
   * Who has a conversation open (its room, on every process) and who types there, sent to the room
   * whenever that changes: the thread's collision warning. Like presence, one run per conversation at
   * a time; changes meanwhile trigger one more.
   */
  const viewerRuns = new Map<string, { again: boolean }>();
  const publishViewers = (conversationId: string) => {
    const running = viewerRuns.get(conversationId);
    if (running) {
      running.again = true;
      return;
    }
    const run = { again: true };
    viewerRuns.set(conversationId, run);
    void (async () => {
      try {
        while (run.again) {
          run.again = false;
          const sockets = await io.in(rooms.conversation(conversationId)).fetchSockets();
          const viewers = new Map<string, ConversationViewer>();
          for (const s of sockets) {
            const entry = s.data.presence as PresenceEntry | undefined;
            if (!entry) continue;
            const typing = s.data.typing as { conversationId: string; until: number } | undefined;
            const isTyping = typing?.conversationId === conversationId && typing.until > Date.now();
            const seen = viewers.get(entry.userId);
            viewers.set(entry.userId, { ...entry, typing: Boolean(seen?.typing) || isTyping });
          }
          const event: ConversationViewersEvent = { conversationId, viewers: [...viewers.values()] };
          io.to(rooms.conversation(conversationId)).emit(SOCKET_EVENTS.conversationViewers, event);
        }
      } catch (err) {
        runtime.log.warn({ err, conversationId }, "could not publish a conversation's viewers");
      } finally {
        viewerRuns.delete(conversationId);
      }
    })();
  };

  /** Takes the socket's slots (session, address) until it closes, or says why not. */
  async function claimSlots(socket: Socket, token: string, address: string): Promise<(() => void) | Error> {
    // The session's key is derived from the cookie, so a flood is refused without looking it up.
    const sessionKey = `session:${createHash("sha256").update(`socket-slot:${token}`).digest("hex").slice(0, 32)}`;
    const claims: SlotClaim[] = [{ key: sessionKey, limit: SOCKET_LIMITS.perSession }];
    if (perIp > 0) claims.push({ key: `ip:${address}`, limit: perIp });
    const held = await holdSocketSlots(slots, socket, claims, (err) =>
      runtime.log.warn({ err }, "could not release a socket slot"),
    );
    if (held.ok) return held.release;
    if (!held.full) return refusal("unauthenticated", "The connection closed before it was accepted.");
    const { key, limit } = held.full;
    const scope = key === sessionKey ? "session" : "address";
    runtime.log.info({ scope, limit, address }, "socket refused: too many connections");
    return refusal(
      "too_many_connections",
      scope === "session"
        ? `This session already has ${limit} live connections: close some tabs and reload.`
        : `Your network address already has ${limit} live connections to this server.`,
      { scope, limit },
    );
  }

  io.use(
    tracedHandshake("/", async (socket, next) => {
      let release: (() => void) | undefined;
      try {
        const { headers } = socket.handshake;
        const origin = headers.origin;
        if (origin && !isSameOrigin(origin, runtime.config.appOrigin, headers.host)) {
          return next(refusal("origin_not_allowed", "Connections are accepted from the app's own pages only."));
        }
        const token = readCookie(headers.cookie, SESSION_COOKIE);
        if (!token || token.length > 200) return next(refusal("unauthenticated", "Sign in again."));
        // The address the HTTP API sees (X-Forwarded-For only from TRUST_PROXY's proxies); an IPv6
        // client counts by its /64 for the caps.
        const clientIp = clientAddress(socket.request, runtime.config.trustProxy);
        const address = addressBucket(clientIp);
        socket.data.address = address;
        const failuresKey = `socket-auth-failed:${address}`;
        const failures = await runtime.limiter.peek(failuresKey, SOCKET_LIMITS.failedHandshakes);
        if (!failures.allowed) {
          return next(
            refusal("rate_limited", "Too many connection attempts with an invalid session. Try again later.", {
              retryAfterSeconds: failures.retryAfterSeconds,
            }),
          );
        }
        const claimed = await claimSlots(socket, token, address);
        if (claimed instanceof Error) return next(claimed);
        release = claimed;
        const session = await resolveSession(runtime.database.db, token, { ip: clientIp, slide: false });
        if (!session) {
          release();
          await runtime.limiter.hit(failuresKey, SOCKET_LIMITS.failedHandshakes);
          return next(refusal("unauthenticated", "Sign in again."));
        }
        socket.data.session = session;
        next();
      } catch (err) {
        release?.();
        runtime.log.error({ err }, "socket handshake failed");
        next(refusal("internal_error", "The server could not accept the connection."));
      }
    }),
  );

  io.on("connection", (socket) => {
    const session = socket.data.session as AuthenticatedSession;
    const workspaceId = session.workspace.id;
    const presence: PresenceEntry = { userId: session.user.id, name: session.user.name, email: session.user.email };
    socket.data.presence = presence;
    socket.join([rooms.workspace(workspaceId), rooms.session(session.sessionId), rooms.member(session.memberId)]);
    publishPresence(workspaceId);

    socket.on(
      SOCKET_EVENTS.conversationJoin,
      tracedEvent("/", SOCKET_EVENTS.conversationJoin, async (conversationId: unknown, ack?: (r: unknown) => void) => {
        const reply = typeof ack === "function" ? ack : () => {};
        try {
          // The session may have ended, or the member left, since the handshake (a disconnect from
          // another process can be missed while Redis is down): check again before every join.
          const current = await findActiveSession(runtime.database.db, session.sessionId);
          if (!current || current.workspace.id !== workspaceId || current.memberId !== session.memberId) {
            reply({ ok: false, error: { code: "unauthenticated", message: "Sign in again." } });
            socket.disconnect(true);
            return;
          }
          if (typeof conversationId !== "string") throw new Error("conversation id must be a string");
          await getConversationInWorkspace({ db: runtime.database.db, workspaceId }, conversationId);
          await socket.join(rooms.conversation(conversationId));
          reply({ ok: true });
          publishViewers(conversationId);
        } catch {
          reply({ ok: false, error: { code: "conversation_not_found", message: "Conversation not found" } });
        }
      }),
    );

    socket.on(
      SOCKET_EVENTS.conversationLeave,
      tracedEvent("/", SOCKET_EVENTS.conversationLeave, async (conversationId: unknown) => {
        if (typeof conversationId !== "string" || !socket.rooms.has(rooms.conversation(conversationId))) return;
        if ((socket.data.typing as { conversationId: string } | undefined)?.conversationId === conversationId) {
          socket.data.typing = undefined;
        }
        await socket.leave(rooms.conversation(conversationId));
        publishViewers(conversationId);
      }),
    );

    // Typing counts only in a conversation this socket joined (so only after the access check).
    let typingTimer: ReturnType<typeof setTimeout> | undefined;
    // A reply being written (not a note) shows to the customer too, where their channel is live (the widget).
    const tellCustomer = (conversationId: string, typing: boolean) =>
      publishTypingToCustomer(
        { db: runtime.database.db, realtime: runtime.realtime, channels: runtime.channels },
        workspaceId,
        conversationId,
        { typing, name: session.user.name },
      ).catch((err) => runtime.log.warn({ err, conversationId }, "could not tell the customer about typing"));
    socket.on(
      SOCKET_EVENTS.conversationTyping,
      tracedEvent("/", SOCKET_EVENTS.conversationTyping, (payload: unknown) => {
        const { conversationId, typing, note } = (payload ?? {}) as {
          conversationId?: unknown;
          typing?: unknown;
          note?: unknown;
        };
        if (typeof conversationId !== "string" || !socket.rooms.has(rooms.conversation(conversationId))) return;
        const was = socket.data.typing as { conversationId: string; until: number; reply: boolean } | undefined;
        const reply = typing === true && note !== true;
        clearTimeout(typingTimer);
        if (typing === true) {
          socket.data.typing = { conversationId, until: Date.now() + TYPING_TTL_MS, reply };
          // Stops by itself when the signal is not renewed (a closed laptop sends no "stopped").
          typingTimer = setTimeout(() => {
            socket.data.typing = undefined;
            publishViewers(conversationId);
            if (reply) void tellCustomer(conversationId, false);
          }, TYPING_TTL_MS);
          typingTimer.unref?.();
          const same = was?.conversationId === conversationId && was.until > Date.now();
          if (reply !== (same && was.reply)) void tellCustomer(conversationId, reply);
          if (same) return;
        } else {
          socket.data.typing = undefined;
          if (was?.conversationId !== conversationId) return;
          if (was.reply) void tellCustomer(conversationId, false);
        }
        publishViewers(conversationId);
      }),
    );

    // By "disconnect" the socket has left its rooms, so the counts no longer include it.
    socket.on("disconnecting", () => {
      clearTimeout(typingTimer);
      const typing = socket.data.typing as { conversationId: string; reply: boolean } | undefined;
      if (typing?.reply) void tellCustomer(typing.conversationId, false);
      const joined = [...socket.rooms].filter((r) => r.startsWith("conversation:"));
      socket.data.typing = undefined;
      // After the socket has left them.
      setImmediate(() => {
        for (const room of joined) publishViewers(room.slice("conversation:".length));
      });
    });
    socket.on("disconnect", () => publishPresence(workspaceId));
  });

  attachWidgetNamespace(io, runtime, slots);

  // "Is anyone there": asked by every widget's config request, so answered from a short cache.
  const occupied = new Map<string, { until: number; value: Promise<boolean> }>();
  const hasSockets = (room: string) => {
    const now = Date.now();
    const cached = occupied.get(room);
    if (cached && cached.until > now) return cached.value;
    const value = io
      .of(realtimeNamespace(room))
      .in(room)
      .fetchSockets()
      .then((sockets) => sockets.length > 0)
      .catch((err: unknown) => {
        runtime.log.warn({ err, room }, "could not count a room's sockets");
        return false;
      });
    if (occupied.size > 10_000) occupied.clear();
    occupied.set(room, { until: now + HAS_SOCKETS_CACHE_MS, value });
    return value;
  };

  // A widget session's room is on the widget's namespace, the others on "/" (`realtimeNamespace`).
  runtime.realtime.bind({
    emit: (room, event, payload) => io.of(realtimeNamespace(room)).to(room).emit(event, payload),
    // Through the Redis adapter this reaches the sockets on every web process.
    disconnect: (targets) => {
      for (const [namespace, inNamespace] of byNamespace(targets)) {
        io.of(namespace).in(inNamespace).disconnectSockets(true);
      }
    },
    hasSockets,
  });
  return io;
}
