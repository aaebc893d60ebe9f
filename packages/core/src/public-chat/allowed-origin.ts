/**
 * Whether a page origin may run a chatbot's widget: the dashboard's own origin always may (the
 * preview); any other only when its host matches one of the chatbot's `allowedDomains` — an exact
 * host (`shop.example.com`, optionally with `:port`) or a wildcard for subdomains (`*.example.com`
 * matches `a.example.com`, not `example.com`). An empty list means the preview only. Origins that are
 * not http(s) (`null`, `file://`, extensions) never match.
 */
export function originAllowed(
  origin: string | null | undefined,
  allowedDomains: readonly string[],
  appOrigin: string,
): boolean {
  if (!origin) return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return false;
  if (url.origin === new URL(appOrigin).origin) return true;
  const host = url.host.toLowerCase();
  const hostname = url.hostname.toLowerCase();
  return allowedDomains.some((raw) => {
    const domain = raw.trim().toLowerCase();
    if (domain.startsWith("*.")) {
      const suffix = domain.slice(1);
      return (domain.includes(":") ? host : hostname).endsWith(suffix);
    }
    return domain.includes(":") ? host === domain : hostname === domain;
  });
}
