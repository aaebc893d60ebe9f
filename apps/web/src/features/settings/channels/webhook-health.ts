import type { ChannelDto, MessengerWebhookSetup } from "@tandem/contracts";
// Relative, not "@/lib/format": this module is unit-tested outside Next's bundler.
import { formatDateTime, formatRelative } from "../../../lib/format";

/**
 * What Settings → Channels says about a webhook. The state comes only from what proves something:
 * signed events (a Page's status) and passed handshakes (the app-level verification). Anyone can post
 * a badly signed body naming a Page or call the handshake with a wrong token, so those are shown as
 * notes beside the state — never as the state itself.
 */

export interface WebhookHealth {
  ok: boolean;
  label: string;
  detail: string;
  /** Calls refused for a bad signature since the last signed event: a hint, not the state. */
  note: string | null;
}

/**
 * Green only when Facebook is actually delivering and Tandem is processing: the app is subscribed to
 * the Page, an event has arrived, and the latest event did not fail. Everything else is red, with
 * what to do about it. Failures that were followed by processed events (recovered) stay green,
 * counted in the detail.
 */
export function webhookHealth(channel: ChannelDto, now = Date.now()): WebhookHealth {
  const { lastEventAt, lastProcessedAt, lastFailure, lastSignatureRejectionAt, recentFailures } = channel.webhook;
  const time = (iso: string | null) => (iso ? new Date(iso).getTime() : 0);
  const note =
    lastSignatureRejectionAt && time(lastSignatureRejectionAt) > time(lastEventAt)
      ? `A call naming this Page was refused ${lastEventAgo(lastSignatureRejectionAt, now)}: its signature does not match this server's FB_APP_SECRET. Anyone can send such calls; if Facebook's events stop arriving, check the App Secret in the Meta App Dashboard.`
      : null;
  const state = (ok: boolean, label: string, detail: string): WebhookHealth => ({ ok, label, detail, note });
  if (channel.status === "reconnect_needed") {
    return state(
      false,
      "Token rejected",
      "Facebook no longer accepts this Page's token. Reconnect the Page to receive messages again.",
    );
  }
  if (channel.status === "error") {
    return state(false, "Channel error", channel.statusReason ?? "The channel reported an error.");
  }
  if (!channel.subscribed) {
    return state(
      false,
      "Not subscribed",
      lastEventAt
        ? `Facebook no longer sends this Page's messages to Tandem. Last event ${lastEventAgo(lastEventAt, now)}.`
        : "Facebook does not send this Page's messages to Tandem. Subscribe to start receiving them.",
    );
  }
  if (lastFailure && time(lastFailure.at) > time(lastProcessedAt)) {
    return state(
      false,
      "Events failing",
      `The latest event (${lastEventAgo(lastFailure.at, now)}) could not be processed: ${lastFailure.message}. Failed events are retried; nothing is lost.`,
    );
  }
  if (!lastEventAt) {
    return state(
      false,
      "No events received yet",
      "Subscribed. Send a message to the Page; the status turns green when the first event arrives.",
    );
  }
  const recovered =
    recentFailures > 0 ? ` · ${recentFailures} failed in the last 24 hours, processed normally since.` : "";
  return state(true, "Receiving events", `Last event ${lastEventAgo(lastEventAt, now)}${recovered}`);
}

/** "less than a minute ago", "5 minutes ago", … */
function lastEventAgo(iso: string, now: number) {
  return now - new Date(iso).getTime() < 60_000 ? "less than a minute ago" : formatRelative(iso, now);
}

export interface VerificationStatus {
  verified: boolean;
  /** The state: when a handshake last passed, or that none has. */
  text: string;
  /** The latest refused handshake since the last pass, as information. */
  attempt: string | null;
}

/** The app-level verification: passed handshakes are the state; a refused one since is only noted. */
export function verificationStatus(verification: MessengerWebhookSetup["verification"]): VerificationStatus {
  const { lastVerifiedAt, lastFailedAttemptAt, lastFailedAttemptReason } = verification;
  const attemptSince =
    lastFailedAttemptAt !== null && (lastVerifiedAt === null || lastFailedAttemptAt > lastVerifiedAt);
  return {
    verified: lastVerifiedAt !== null,
    text: lastVerifiedAt
      ? `Last verified ${formatDateTime(lastVerifiedAt)}.`
      : "Not verified yet: click “Verify and save” in the Meta App Dashboard, or test it here.",
    attempt:
      attemptSince && lastFailedAttemptAt
        ? `A handshake was refused ${formatDateTime(lastFailedAttemptAt)}${lastFailedAttemptReason ? ` (${lastFailedAttemptReason})` : ""}. Anyone can call this URL; if it was Meta's “Verify and save”, check the verify token.`
        : null,
  };
}
