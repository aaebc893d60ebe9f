"use client";

import { Activity } from "lucide-react";
import Link from "next/link";
import { useChannels } from "@/features/settings/channels/queries";
import { webhookHealth } from "@/features/settings/channels/webhook-health";
import { formatRelative } from "@/lib/format";
import { cn } from "@/lib/utils";

/**
 * One line on the webhooks that bring customers' messages in (Messenger Pages, LINE accounts), from
 * the channel list's webhook health; Settings → Channels has the detail per channel.
 */
export function WebhookSummary() {
  const channels = useChannels();
  const hooked = (channels.data?.data ?? []).filter((c) => c.type === "messenger" || c.type === "line");
  if (!channels.data || hooked.length === 0) return null;
  const now = Date.now();
  const failing = hooked.filter((c) => !webhookHealth(c, now).ok && c.webhook.lastEventAt !== null);
  const lastEvent = hooked
    .map((c) => c.webhook.lastEventAt)
    .filter((at): at is string => at !== null)
    .sort()
    .at(-1);
  const failed24h = hooked.reduce((n, c) => n + c.webhook.recentFailures, 0);
  const retries = hooked.reduce((n, c) => n + c.webhook.retries, 0);
  const failedForGood = hooked.reduce((n, c) => n + c.webhook.eventsFailed, 0);

  return (
    <section
      aria-label="Webhook health"
      className={cn(
        "flex flex-wrap items-center gap-x-4 gap-y-1 rounded-md border px-3 py-2 text-sm",
        failing.length > 0 && "border-destructive/50 bg-destructive/5",
      )}
    >
      <span className="flex items-center gap-1.5 font-medium">
        <Activity className="size-4" aria-hidden="true" />
        Webhooks
      </span>
      <span className="text-muted-foreground">Last event {lastEvent ? formatRelative(lastEvent, now) : "never"}</span>
      <span className={cn("text-muted-foreground", failed24h > 0 && "text-destructive")}>
        {failed24h} failed in 24 h
      </span>
      <span className="text-muted-foreground">
        {failedForGood} failed for good · {retries} retries
      </span>
      {failing.length > 0 && (
        <span className="text-destructive">
          {failing.length === 1 ? `${failing[0]!.name} needs attention` : `${failing.length} channels need attention`}
        </span>
      )}
      <Link href="/settings/channels" className="ml-auto text-primary underline-offset-4 hover:underline">
        Webhook health per channel
      </Link>
    </section>
  );
}
