import {
  type ContactTypingEvent,
  rooms,
  SOCKET_EVENTS,
  TYPING_TTL_MS,
  WIDGET_SOCKET,
  WidgetPageEvent,
} from "@tandem/contracts";
import {
  addressBucket,
  assertWidgetOrigin,
  type ChatbotRow,
  clientAddress,
  isDomainError,
  latestConversationId,
  publicChatbot,
  type RateLimitRule,
  type Runtime,
  recordVisitorPage,
  setVisitorOnline,
  type VisitorClaims,
  verifyVisitorToken,
  widgetContact,
} from "@tandem/core";
import type { Server, Socket } from "socket.io";
import { refusal } from "./socket-refusal.ts";
import { holdSocketSlots, type SlotClaim, type SocketSlots } from "./socket-slots.ts";
import { tracedEvent, tracedHandshake } from "./trace-realtime.ts";

/**
 * The website widget's sockets, on their own namespace (`WIDGET_SOCKET.namespace`, `/widget`).
 *
 * Handshake, cheapest check first: the visitor token from `auth.token` (never the URL; a token in the
 * query is ignored), verified like every public call (`verifyVisitorToken`: signature, chatbot,
 * expiry); the handshake's `Origin` must be the token's and still allowed for the chatbot
 * (`assertWidgetOrigin`: its domains and status may have changed since the token was issued); then
 * the socket caps — per widget session (tabs) and per address (`REALTIME_MAX_SOCKETS_PER_IP`, counted
 * apart from the dashboard's). Invalid tokens count against the address like the dashboard's invalid
 * sessions. A socket joins exactly one room, its own session's (`rooms.widgetSession`), and can join
 * no other: there is no join event.
 *
 * Events from the widget: `page` (stored in `contact.metadata.visitor` with the browser read from the
 * handshake's User-Agent), `typing` (`contact:typing` to the agents in the visitor's conversation),
 * `token.refresh` (a newer token of the same session and origin). When the token lapses without a
 * refresh the socket gets `token.expired` and is closed; the widget asks the config endpoint for a
 * token and reconnects.
 *
 * Presence: whether any socket of the session is connected on any web process (`fetchSockets`
 * through the Redis adapter), recomputed whenever one connects or leaves, one run per session at a
 * time; written to the contact and published to agents (`setVisitorOnline`).
 *
 * The widget connects with `transports: ["websocket"]`: Socket.IO's HTTP long-polling from another
 * site would need CORS, which this server grants to the dashboard's origin only.
 */

export const WIDGET_SOCKET_LIMITS = {
  /** Open widget sockets per session: one per tab of the site. */
  perSession: 10,
  /** Handshakes with a forged or expired token, per address: past it the address waits. */
  failedHandshakes: { limit: 60, windowMs: 60_000 },
  /** `page` events per session (a single-page app navigates often; stored ones are capped by this). */
  pages: { limit: 60, windowMs: 60_000 } satisfies RateLimitRule,
} as const;

interface WidgetSocketData {
  chatbot: ChatbotRow;
  claims: VisitorClaims;
  origin: string;
  userAgent: string | undefined;
}

type Ack = (
  reply: { ok: true; [key: string]: unknown } | { ok: false; error: { code: string; message: string } },
) => void;

const ackOf = (ack: unknown): Ack => (typeof ack === "function" ? (ack as Ack) : () => {});

const errorReply = (err: unknown) =>
  isDomainError(err)
    ? { ok: false as const, error: { code: err.code, message: err.message } }
    : { ok: false as const, error: { code: "internal_error", message: "The server could not do that." } };

/** The chatbot a token names, read before its signature is checked (the check then covers it). */
function chatbotIdOfToken(token: string): string {
  try {
    const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as {
      chatbotId?: unknown;
    };
    return typeof payload.chatbotId === "string" ? payload.chatbotId : "";
  } catch {
    return "";
  }
}

export function attachWidgetNamespace(io: Server, runtime: Runtime, slots: SocketSlots) {
  const widget = io.of(WIDGET_SOCKET.namespace);
  const db = runtime.database.db;
  const perIp = runtime.config.realtimeMaxSocketsPerIp;

  widget.use(
    tracedHandshake(WIDGET_SOCKET.namespace, async (socket, next) => {
      let release: (() => void) | undefined;
      try {
        const { headers, auth } = socket.handshake;
        const origin = headers.origin;
        if (!origin) return next(refusal("origin_not_allowed", "Widget connections come from a page (Origin)."));
        const address = addressBucket(clientAddress(socket.request, runtime.config.trustProxy));
        const failuresKey = `widget-socket-auth-failed:${address}`;
        const failures = await runtime.limiter.peek(failuresKey, WIDGET_SOCKET_LIMITS.failedHandshakes);
        if (!failures.allowed) {
          return next(
            refusal("rate_limited", "Too many connection attempts with an invalid token. Try again later.", {
              retryAfterSeconds: failures.retryAfterSeconds,
            }),
          );
        }
        const token = typeof auth?.token === "string" ? auth.token : undefined;
        let claims: VisitorClaims;
        try {
          claims = verifyVisitorToken(runtime.authSecret, token, chatbotIdOfToken(token ?? ""));
        } catch (err) {
          await runtime.limiter.hit(failuresKey, WIDGET_SOCKET_LIMITS.failedHandshakes);
          const { error } = errorReply(err);
          return next(refusal(error.code, error.message));
        }
        if (origin !== claims.origin) {
          return next(refusal("origin_not_allowed", "This visitor token was issued to another site."));
        }
        const chatbot = await publicChatbot(db, claims.chatbotId);
        assertWidgetOrigin(chatbot, origin, runtime.config.appOrigin);

        const sessionKey = `widget-session:${claims.chatbotId}:${claims.sessionId}`;
        const claimsOfSlots: SlotClaim[] = [{ key: sessionKey, limit: WIDGET_SOCKET_LIMITS.perSession }];
        if (perIp > 0) claimsOfSlots.push({ key: `widget-ip:${address}`, limit: perIp });
        const held = await holdSocketSlots(slots, socket, claimsOfSlots, (err) =>
          runtime.log.warn({ err }, "could not release a widget socket slot"),
        );
        if (!held.ok) {
          if (!held.full) return next(refusal("unauthenticated", "The connection closed before it was accepted."));
          const scope = held.full.key === sessionKey ? "session" : "address";
          return next(
            refusal("too_many_connections", `Too many live widget connections for this ${scope}.`, {
              scope,
              limit: held.full.limit,
            }),
          );
        }
        release = held.release;
        socket.data.widget = {
          chatbot,
          claims,
          origin,
          userAgent: headers["user-agent"],
        } satisfies WidgetSocketData;
        next();
      } catch (err) {
        release?.();
        if (isDomainError(err)) return next(refusal(err.code, err.message));
        runtime.log.error({ err }, "widget socket handshake failed");
        next(refusal("internal_error", "The server could not accept the connection."));
      }
    }),
  );

  /** One presence computation per session at a time; a change meanwhile triggers one more. */
  const presenceRuns = new Map<string, { again: boolean }>();
  const publishPresence = (chatbot: ChatbotRow, sessionId: string) => {
    const room = rooms.widgetSession(chatbot.id, sessionId);
    const running = presenceRuns.get(room);
    if (running) {
      running.again = true;
      return;
    }
    const run = { again: true };
    presenceRuns.set(room, run);
    void (async () => {
      try {
        while (run.again) {
          run.again = false;
          const online = (await widget.in(room).fetchSockets()).length > 0;
          await setVisitorOnline({ db, realtime: runtime.realtime }, chatbot, sessionId, online);
        }
      } catch (err) {
        runtime.log.warn({ err, room }, "could not publish a widget visitor's presence");
      } finally {
        presenceRuns.delete(room);
      }
    })();
  };

  widget.on("connection", (socket: Socket) => {
    const data = socket.data.widget as WidgetSocketData;
    const { chatbot, origin } = data;
    const { sessionId } = data.claims;
    void socket.join(rooms.widgetSession(chatbot.id, sessionId));
    publishPresence(chatbot, sessionId);

    // The token's end: the widget is told, then the socket closes (it reconnects with a new token).
    let expiry: ReturnType<typeof setTimeout> | undefined;
    const scheduleExpiry = () => {
      clearTimeout(expiry);
      expiry = setTimeout(
        () => {
          socket.emit(WIDGET_SOCKET.events.tokenExpired, {});
          socket.disconnect(true);
        },
        Math.max(0, data.claims.expiresAt * 1000 - Date.now()),
      );
      expiry.unref?.();
    };
    scheduleExpiry();

    socket.on(
      WIDGET_SOCKET.events.tokenRefresh,
      tracedEvent(
        WIDGET_SOCKET.namespace,
        WIDGET_SOCKET.events.tokenRefresh,
        async (payload: unknown, ack?: unknown) => {
          const reply = ackOf(ack);
          try {
            const token = (payload as { token?: unknown } | null)?.token;
            const next = verifyVisitorToken(runtime.authSecret, typeof token === "string" ? token : "", chatbot.id);
            if (next.sessionId !== sessionId || next.origin !== origin) {
              return reply({
                ok: false,
                error: { code: "invalid_visitor_token", message: "The new token is for another session or site." },
              });
            }
            // The domains or the status may have changed since the handshake.
            assertWidgetOrigin(await publicChatbot(db, chatbot.id), origin, runtime.config.appOrigin);
            data.claims = next;
            scheduleExpiry();
            reply({ ok: true, expiresAt: new Date(next.expiresAt * 1000).toISOString() });
          } catch (err) {
            reply(errorReply(err));
            if (isDomainError(err) && (err.code === "origin_not_allowed" || err.code === "chatbot_inactive")) {
              socket.disconnect(true);
            }
          }
        },
      ),
    );

    socket.on(
      WIDGET_SOCKET.events.page,
      tracedEvent(WIDGET_SOCKET.namespace, WIDGET_SOCKET.events.page, async (payload: unknown, ack?: unknown) => {
        const reply = ackOf(ack);
        try {
          const page = WidgetPageEvent.safeParse(payload);
          if (!page.success || !isPageOf(page.data.url, origin)) {
            return reply({
              ok: false,
              error: { code: "invalid_input", message: "page: {url, title?} with a URL of this site." },
            });
          }
          const verdict = await runtime.limiter.hit(
            `widget-page:${chatbot.id}:${sessionId}`,
            WIDGET_SOCKET_LIMITS.pages,
          );
          if (!verdict.allowed) {
            return reply({ ok: false, error: { code: "rate_limited", message: "Too many page events." } });
          }
          await recordVisitorPage({ db, realtime: runtime.realtime }, chatbot, sessionId, page.data, data.userAgent);
          // The first page makes the contact: its presence can be written now.
          publishPresence(chatbot, sessionId);
          reply({ ok: true });
        } catch (err) {
          if (!isDomainError(err)) runtime.log.warn({ err }, "could not store a widget visitor's page");
          reply(errorReply(err));
        }
      }),
    );

    // Typing reaches the agents in the visitor's latest conversation, on start and on stop only.
    let typingIn: string | undefined;
    let typingWanted = false;
    let typingMissAt = 0;
    let typingTimer: ReturnType<typeof setTimeout> | undefined;
    const sendTyping = (conversationId: string, typing: boolean) => {
      const event: ContactTypingEvent = { conversationId, typing };
      runtime.realtime.emit(rooms.conversation(conversationId), SOCKET_EVENTS.contactTyping, event);
    };
    const stopTyping = () => {
      typingWanted = false;
      clearTimeout(typingTimer);
      if (typingIn) sendTyping(typingIn, false);
      typingIn = undefined;
    };
    socket.on(
      WIDGET_SOCKET.events.typing,
      tracedEvent(WIDGET_SOCKET.namespace, WIDGET_SOCKET.events.typing, async (payload: unknown) => {
        try {
          if ((payload as { typing?: unknown } | null)?.typing !== true) return stopTyping();
          typingWanted = true;
          clearTimeout(typingTimer);
          typingTimer = setTimeout(stopTyping, TYPING_TTL_MS);
          typingTimer.unref?.();
          // A visitor without a conversation yet is looked up again only after a while.
          if (typingIn || Date.now() - typingMissAt < TYPING_TTL_MS) return;
          const contact = await widgetContact(db, chatbot, sessionId);
          const conversationId = contact && (await latestConversationId(db, contact.id));
          // Stopped, or started by an earlier event, while the conversation was looked up.
          if (!conversationId) typingMissAt = Date.now();
          if (!conversationId || typingIn || !typingWanted) return;
          typingIn = conversationId;
          sendTyping(conversationId, true);
        } catch (err) {
          runtime.log.warn({ err }, "could not forward a widget visitor's typing");
        }
      }),
    );

    socket.on("disconnect", () => {
      clearTimeout(expiry);
      stopTyping();
      publishPresence(chatbot, sessionId);
    });
  });

  return widget;
}

/** A page URL of the socket's own site (http or https): agents may open it. */
function isPageOf(url: string, origin: string): boolean {
  try {
    const parsed = new URL(url);
    return (parsed.protocol === "https:" || parsed.protocol === "http:") && parsed.origin === origin;
  } catch {
    return false;
  }
}
