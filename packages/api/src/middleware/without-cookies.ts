import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../types.ts";

/**
 * For audiences that must never act as a signed-in user (webhooks, the public API): the request's
 * `Cookie` header is removed before any route runs — nothing after it can read a session, even by
 * mistake — and a `Set-Cookie` a response carries is dropped.
 */
export const withoutCookies = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.raw.headers.has("cookie")) c.req.raw.headers.delete("cookie");
  await next();
  if (c.res.headers.has("set-cookie")) c.res.headers.delete("set-cookie");
});
