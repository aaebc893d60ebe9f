import type { Context } from "hono";
import type { AppEnv } from "../types.ts";

/**
 * The origin of the page that made a browser request: its `Origin` header. Browsers leave `Origin` off
 * same-origin GETs (the dashboard's widget preview fetching the config), and say so with
 * `Sec-Fetch-Site: same-origin`: that page is on the dashboard's own origin. Undefined otherwise (a
 * server, or a browser that sent neither).
 */
export function pageOrigin(c: Context<AppEnv>): string | undefined {
  const origin = c.req.header("origin");
  if (origin) return origin;
  return c.req.header("sec-fetch-site") === "same-origin" ? c.get("runtime").config.appOrigin : undefined;
}
