import { describe, expect, it } from "vitest";
import { replyBlockedReason } from "./conversations.ts";

const HOUR = 60 * 60_000;
const now = Date.parse("2025-06-01T12:00:00Z");
const windowFrom = (lastInboundAgoMs: number) => ({
  replyWindow: {
    botUntil: new Date(now - lastInboundAgoMs + 24 * HOUR).toISOString(),
    agentUntil: new Date(now - lastInboundAgoMs + 7 * 24 * HOUR).toISOString(),
  },
});

describe("replyBlockedReason", () => {
  it("lets anyone reply inside 24 hours and on channels without a window", () => {
    expect(replyBlockedReason(windowFrom(HOUR), "AGENT", now)).toBeNull();
    expect(replyBlockedReason(windowFrom(HOUR), "BOT", now)).toBeNull();
    expect(replyBlockedReason({ replyWindow: null }, "BOT", now)).toBeNull();
  });

  it("lets only a person reply between 24 hours and 7 days", () => {
    expect(replyBlockedReason(windowFrom(30 * HOUR), "AGENT", now)).toBeNull();
    expect(replyBlockedReason(windowFrom(30 * HOUR), "BOT", now)).toMatch(/within 24 hours.*reply yourself/);
  });

  it("lets nobody reply after 7 days or before the customer's first message", () => {
    expect(replyBlockedReason(windowFrom(8 * 24 * HOUR), "AGENT", now)).toMatch(/more than 7 days old/);
    expect(replyBlockedReason(windowFrom(8 * 24 * HOUR), "BOT", now)).toMatch(/more than 7 days old/);
    expect(replyBlockedReason({ replyWindow: { agentUntil: null, botUntil: null } }, "AGENT", now)).toMatch(
      /has not written yet/,
    );
  });
});
