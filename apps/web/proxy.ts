import { SESSION_COOKIE } from "@tandem/contracts/common";
import { type NextRequest, NextResponse } from "next/server";

/**
 * Fast path for signed-out visitors: without a session cookie, dashboard pages redirect to /login
 * before rendering. Only presence is checked here; whether the session is valid is decided by the
 * API (`/api/v1/me` answering 401 sends the browser to /login from the client).
 */
const PUBLIC_PREFIXES = ["/login", "/setup", "/invite/", "/forgot-password", "/reset-password/"];

export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  const isPublic = PUBLIC_PREFIXES.some((prefix) => pathname === prefix || pathname.startsWith(prefix));
  if (isPublic || request.cookies.has(SESSION_COOKIE)) return NextResponse.next();

  const login = request.nextUrl.clone();
  login.pathname = "/login";
  login.search = pathname === "/" ? "" : `?next=${encodeURIComponent(pathname + search)}`;
  return NextResponse.redirect(login);
}

export const config = {
  // Pages only: not the API, Socket.IO, Next's assets or files with an extension (icon.svg, …).
  matcher: ["/((?!api/|socket\\.io/|_next/|.*\\.[a-zA-Z0-9]+$).*)"],
};
