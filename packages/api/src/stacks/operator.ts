import { DomainError, metricsTokenMatches } from "@tandem/core";
import type { MiddlewareHandler } from "hono";
import { every } from "hono/combine";
import { createMiddleware } from "hono/factory";
import { withoutCookies } from "../middleware/without-cookies.ts";
import type { AppEnv } from "../types.ts";

/**
 * The stack of the operator's machine-read endpoints (`/api/metrics`): read by a scraper, not a
 * browser or a person, so no session, no cookies, no CORS. The caller shows `METRICS_TOKEN` as a
 * bearer token; without the variable the endpoint does not exist (404, as an unknown route), and a
 * missing or wrong token is 401 — the endpoint is never open.
 */
export function operatorStack(): MiddlewareHandler<AppEnv> {
  return every(withoutCookies, requireMetricsToken);
}

const requireMetricsToken = createMiddleware<AppEnv>(async (c, next) => {
  const expected = c.get("runtime").config.metricsToken;
  if (!expected) throw new DomainError("not_found", `No route for ${c.req.method} ${c.req.path}`);
  if (!metricsTokenMatches(expected, c.req.header("authorization"))) {
    c.header("WWW-Authenticate", 'Bearer realm="metrics"');
    throw new DomainError("unauthenticated", "The metrics token is missing or wrong");
  }
  await next();
});
