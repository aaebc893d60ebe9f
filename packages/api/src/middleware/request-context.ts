import { randomUUID } from "node:crypto";
import { clientAddress, type Runtime } from "@tandem/core";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../types.ts";

const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{8,100}$/;
/** One-time links carry their token in the path (`/api/auth/password/reset/pwr_…`): logs keep only the prefix. */
const TOKEN_IN_PATH = /\/(pwr|inv)_[A-Za-z0-9_-]{40,}/g;
export const loggablePath = (path: string) => path.replace(TOKEN_IN_PATH, "/$1_[redacted]");

/** Request id (accepted from a proxy when well-formed), runtime handle and one access-log line. */
export const requestContext = (runtime: Runtime) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const incoming = c.req.header("x-request-id");
    const requestId = incoming && VALID_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    c.set("requestId", requestId);
    c.set("runtime", runtime);
    c.header("X-Request-Id", requestId);
    const started = performance.now();
    await next();
    const status = c.res.status;
    const level = status >= 500 ? "error" : status >= 400 ? "info" : "debug";
    runtime.log[level](
      {
        requestId,
        method: c.req.method,
        path: loggablePath(c.req.path),
        status,
        ms: Math.round(performance.now() - started),
      },
      "request",
    );
  });

/**
 * The client's address for rate limits, sessions and audit rows: the TCP peer, or what trusted
 * proxies (`TRUST_PROXY`) say in X-Forwarded-For. Undefined for in-process `app.request()` calls.
 */
export function clientIp(c: Context<AppEnv>): string | undefined {
  const incoming = c.env?.incoming;
  return incoming ? clientAddress(incoming, c.get("runtime").config.trustProxy) : undefined;
}
