/**
 * Spans for what the web process serves outside the API's Hono app (docs/observability.md): Socket.IO
 * handshakes and the events sockets send, on the dashboard's namespace and the widget's, and the
 * dashboard's page requests (Next.js). Nothing when tracing is off.
 *
 * What they carry: the namespace, the event name, a handshake's outcome and refusal code, a page
 * request's method, status and the first segment of its path (`/chatbots/*`: deeper segments hold ids
 * and one-time tokens, as `/invite/{token}`). Never payloads, cookies, tokens or query strings.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  contextFromCarrier,
  otelContext,
  otelTrace,
  recordError,
  SpanKind,
  SpanStatusCode,
  tracer,
  tracingEnabled,
  withSpan,
} from "@tandem/core";
import type { Socket } from "socket.io";

type Middleware = (socket: Socket, next: (err?: Error) => void) => unknown;

/** A namespace's handshake middleware in a span `socket.io connect {namespace}`, its queries as children. */
export function tracedHandshake(namespace: string, middleware: Middleware): Middleware {
  return (socket, next) => {
    if (!tracingEnabled()) return middleware(socket, next);
    const span = tracer.startSpan(`socket.io connect ${namespace}`, {
      kind: SpanKind.SERVER,
      attributes: { "messaging.system": "socket.io", "socket.io.namespace": namespace },
    });
    let ended = false;
    const done = (err?: Error) => {
      if (!ended) {
        ended = true;
        span.setAttribute("socket.io.outcome", err ? "refused" : "accepted");
        // A refusal's message is its code (`socket-refusal.ts`).
        if (err) span.setAttribute("socket.io.refusal", err.message.slice(0, 60));
        span.end();
      }
      next(err);
    };
    return otelContext.with(otelTrace.setSpan(otelContext.active(), span), () => middleware(socket, done));
  };
}

/** A socket event's handler in a span `socket.io {event}` (the handler's queries as its children). */
export function tracedEvent<A extends unknown[]>(
  namespace: string,
  event: string,
  handler: (...args: A) => unknown,
): (...args: A) => void {
  return (...args) => {
    if (!tracingEnabled()) {
      void handler(...args);
      return;
    }
    void withSpan(
      `socket.io ${event}`,
      {
        kind: SpanKind.SERVER,
        attributes: { "messaging.system": "socket.io", "socket.io.namespace": namespace, "socket.io.event": event },
      },
      async () => {
        await handler(...args);
      },
    ).catch(() => {
      // Recorded on the span; the handlers answer their own errors (acks).
    });
  };
}

/** `/chatbots/bot_01…?tab=x` → `/chatbots/*`; `/` stays; a first segment that is not a plain word → `/*`. */
export function dashboardRoute(url: string): string {
  const first = (url.split(/[?#]/)[0] ?? "/").split("/").filter(Boolean)[0];
  if (!first) return "/";
  return /^(?:_next|[a-z][a-z-]*)$/.test(first) ? `/${first}/*` : "/*";
}

/** A dashboard request (a Next.js page or asset) in a server span that ends when the response does. */
export function traceDashboardRequest(
  req: IncomingMessage,
  res: ServerResponse,
  handle: () => Promise<void>,
): Promise<void> {
  if (!tracingEnabled()) return handle();
  const method = req.method ?? "GET";
  const route = dashboardRoute(req.url ?? "/");
  const parent = contextFromCarrier({ traceparent: req.headers.traceparent, tracestate: req.headers.tracestate });
  const span = tracer.startSpan(
    `${method} ${route}`,
    { kind: SpanKind.SERVER, attributes: { "http.request.method": method, "http.route": route } },
    parent,
  );
  res.once("close", () => {
    span.setAttribute("http.response.status_code", res.statusCode);
    if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
  return otelContext.with(otelTrace.setSpan(parent, span), async () => {
    try {
      await handle();
    } catch (err) {
      recordError(span, err);
      throw err;
    }
  });
}
