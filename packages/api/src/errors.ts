import { DomainError, reportError, ShopifyApiError, shopifyErrorToDomain } from "@tandem/core";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { routePath } from "hono/route";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ZodError } from "zod";
import { statusForCode } from "./error-codes.ts";
import { requestAborted } from "./http-server.ts";
import { loggablePath } from "./middleware/request-context.ts";
import type { AppEnv } from "./types.ts";

export function errorBody(code: string, message: string, requestId: string, details?: unknown) {
  return { error: { code, message, requestId, ...(details === undefined ? {} : { details }) } };
}

export const zodDetails = (error: ZodError) =>
  error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message, code: i.code }));

/**
 * The one HTTP error mapper: a domain error keeps its code with the status from the table
 * (error-codes.ts); a code the table lacks, and any other error, becomes a bare 500 whose details go
 * only to the log, with the request id the client can quote.
 */
export function handleError(thrown: Error, c: Context<AppEnv>) {
  // A platform client's own error reaches HTTP as the domain code it stands for.
  const err = thrown instanceof ShopifyApiError ? (shopifyErrorToDomain(thrown) as DomainError) : thrown;
  const requestId = c.get("requestId") ?? "unknown";
  if (requestAborted(c.env?.incoming)) {
    // Reading the body failed because the client hung up (or was cut off by the request deadline).
    log(c)?.warn({ requestId, path: c.req.path, method: c.req.method }, "request aborted before its body was complete");
    return c.body(null, 499 as ContentfulStatusCode);
  }
  if (err instanceof DomainError) {
    const status = statusForCode(err.code);
    if (status === undefined) {
      log(c)?.error(
        { err, code: err.code, requestId, path: loggablePath(c.req.path), method: c.req.method },
        "error code without an HTTP status: add it to packages/api/src/error-codes.ts",
      );
      report(c, err, requestId);
      return internalError(c, requestId);
    }
    if (err.retryAfterSeconds) c.header("Retry-After", String(err.retryAfterSeconds));
    if (status >= 500) log(c)?.error({ err, requestId }, "domain error");
    // A 500 is this server's fault (a secret it cannot read); 502/503 name a provider or a setting.
    if (status === 500) report(c, err, requestId);
    return c.json(errorBody(err.code, err.message, requestId, err.details), status);
  }
  if (err instanceof ZodError) {
    return c.json(errorBody("invalid_input", "The request is invalid", requestId, zodDetails(err)), 400);
  }
  if (err instanceof HTTPException) {
    const status = err.status as ContentfulStatusCode;
    if (status === 413) return c.json(errorBody("payload_too_large", "The request body is too large", requestId), 413);
    if (status === 400 && /json/i.test(err.message)) {
      return c.json(errorBody("invalid_json", "The request body is not valid JSON", requestId), 400);
    }
    if (status < 500) return c.json(errorBody(`http_${status}`, err.message || "Request failed", requestId), status);
  }
  log(c)?.error({ err, requestId, path: loggablePath(c.req.path), method: c.req.method }, "unhandled error");
  report(c, err, requestId);
  return internalError(c, requestId);
}

/** To Sentry (when on), with the request id and the route template — never the path, headers or body. */
const report = (c: Context<AppEnv>, err: Error, requestId: string) => {
  const route = routePath(c, -1);
  reportError(err, { requestId, method: c.req.method, route: route.includes("*") ? undefined : route });
};

const log = (c: Context<AppEnv>) => c.get("runtime")?.log;

const internalError = (c: Context<AppEnv>, requestId: string) =>
  c.json(errorBody("internal_error", "Something went wrong. Quote the request id when reporting it.", requestId), 500);

export function notFoundHandler(c: Context<AppEnv>) {
  return c.json(
    errorBody("not_found", `No route for ${c.req.method} ${c.req.path}`, c.get("requestId") ?? "unknown"),
    404,
  );
}
