import { contextFromCarrier, SpanKind, SpanStatusCode, tracingEnabled, withSpan } from "@tandem/core";
import { createMiddleware } from "hono/factory";
import { routePath } from "hono/route";
import type { AppEnv } from "../types.ts";

/**
 * One server span per API request, named by its route template (`POST /api/v1/conversations/:id/messages`),
 * with the method, the status and the request id; a caller's W3C `traceparent` is continued. The
 * path itself (ids, one-time tokens), the query, headers and bodies are not recorded. Off — no
 * work at all — while tracing is.
 */
export const traceRequest = createMiddleware<AppEnv>(async (c, next) => {
  if (!tracingEnabled()) return next();
  await traceServerRequest(
    c.req.method,
    (name) => c.req.header(name),
    async () => {
      await next();
      // The last route the path matched: its handler's template (a wildcard when none did).
      const route = routePath(c, -1);
      return { status: c.res.status, route: route.includes("*") ? undefined : route, requestId: c.get("requestId") };
    },
  );
});

/** The server span of a request answered outside Hono (the webhook fast path). */
export function traceServerRequest(
  method: string,
  header: (name: string) => string | undefined,
  run: () => Promise<{ status: number; route: string | undefined; requestId: string | undefined }>,
): Promise<void> {
  const parent = contextFromCarrier({ traceparent: header("traceparent"), tracestate: header("tracestate") });
  return withSpan(
    method,
    { kind: SpanKind.SERVER, attributes: { "http.request.method": method } },
    async (span) => {
      const { status, route, requestId } = await run();
      span.updateName(route ? `${method} ${route}` : method);
      span.setAttributes({
        "http.response.status_code": status,
        ...(route ? { "http.route": route } : {}),
        ...(requestId ? { "tandem.request_id": requestId } : {}),
      });
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    },
    parent,
  );
}
