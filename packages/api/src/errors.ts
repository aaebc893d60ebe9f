import { DomainError } from "@tandem/core";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ZodError } from "zod";
import { requestAborted } from "./http-server.ts";
import { loggablePath } from "./middleware/request-context.ts";
import type { AppEnv } from "./types.ts";

/** HTTP status for each domain error code; unknown codes are treated as a bad request. */
const STATUS_BY_CODE: Record<string, ContentfulStatusCode> = {
  invalid_input: 400,
  invalid_json: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  forbidden: 403,
  csrf_failed: 403,
  origin_not_allowed: 403,
  no_workspace: 403,
  not_found: 404,
  already_member: 409,
  already_set_up: 409,
  last_owner: 409,
  conflict: 409,
  page_already_connected: 409,
  line_already_connected: 409,
  line_account_mismatch: 409,
  line_not_connected: 409,
  invalid_line_token: 400,
  line_credentials_required: 400,
  line_webhook_requires_https: 422,
  outside_messaging_window: 409,
  message_not_failed: 409,
  no_chatbot: 409,
  provider_not_configured: 409,
  webhook_not_configured: 409,
  bot_cannot_answer: 422,
  content_filtered: 502,
  payload_too_large: 413,
  rate_limited: 429,
  platform_unavailable: 503,
  mail_not_configured: 503,
  queue_unavailable: 503,
  secret_key_missing: 500,
  secret_unreadable: 500,
};

export function statusForCode(code: string): ContentfulStatusCode {
  const known = STATUS_BY_CODE[code];
  if (known) return known;
  if (code.endsWith("_not_found")) return 404;
  // The normalised LLM provider failures (`provider_rate_limited`, `provider_timeout`, …).
  if (code.startsWith("provider_")) return 502;
  return 400;
}

export function errorBody(code: string, message: string, requestId: string, details?: unknown) {
  return { error: { code, message, requestId, ...(details === undefined ? {} : { details }) } };
}

export const zodDetails = (error: ZodError) =>
  error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message, code: i.code }));

/** The one HTTP error mapper: domain errors keep their code, unknown errors become a bare 500. */
export function handleError(err: Error, c: Context<AppEnv>) {
  const requestId = c.get("requestId") ?? "unknown";
  if (requestAborted(c.env?.incoming)) {
    // Reading the body failed because the client hung up (or was cut off by the request deadline).
    c.get("runtime")?.log.warn(
      { requestId, path: c.req.path, method: c.req.method },
      "request aborted before its body was complete",
    );
    return c.body(null, 499 as ContentfulStatusCode);
  }
  if (err instanceof DomainError) {
    const status = statusForCode(err.code);
    if (err.retryAfterSeconds) c.header("Retry-After", String(err.retryAfterSeconds));
    if (status >= 500) c.get("runtime")?.log.error({ err, requestId }, "domain error");
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
  c.get("runtime")?.log.error(
    { err, requestId, path: loggablePath(c.req.path), method: c.req.method },
    "unhandled error",
  );
  return c.json(
    errorBody("internal_error", "Something went wrong. Quote the request id when reporting it.", requestId),
    500,
  );
}

export function notFoundHandler(c: Context<AppEnv>) {
  return c.json(
    errorBody("not_found", `No route for ${c.req.method} ${c.req.path}`, c.get("requestId") ?? "unknown"),
    404,
  );
}
