import { OpenAPIHono, type RouteConfig, type RouteHook } from "@hono/zod-openapi";
import { ErrorBody } from "@tandem/contracts";
import { DomainError, type Permission } from "@tandem/core";
import { zodDetails } from "./errors.ts";
import { requirePermission } from "./middleware/require-permission.ts";
import type { AppEnv } from "./types.ts";

/** Validation failures become the shared 400 error shape (field paths in `details`). */
// biome-ignore lint/suspicious/noExplicitAny: the hook is shared by every route
const defaultHook: RouteHook<any, AppEnv, any, any> = (result) => {
  if (!result.success) {
    throw new DomainError("invalid_input", "The request is invalid", { details: zodDetails(result.error) });
  }
};

export const createRouter = () => new OpenAPIHono<AppEnv>({ defaultHook });

/** Spread into `createRoute`: enforces the permission and records it in the OpenAPI document. */
export const permit = <P extends Permission>(permission: P) => ({
  middleware: requirePermission(permission),
  "x-permission": permission,
});

const STATUS_TEXT: Record<number, string> = {
  400: "Invalid input",
  401: "Not signed in",
  403: "Forbidden for this role",
  404: "Not found in this workspace",
  409: "Conflict",
  413: "Body too large",
  415: "Unsupported file type (see error.details)",
  422: "Understood but cannot be done (see error.code)",
  428: "If-Match required",
  429: "Rate limited (see Retry-After)",
  502: "The AI provider failed (error.code names how)",
  503: "Not available on this installation (see error.code)",
};

export function errors(...statuses: number[]): RouteConfig["responses"] {
  return Object.fromEntries(
    statuses.map((s) => [
      s,
      { description: STATUS_TEXT[s] ?? "Error", content: { "application/json": { schema: ErrorBody } } },
    ]),
  );
}

export const json = <T>(schema: T, description = "OK") => ({
  description,
  content: { "application/json": { schema } },
});

export const jsonBody = <T>(schema: T) => ({
  body: { required: true, content: { "application/json": { schema } } },
});
