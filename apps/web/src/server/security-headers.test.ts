import { describe, expect, it } from "vitest";
import { securityHeaders } from "./security-headers.ts";

describe("securityHeaders", () => {
  it("forbids framing, sniffing and cross-origin referrers on every path by default", () => {
    for (const path of ["/login", "/dashboard", "/api/v1/me", "/api/v1/public/widget/abc", "/_next/static/x.js"]) {
      const headers = securityHeaders(path, { https: false });
      expect(headers["X-Frame-Options"], path).toBe("DENY");
      expect(headers["Content-Security-Policy"], path).toContain("frame-ancestors 'none'");
      expect(headers["X-Content-Type-Options"], path).toBe("nosniff");
      expect(headers["Referrer-Policy"], path).toBe("same-origin");
      expect(headers["Strict-Transport-Security"], path).toBeUndefined();
    }
  });

  it("lets a listed prefix be framed (the future widget) and keeps the other headers there", () => {
    const options = { https: false, frameable: ["/api/v1/public/widget/"] };
    const widget = securityHeaders("/api/v1/public/widget/frame", options);
    expect(widget["X-Frame-Options"]).toBeUndefined();
    expect(widget["Content-Security-Policy"]).not.toContain("frame-ancestors");
    expect(widget["X-Content-Type-Options"]).toBe("nosniff");
    expect(securityHeaders("/api/v1/public/other", options)["X-Frame-Options"]).toBe("DENY");
  });

  it("asks browsers to stay on https when APP_URL is https", () => {
    expect(securityHeaders("/login", { https: true })["Strict-Transport-Security"]).toBe("max-age=31536000");
  });
});
