/**
 * The public chat API's and the widget's wire constants, without zod: the widget bundle (apps/widget)
 * imports this file alone and stays within its size budget (zod would add ~95 KB gzip). The schemas
 * are in public-chat.ts, which re-exports everything here.
 */

export const PUBLIC_CHAT_LIMITS = {
  messageLength: 4_000,
  sessionIdLength: 128,
  feedbackTextLength: 1_000,
  metadataBytes: 4_096,
  pageUrlLength: 2_000,
  customCssLength: 20_000,
  allowedDomains: 50,
  /** A visitor token lives this long; the widget refreshes it at two thirds of its life. */
  visitorTokenTtlSeconds: 15 * 60,
  /** Server-sent events: a comment line this often keeps proxies from closing an idle stream. */
  ssePingSeconds: 10,
} as const;

/** Headers a public caller sends (never in the URL). */
export const PUBLIC_HEADERS = {
  apiKey: "X-API-Key",
  visitorToken: "X-Visitor-Token",
  /** The widget's session id, when it asks the config endpoint for a (new) token. */
  visitorSession: "X-Visitor-Session",
} as const;

/**
 * Server-sent events of `POST …/messages` with `Accept: text/event-stream`, in order:
 * `message.delta` `{text}` (the model's text as it arrives), `message.sources` `{sources}`,
 * `message.products` `{products}` (only when the reply recommends products: `ProductCard`s),
 * `message.completed` (the `PublicChatAnswer`, `products` included); `handoff` `{reason, message}` instead of an answer
 * when a person takes it; `error` `{code, message}` at any point, after which the stream ends.
 * A comment line (`: ping`) every `ssePingSeconds`.
 *
 * The session stream (`GET …/sessions/{sessionId}/events`) sends `message` (`PublicMessageDto`: every
 * new message of the conversation that the customer may see — bot, agent, and the customer's own from
 * another tab) and `message.updated`, `typing` `{typing, role}`; with `Last-Event-ID` (a message id)
 * it first replays what came after.
 */
export const PUBLIC_SSE_EVENTS = {
  delta: "message.delta",
  sources: "message.sources",
  products: "message.products",
  completed: "message.completed",
  handoff: "handoff",
  error: "error",
  message: "message",
  messageUpdated: "message.updated",
  typing: "typing",
} as const;

/**
 * The widget's Socket.IO namespace. The handshake carries the visitor token in `auth.token` (never in
 * the URL) and is refused for another origin than the token's; the socket only ever joins its own
 * session. Server → widget: `message` / `message.updated` (`PublicMessageDto`), `typing`
 * `{typing, role, name}`, `token.expired`. Widget → server: `page` `{url, title}` (shown to agents),
 * `typing` `{typing}`, `token.refresh` `{token}` (a newer token for the same session).
 */
export const WIDGET_SOCKET = {
  namespace: "/widget",
  /** The server's Socket.IO path (the dashboard's, with another namespace). */
  path: "/socket.io",
  events: {
    message: "message",
    messageUpdated: "message.updated",
    typing: "typing",
    page: "page",
    tokenRefresh: "token.refresh",
    tokenExpired: "token.expired",
  },
} as const;

/**
 * The widget's files, built by apps/widget to `dist/loader.js` and `dist/widget.js` and served by the
 * API (both `application/javascript`, gzip when asked). The loader finds the server and the chatbot
 * from its own `document.currentScript.src`. The bundle is `bundlePath` (cached 5 minutes) and
 * `widget.{hash}.js` beside it (cached a year, immutable): the server replaces `bundlePlaceholder` in
 * the loader with that hashed file name, so a loader that builds its bundle URL as
 * `{server}/api/v1/public/widget/{placeholder}` gets the immutable one. Use the placeholder once, as a
 * plain string literal.
 */
export const WIDGET_ASSETS = {
  loaderPath: (chatbotId: string) => `/api/v1/public/widget/${encodeURIComponent(chatbotId)}/loader.js`,
  bundlePath: "/api/v1/public/widget/widget.js",
  bundlePlaceholder: "__TANDEM_WIDGET_BUNDLE__",
} as const;
