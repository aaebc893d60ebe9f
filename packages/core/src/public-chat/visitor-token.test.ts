import { describe, expect, it } from "vitest";
import { originAllowed } from "./allowed-origin.ts";
import { issueVisitorToken, isWidgetSessionId, newWidgetSessionId, verifyVisitorToken } from "./visitor-token.ts";

const SECRET = "s".repeat(40);
const claims = { chatbotId: "bot_1", sessionId: newWidgetSessionId(), origin: "https://shop.example.com" };

describe("visitor token", () => {
  it("round-trips its claims and expires after its lifetime", () => {
    const now = new Date("2026-12-07T10:00:00Z");
    const issued = issueVisitorToken(SECRET, claims, now);
    expect(isWidgetSessionId(issued.sessionId)).toBe(true);
    expect(verifyVisitorToken(SECRET, issued.token, "bot_1", now)).toMatchObject(claims);
    expect(issued.expiresAt).toBe("2026-12-07T10:15:00.000Z");
    expect(() => verifyVisitorToken(SECRET, issued.token, "bot_1", new Date("2026-12-07T10:15:00Z"))).toThrow(
      expect.objectContaining({ code: "visitor_token_expired" }),
    );
  });

  it("refuses a token for another chatbot, a changed payload, another secret, or garbage", () => {
    const { token } = issueVisitorToken(SECRET, claims);
    const invalid = expect.objectContaining({ code: "invalid_visitor_token" });
    expect(() => verifyVisitorToken(SECRET, token, "bot_2")).toThrow(invalid);
    expect(() => verifyVisitorToken("t".repeat(40), token, "bot_1")).toThrow(invalid);
    const [v, payload, mac] = token.split(".") as [string, string, string];
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload, "base64url").toString()), sessionId: "ws_other" }),
    ).toString("base64url");
    expect(() => verifyVisitorToken(SECRET, `${v}.${forged}.${mac}`, "bot_1")).toThrow(invalid);
    for (const garbage of [undefined, "", "vt1.a", "vt2.a.b", `${token}.x`]) {
      expect(() => verifyVisitorToken(SECRET, garbage, "bot_1")).toThrow(invalid);
    }
  });
});

describe("originAllowed", () => {
  const app = "http://localhost:3000";
  it("always allows the dashboard's own origin, and nothing else with an empty list", () => {
    expect(originAllowed("http://localhost:3000", [], app)).toBe(true);
    expect(originAllowed("https://shop.example.com", [], app)).toBe(false);
  });
  it("matches exact hosts, ports and subdomain wildcards", () => {
    const domains = ["shop.example.com", "*.brand.test", "localhost:4000"];
    expect(originAllowed("https://shop.example.com", domains, app)).toBe(true);
    expect(originAllowed("https://evil-shop.example.com", domains, app)).toBe(false);
    expect(originAllowed("https://a.brand.test", domains, app)).toBe(true);
    expect(originAllowed("https://brand.test", domains, app)).toBe(false);
    expect(originAllowed("https://a.brand.test.evil.com", domains, app)).toBe(false);
    expect(originAllowed("http://localhost:4000", domains, app)).toBe(true);
    expect(originAllowed("http://localhost:4001", domains, app)).toBe(false);
  });
  it("never matches a missing, opaque or non-http origin", () => {
    for (const origin of [undefined, null, "null", "file://", "chrome-extension://abc"]) {
      expect(originAllowed(origin, ["*"], app)).toBe(false);
    }
  });
});
