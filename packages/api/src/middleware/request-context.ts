import { randomUUID } from "node:crypto";
import type { Runtime } from "@tandem/core";
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

export function clientIp(c: { env: AppEnv["Bindings"] | undefined }): string | undefined {
  return c.env?.incoming?.socket?.remoteAddress;
}
