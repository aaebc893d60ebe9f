import { KNOWLEDGE_LIMITS } from "@tandem/contracts";
import type { Runtime } from "@tandem/core";
import type { MiddlewareHandler } from "hono";
import { every } from "hono/combine";
import { cors } from "hono/cors";
import {
  ATTACHMENT_MAX_FILE_BYTES,
  ATTACHMENT_UPLOAD_ROUTES,
  KNOWLEDGE_UPLOAD_ROUTES,
  MAX_BODY_BYTES,
  UPLOAD_MAX_BODY_BYTES,
  UPLOAD_ROUTES,
} from "../constants.ts";
import { requireAuth } from "../middleware/auth.ts";
import { limitBody } from "../middleware/body-limit.ts";
import { storableBody } from "../middleware/storable-input.ts";
import type { AppEnv } from "../types.ts";

/** Answered without a caller: the OpenAPI document. Every other `/api/v1` admin path needs one. */
export const OPENAPI_PATH = "/api/v1/openapi.json";

const APP_API = /^\/api\/(?:v1|auth)(?:\/|$)/;
const ADMIN_API = /^\/api\/v1(?:\/|$)/;

/**
 * The stack of the dashboard and personal API tokens: `/api/v1/*` (but public and webhook paths, see
 * audience.ts), `/api/auth/*` and `/api/health`.
 *
 * - body up to 1 MB (413) — up to `UPLOAD_MAX_BODY_BYTES` on the upload routes (`UPLOAD_ROUTES`), whose
 *   files stream to disk — and no NUL or lone surrogate in a JSON body (400, storable-input.ts);
 * - CORS for the app's own origin (`APP_URL`) only, with credentials: any other origin gets no CORS
 *   headers, so a browser on another site cannot read an answer;
 * - `/api/v1/*` needs a caller — the session cookie or `Authorization: Bearer <personal token>` — and
 *   a cookie-authenticated mutation needs the same origin and the CSRF token (`requireAuth`); the auth
 *   routes check what each needs themselves (sign-in has no session yet). Roles are per route
 *   (`permit(permission)` in openapi.ts).
 */
export function adminStack(runtime: Runtime): MiddlewareHandler<AppEnv> {
  const appOriginCors = cors({
    origin: (origin) => (origin === runtime.config.appOrigin ? origin : null),
    credentials: true,
    allowHeaders: ["Content-Type", "Authorization", "X-CSRF-Token", "X-Request-Id"],
    allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE"],
    maxAge: 600,
  });
  const jsonLimit = limitBody(MAX_BODY_BYTES);
  const uploadLimit = limitBody(UPLOAD_MAX_BODY_BYTES);
  const knowledgeUploadLimit = limitBody(
    KNOWLEDGE_LIMITS.filesPerUpload * runtime.config.knowledge.maxFileBytes + 1024 * 1024,
  );
  const attachmentLimit = limitBody(ATTACHMENT_MAX_FILE_BYTES + 64 * 1024);
  const bodyLimit = (method: string, path: string) => {
    if (method !== "POST") return jsonLimit;
    if (UPLOAD_ROUTES.test(path)) return uploadLimit;
    if (ATTACHMENT_UPLOAD_ROUTES.test(path)) return attachmentLimit;
    return KNOWLEDGE_UPLOAD_ROUTES.test(path) ? knowledgeUploadLimit : jsonLimit;
  };
  return every(
    (c, next) => bodyLimit(c.req.method, c.req.path)(c, next),
    storableBody,
    when((path) => APP_API.test(path), appOriginCors),
    when((path) => ADMIN_API.test(path) && path !== OPENAPI_PATH, requireAuth),
  );
}

const when =
  (applies: (path: string) => boolean, middleware: MiddlewareHandler<AppEnv>): MiddlewareHandler<AppEnv> =>
  (c, next) =>
    applies(c.req.path) ? middleware(c, next) : next();
