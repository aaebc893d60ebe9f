/**
 * Live messages through the server's `/widget` Socket.IO namespace (socket.io-client, ~13 KB gzip of
 * the 40 KB budget). The token travels in the handshake's `auth` (never in the URL) and is read again on
 * every reconnect, so a refreshed token is used from then on. After any (re)connect the widget catches
 * up over HTTP with `GET …/messages?after=` — the socket does not replay what was missed.
 */
import type { PublicMessageDto } from "@tandem/contracts/public-chat";
import { WIDGET_SOCKET } from "@tandem/contracts/public-chat-wire";
import { io, type Socket } from "socket.io-client";

export interface RealtimeHandlers {
  connected(): void;
  disconnected(): void;
  message(message: PublicMessageDto): void;
  messageUpdated(message: PublicMessageDto): void;
  /** A moderator removed the message: it leaves the conversation. */
  messageRemoved(event: { id: string }): void;
  typing(event: { typing: boolean; role?: string; name?: string | null }): void;
  /** The server refused or dropped the token: refresh it (the socket reconnects afterwards). */
  tokenExpired(): Promise<void>;
}

export class Realtime {
  private readonly socket: Socket;
  private retry = 0;

  constructor(origin: string, prefix: string, getToken: () => string, on: RealtimeHandlers) {
    this.socket = io(origin + WIDGET_SOCKET.namespace, {
      path: prefix + WIDGET_SOCKET.path,
      auth: (cb) => cb({ token: getToken() }),
      // WebSocket first (no cross-origin polling needed); long-polling only where WebSocket is blocked.
      transports: ["websocket", "polling"],
      tryAllTransports: true,
      withCredentials: false,
    });
    const e = WIDGET_SOCKET.events;
    this.socket.on("connect", () => {
      this.retry = 0;
      on.connected();
    });
    this.socket.on("disconnect", (reason) => {
      on.disconnected();
      // The server sent us away (its token check): Socket.IO does not come back by itself.
      if (reason === "io server disconnect") this.reconnectWithNewToken(on);
    });
    this.socket.on(e.message, (m: PublicMessageDto) => on.message(m));
    this.socket.on(e.messageUpdated, (m: PublicMessageDto) => on.messageUpdated(m));
    this.socket.on(e.messageRemoved, (r: { id: string }) => on.messageRemoved(r));
    this.socket.on(e.typing, (t: { typing: boolean; role?: string; name?: string | null }) => on.typing(t));
    this.socket.on(e.tokenExpired, () => void on.tokenExpired());
    this.socket.on("connect_error", () => {
      // A refused handshake (expired token, origin) does not reconnect by itself; network errors do
      // (`active` stays true).
      if (!this.socket.active) this.reconnectWithNewToken(on);
    });
  }

  /** Refreshes the token, then connects again after a pause that grows with each failure. */
  private reconnectWithNewToken(on: RealtimeHandlers): void {
    const delay = Math.min(30_000, 1000 * 2 ** this.retry++);
    void on
      .tokenExpired()
      .catch(() => undefined)
      .finally(() => setTimeout(() => this.socket.connect(), delay));
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  page(url: string, title: string): void {
    if (this.socket.connected) this.socket.emit(WIDGET_SOCKET.events.page, { url, title });
  }

  typing(typing: boolean): void {
    if (this.socket.connected) this.socket.emit(WIDGET_SOCKET.events.typing, { typing });
  }

  tokenRefreshed(token: string): void {
    if (this.socket.connected) this.socket.emit(WIDGET_SOCKET.events.tokenRefresh, { token });
  }

  close(): void {
    this.socket.removeAllListeners();
    this.socket.disconnect();
  }
}
