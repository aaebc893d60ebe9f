import type { ServerResponse } from "node:http";

/**
 * Response headers every answer of this server carries (dashboard pages, their assets, the API),
 * set in one place: server.ts calls `setSecurityHeaders` before handing a request to Next, Hono or
 * the simulator, and their own headers are added to these.
 *
 * - No other site may frame the dashboard (clickjacking): `X-Frame-Options: DENY` for older
 *   browsers and CSP `frame-ancestors 'none'`. The CSP stops there, plus `object-src 'none'` and
 *   `base-uri 'self'`, which Next does not need; a script policy would need nonces in every page.
 * - `X-Content-Type-Options: nosniff`: files are what their Content-Type says.
 * - `Referrer-Policy: same-origin`: URLs (invitation links carry a token) never leave as a Referer.
 * - `Permissions-Policy`: no camera, microphone or location for the dashboard.
 * - `Strict-Transport-Security` when APP_URL is https (browsers ignore it over plain http).
 *
 * Routes that other sites are meant to embed opt out of the framing rules by being listed in
 * `FRAMEABLE_PATH_PREFIXES` — the website widget (`/api/v1/public/widget/`) once it ships. They
 * keep the other headers.
 */
export const FRAMEABLE_PATH_PREFIXES: readonly string[] = [];

export interface SecurityHeaderOptions {
  https: boolean;
  frameable?: readonly string[];
}

export function securityHeaders(pathname: string, options: SecurityHeaderOptions): Record<string, string> {
  const frameable = (options.frameable ?? FRAMEABLE_PATH_PREFIXES).some((prefix) => pathname.startsWith(prefix));
  const headers: Record<string, string> = {
    "Content-Security-Policy": `${frameable ? "" : "frame-ancestors 'none'; "}object-src 'none'; base-uri 'self'`,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
  };
  if (!frameable) headers["X-Frame-Options"] = "DENY";
  if (options.https) headers["Strict-Transport-Security"] = "max-age=31536000";
  return headers;
}

export function setSecurityHeaders(url: string, res: ServerResponse, options: SecurityHeaderOptions): void {
  const pathname = url.split("?", 1)[0] ?? "/";
  for (const [name, value] of Object.entries(securityHeaders(pathname, options))) res.setHeader(name, value);
}
