const DEFAULT_PATH = "/dashboard";

/**
 * Where to go after signing in. Only same-origin paths are accepted ("/x", not "//host" or
 * "/\\host"), so the `next` parameter cannot send someone to another site.
 */
export function safeNextPath(raw: string | null | undefined): string {
  if (!raw?.startsWith("/") || raw.startsWith("//") || raw.startsWith("/\\")) return DEFAULT_PATH;
  if (raw === "/login" || raw.startsWith("/login?")) return DEFAULT_PATH;
  return raw;
}
