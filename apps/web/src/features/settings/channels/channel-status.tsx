"use client";

import type { ChannelDto } from "@tandem/contracts";
import { CircleCheck, CircleOff, RefreshCw, TriangleAlert } from "lucide-react";
import { useEffect, useState } from "react";
import { Badge } from "@/components/ui/badge";
import { formatDateTime } from "@/lib/format";
import { cn } from "@/lib/utils";
import { webhookHealth } from "./webhook-health";

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

/** The current time, refreshed every `intervalMs`, so relative times age even when the data does not change. */
function useNow(intervalMs: number) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
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
        {health.note && (
          <p className="flex items-start gap-1 text-xs text-amber-800" data-testid="webhook-note">
            <TriangleAlert className="mt-0.5 size-3 shrink-0" aria-hidden="true" />
            {health.note}
          </p>
        )}
      </div>
    </div>
  );
}
