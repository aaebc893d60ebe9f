import type { ChannelDto } from "@tandem/contracts";
import { describe, expect, it } from "vitest";
import { verificationStatus, webhookHealth } from "./webhook-health";

const NOW = Date.parse("2026-03-01T12:00:00.000Z");
const minutesAgo = (m: number) => new Date(NOW - m * 60_000).toISOString();

function page(webhook: Partial<ChannelDto["webhook"]> = {}, channel: Partial<ChannelDto> = {}): ChannelDto {
  return {
    id: "ch_1",
    type: "messenger",
    name: "Demo Shop",
    externalId: "1234567890",
    chatbotId: null,
    status: "active",
    statusReason: null,
    subscribed: true,
    subscribedFields: ["messages"],
    secretHints: {},
    webhook: {
      lastEventAt: minutesAgo(10),
      lastProcessedAt: minutesAgo(10),
      eventsReceived: 12,
      eventsFailed: 0,
      signatureRejections: 0,
      lastSignatureRejectionAt: null,
      retries: 0,
      recentFailures: 0,
      lastFailure: null,
      ...webhook,
    },
    createdAt: minutesAgo(600),
    ...channel,
  };
}

describe("a Page's webhook status", () => {
  it("stays what signed events say when badly signed calls naming the Page come after them", () => {
    const flooded = page({ signatureRejections: 30, lastSignatureRejectionAt: minutesAgo(1) });
    const health = webhookHealth(flooded, NOW);
    expect(health).toMatchObject({ ok: true, label: "Receiving events" });
    // The refusals are shown beside the state, as a hint.
    expect(health.note).toMatch(/refused .*FB_APP_SECRET.*Anyone can send such calls/);
    expect(webhookHealth(page(), NOW).note).toBeNull();
  });

  it("drops the hint once a signed event arrives after the refusals", () => {
    const health = webhookHealth(page({ lastSignatureRejectionAt: minutesAgo(20), signatureRejections: 1 }), NOW);
    expect(health).toMatchObject({ ok: true, note: null });
  });

  it("without any signed event, is not green, whatever unsigned calls say", () => {
    const health = webhookHealth(
      page({
        lastEventAt: null,
        lastProcessedAt: null,
        lastSignatureRejectionAt: minutesAgo(1),
        signatureRejections: 3,
      }),
      NOW,
    );
    expect(health).toMatchObject({ ok: false, label: "No events received yet" });
    expect(health.note).toMatch(/FB_APP_SECRET/);
  });

  it("still reports what signed traffic proves: token rejected, unsubscribed, failing events", () => {
    expect(webhookHealth(page({}, { status: "reconnect_needed" }), NOW).label).toBe("Token rejected");
    expect(webhookHealth(page({}, { subscribed: false }), NOW).label).toBe("Not subscribed");
    const failing = page({
      lastFailure: { at: minutesAgo(2), message: "Graph API down" },
      lastProcessedAt: minutesAgo(9),
    });
    expect(webhookHealth(failing, NOW)).toMatchObject({ ok: false, label: "Events failing" });
  });
});

describe("the app-level verification", () => {
  it("stays verified when refused handshakes come after the last pass; they are shown as attempts", () => {
    const status = verificationStatus({
      lastVerifiedAt: minutesAgo(60),
      lastFailedAttemptAt: minutesAgo(1),
      lastFailedAttemptReason: "the verify token does not match WEBHOOK_VERIFY_TOKEN",
    });
    expect(status.verified).toBe(true);
    expect(status.text).toMatch(/^Last verified /);
    expect(status.attempt).toMatch(
      /refused .*\(the verify token does not match WEBHOOK_VERIFY_TOKEN\)\. Anyone can call/,
    );
  });

  it("says when nothing has passed yet, with the latest refused attempt beside it", () => {
    const status = verificationStatus({
      lastVerifiedAt: null,
      lastFailedAttemptAt: minutesAgo(1),
      lastFailedAttemptReason: 'hub.mode was "", not "subscribe"',
    });
    expect(status).toMatchObject({ verified: false, text: expect.stringMatching(/^Not verified yet/) });
    expect(status.attempt).toMatch(/hub\.mode/);
    expect(
      verificationStatus({
        lastVerifiedAt: minutesAgo(1),
        lastFailedAttemptAt: minutesAgo(5),
        lastFailedAttemptReason: "x",
      }).attempt,
    ).toBeNull();
  });
});
