"use client";

import type { ChannelDto } from "@tandem/contracts";
import { CircleCheck, CircleOff, RefreshCw, TriangleAlert } from "lucide-react";
import { useEffect, useState } from "react";
import { Badge } from "@/components/ui/badge";
import { formatDateTime, formatRelative } from "@/lib/format";
import { cn } from "@/lib/utils";

const STATUS: Record<ChannelDto["status"], { label: string; icon: typeof CircleCheck; className: string }> = {
  active: { label: "Active", icon: CircleCheck, className: "bg-success/10 text-success" },
  reconnect_needed: { label: "Reconnect needed", icon: RefreshCw, className: "bg-warning/15 text-amber-800" },
  error: { label: "Error", icon: TriangleAlert, className: "bg-destructive/10 text-destructive" },
  disconnected: { label: "Disconnected", icon: CircleOff, className: "bg-secondary text-muted-foreground" },
};

/** The connection status of a channel: active, reconnect needed, error (or disconnected). */
export function ChannelStatusBadge({ status }: { status: ChannelDto["status"] }) {
  const { label, icon: Icon, className } = STATUS[status];
  return (
    <Badge className={cn("border-transparent", className)}>
      <Icon aria-hidden="true" />
      {label}
    </Badge>
  );
}

export interface WebhookHealth {
  ok: boolean;
  label: string;
  detail: string;
}

/**
 * Green only when Facebook is actually delivering and Tandem is processing: the app is subscribed to
 * the Page, an event has arrived, and neither the latest event nor the latest call failed. Everything
 * else is red, with what to do about it. Failures that were followed by processed events (recovered)
 * stay green, counted in the detail.
 */
export function webhookHealth(channel: ChannelDto, now = Date.now()): WebhookHealth {
  const { lastEventAt, lastProcessedAt, lastFailure, lastSignatureRejectionAt, recentFailures } = channel.webhook;
  const time = (iso: string | null) => (iso ? new Date(iso).getTime() : 0);
  if (channel.status === "reconnect_needed") {
    return {
      ok: false,
      label: "Token rejected",
      detail: "Facebook no longer accepts this Page's token. Reconnect the Page to receive messages again.",
    };
  }
  if (channel.status === "error") {
    return { ok: false, label: "Channel error", detail: channel.statusReason ?? "The channel reported an error." };
  }
  if (!channel.subscribed) {
    return {
      ok: false,
      label: "Not subscribed",
      detail: lastEventAt
        ? `Facebook no longer sends this Page's messages to Tandem. Last event ${lastEventAgo(lastEventAt, now)}.`
        : "Facebook does not send this Page's messages to Tandem. Subscribe to start receiving them.",
    };
  }
  // A refused signature newer than the last accepted event: Meta signs with another App Secret.
  if (lastSignatureRejectionAt && time(lastSignatureRejectionAt) > time(lastEventAt)) {
    return {
      ok: false,
      label: "Signatures rejected",
      detail: `Facebook's latest call (${lastEventAgo(lastSignatureRejectionAt, now)}) was refused: its signature does not match this server's FB_APP_SECRET. Check the App Secret in the Meta App Dashboard.`,
    };
  }
  if (lastFailure && time(lastFailure.at) > time(lastProcessedAt)) {
    return {
      ok: false,
      label: "Events failing",
      detail: `The latest event (${lastEventAgo(lastFailure.at, now)}) could not be processed: ${lastFailure.message}. Failed events are retried; nothing is lost.`,
    };
  }
  if (!lastEventAt) {
    return {
      ok: false,
      label: "No events received yet",
      detail: "Subscribed. Send a message to the Page; the status turns green when the first event arrives.",
    };
  }
  const recovered =
    recentFailures > 0 ? ` · ${recentFailures} failed in the last 24 hours, processed normally since.` : "";
  return { ok: true, label: "Receiving events", detail: `Last event ${lastEventAgo(lastEventAt, now)}${recovered}` };
}

/** The current time, refreshed every `intervalMs`, so relative times age even when the data does not change. */
function useNow(intervalMs: number) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

/** "less than a minute ago", "5 minutes ago", … */
function lastEventAgo(iso: string, now: number) {
  return now - new Date(iso).getTime() < 60_000 ? "less than a minute ago" : formatRelative(iso, now);
}

/** A green or red dot with the webhook's state and its last event time. */
export function WebhookStatus({ channel }: { channel: ChannelDto }) {
  const now = useNow(15_000);
  const health = webhookHealth(channel, now);
  const { lastEventAt } = channel.webhook;
  return (
    <div className="flex min-w-0 items-start gap-2.5" data-webhook-ok={health.ok}>
      <span
        aria-hidden="true"
        className={cn(
          "mt-1.5 size-2.5 shrink-0 rounded-full ring-4",
          health.ok ? "bg-success ring-success/15" : "bg-destructive ring-destructive/15",
        )}
      />
      <div className="flex min-w-0 flex-col gap-0.5">
        <p className="text-sm font-medium">
          <span className="sr-only">Webhook status: </span>
          <span className={health.ok ? "text-success" : "text-destructive"}>{health.label}</span>
        </p>
        <p className="text-xs text-muted-foreground" title={lastEventAt ? formatDateTime(lastEventAt) : undefined}>
          {health.detail}
        </p>
      </div>
    </div>
  );
}
