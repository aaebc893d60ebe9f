import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../types.ts";

/**
 * Who a request is for decides which middleware stack it goes through (docs/architecture.md, "HTTP
 * by audience"). The path alone decides, so a route cannot end up in the wrong stack by the router it
 * was written in: LINE's `/api/v1/integrations/line/{chatbotId}/webhook` is a webhook while its
 * siblings `…/config` and `…/status` are admin routes.
 *
 * - `webhooks`: `/api/webhooks/*` and `/api/v1/integrations/{provider}/{id}/webhook` — platforms,
 *   authenticated by a signature over the raw body (stacks/webhooks.ts).
 * - `public`: `/api/v1/public/*` — the widget and the public chat API, called from any site
 *   (stacks/public.ts).
 * - `operator`: `/api/metrics` — Prometheus, with `METRICS_TOKEN` (stacks/operator.ts).
 * - `admin`: everything else — the dashboard and personal tokens (`/api/v1/*`, `/api/auth/*`), and
 *   `/api/health` (stacks/admin.ts).
 */
export type Audience = "admin" | "webhooks" | "public" | "operator";

export const METRICS_PATH = "/api/metrics";

const INTEGRATION_WEBHOOK = /^\/api\/v1\/integrations\/[^/]+\/[^/]+\/webhook$/;

export function audienceOf(path: string): Audience {
  if (path.startsWith("/api/webhooks/") || INTEGRATION_WEBHOOK.test(path)) return "webhooks";
  if (path === "/api/v1/public" || path.startsWith("/api/v1/public/")) return "public";
  if (path === METRICS_PATH) return "operator";
  return "admin";
}

/** One middleware that runs the request's own stack. */
export function byAudience(stacks: Record<Audience, MiddlewareHandler<AppEnv>>): MiddlewareHandler<AppEnv> {
  return (c, next) => stacks[audienceOf(c.req.path)](c, next);
}
