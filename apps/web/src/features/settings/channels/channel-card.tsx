"use client";

import type { ChannelDto } from "@tandem/contracts";
import { BellOff, BellRing, TriangleAlert, Unplug } from "lucide-react";
import type { ReactNode } from "react";
import { ConfirmDialog } from "@/components/confirm-dialog";
import type { NoticeValue } from "@/components/notice";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ChannelChatbotSelect } from "@/features/chatbots/channel-chatbot-select";
import { errorMessage } from "@/lib/api";
import { formatDate, formatDateTime } from "@/lib/format";
import { cn } from "@/lib/utils";
import { CHANNEL_TYPE_LABELS, ChannelIcon } from "./channel-icon";
import { ChannelStatusBadge, WebhookStatus } from "./channel-status";
import { useDisconnectChannel, useSetSubscription } from "./queries";

interface ChannelCardProps {
  channel: ChannelDto;
  onNotice: (notice: NoticeValue) => void;
}

/** One channel: what it is, its connection and subscription state, and its webhook health. */
export function ChannelCard({ channel, onNotice }: ChannelCardProps) {
  const isMessenger = channel.type === "messenger";
  const titleId = `channel-${channel.id}-name`;
  const tokenHint = channel.secretHints.pageAccessToken;
  // An active channel can still carry a reason, e.g. "Subscribing the app to the Page failed: …".
  const problem = channel.statusReason;

  return (
    <Card className="gap-0 py-0" aria-labelledby={titleId} role="group">
      <div className="flex items-start gap-4 p-5">
        <ChannelIcon type={channel.type} />
        <div className="flex min-w-0 flex-1 flex-col gap-1.5">
          <div className="flex flex-wrap items-center gap-2">
            <h3 id={titleId} className="truncate font-semibold">
              {channel.name}
            </h3>
            <ChannelStatusBadge status={channel.status} />
          </div>
          <dl className="flex flex-wrap gap-x-5 gap-y-1 text-xs text-muted-foreground">
            <Fact label="Type">{CHANNEL_TYPE_LABELS[channel.type]}</Fact>
            {isMessenger && channel.externalId && (
              <Fact label="Page ID">
                <span className="font-mono text-foreground">{channel.externalId}</span>
              </Fact>
            )}
            <Fact label="Chatbot">
              <ChannelChatbotSelect channel={channel} onNotice={onNotice} />
            </Fact>
            {tokenHint && (
              <Fact label="Page token">
                <span className="font-mono text-foreground">{tokenHint}</span>
              </Fact>
            )}
            <Fact label="Connected">{formatDate(channel.createdAt)}</Fact>
          </dl>
        </div>
        <div className="flex shrink-0 items-center gap-2">
          {isMessenger && <SubscriptionButton channel={channel} onNotice={onNotice} />}
          <DisconnectButton channel={channel} onNotice={onNotice} />
        </div>
      </div>

      {problem && channel.status !== "reconnect_needed" && (
        <p className="mx-5 mb-4 flex items-start gap-2 rounded-md bg-warning/10 px-3 py-2 text-xs text-foreground">
          <TriangleAlert className="mt-px size-3.5 shrink-0 text-warning" aria-hidden="true" />
          {problem}
        </p>
      )}

      {isMessenger ? (
        <div className="grid grid-cols-[minmax(0,1fr)_auto] items-start gap-6 border-t bg-muted/30 px-5 py-4">
          <div className="flex flex-col gap-2">
            <WebhookStatus channel={channel} />
            <LastFailure channel={channel} />
            <p className="pl-5 text-xs text-muted-foreground">
              {channel.subscribed
                ? `Subscribed fields: ${channel.subscribedFields.join(", ") || "none"}`
                : "Unsubscribed: the Page stays connected, but its messages do not reach Tandem."}
            </p>
          </div>
          <WebhookCounters channel={channel} />
        </div>
      ) : (
        <p className="border-t bg-muted/30 px-5 py-3 text-xs text-muted-foreground">
          No Facebook webhook: this channel talks to Tandem directly.
        </p>
      )}
    </Card>
  );
}

/** One labelled fact of a channel card (a `<dl>` row). */
export function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="flex items-center gap-1">
      <dt>{label}:</dt>
      <dd>{children}</dd>
    </div>
  );
}

/** The latest failure of the last day, when the status line does not already show it. */
function LastFailure({ channel }: { channel: ChannelDto }) {
  const { lastFailure, lastProcessedAt } = channel.webhook;
  if (!lastFailure) return null;
  const current = !lastProcessedAt || new Date(lastFailure.at) > new Date(lastProcessedAt);
  if (current) return null;
  return (
    <p className="pl-5 text-xs text-muted-foreground">
      Latest failure {formatDateTime(lastFailure.at)}: <span className="text-foreground">{lastFailure.message}</span>
    </p>
  );
}

function WebhookCounters({ channel }: { channel: ChannelDto }) {
  const { eventsReceived, eventsFailed, recentFailures, signatureRejections, retries } = channel.webhook;
  const items = [
    { label: "Events received", value: eventsReceived, bad: false, title: undefined },
    {
      label: "Failed (24 h)",
      value: recentFailures,
      bad: recentFailures > 0,
      title: `${eventsFailed.toLocaleString()} failed for good since the Page was connected`,
    },
    {
      label: "Signature rejections",
      value: signatureRejections,
      // Anyone can send a badly signed call naming the Page: a count to look into, not a failure.
      bad: false,
      title: "Calls naming this Page refused for a bad signature (counted at most once a minute per sender)",
    },
    { label: "Retries", value: retries, bad: false, title: undefined },
  ];
  return (
    <dl className="grid grid-cols-4 gap-x-6 text-right" aria-label={`Webhook counters of ${channel.name}`}>
      {items.map((item) => (
        <div key={item.label} className="flex flex-col-reverse gap-0.5" title={item.title}>
          <dt className="whitespace-nowrap text-xs text-muted-foreground">{item.label}</dt>
          <dd className={cn("text-base font-semibold tabular-nums", item.bad && "text-destructive")}>
            {item.value.toLocaleString()}
          </dd>
        </div>
      ))}
    </dl>
  );
}

function SubscriptionButton({ channel, onNotice }: ChannelCardProps) {
  const subscription = useSetSubscription();

  if (channel.subscribed) {
    return (
      <ConfirmDialog
        trigger={
          <Button size="sm" variant="outline" aria-label={`Unsubscribe ${channel.name}`}>
            <BellOff aria-hidden="true" />
            Unsubscribe
          </Button>
        }
        title={`Stop receiving messages from ${channel.name}?`}
        description="Facebook stops sending this Page's messages to Tandem until you subscribe again. The Page stays connected and its conversations stay in the inbox."
        confirmLabel="Unsubscribe"
        pendingLabel="Unsubscribing…"
        onConfirm={async () => {
          await subscription.mutateAsync({ id: channel.id, subscribed: false });
          onNotice({ kind: "success", message: `${channel.name} is unsubscribed. Its new messages will not arrive.` });
        }}
      />
    );
  }

  return (
    <Button
      size="sm"
      aria-label={`Subscribe ${channel.name}`}
      disabled={subscription.isPending}
      onClick={() =>
        subscription.mutate(
          { id: channel.id, subscribed: true },
          {
            onSuccess: (updated) =>
              onNotice({ kind: "success", message: `${updated.name} is subscribed: its messages come to Tandem.` }),
            onError: (error) => onNotice({ kind: "error", message: errorMessage(error) }),
          },
        )
      }
    >
      <BellRing aria-hidden="true" />
      {subscription.isPending ? "Subscribing…" : "Subscribe"}
    </Button>
  );
}

function DisconnectButton({ channel, onNotice }: ChannelCardProps) {
  const disconnect = useDisconnectChannel();
  const isMessenger = channel.type === "messenger";
  return (
    <ConfirmDialog
      trigger={
        <Button
          variant="ghost"
          size="icon-sm"
          title={`Disconnect ${channel.name}`}
          aria-label={`Disconnect ${channel.name}`}
          className="text-muted-foreground hover:text-destructive"
        >
          <Unplug aria-hidden="true" />
        </Button>
      }
      title={`Disconnect ${channel.name}?`}
      description={
        isMessenger
          ? "Tandem unsubscribes from the Page and deletes its access token. Customers' new messages will no longer arrive; past conversations stay in the inbox. You can connect the Page again at any time."
          : "The channel stops receiving messages. Past conversations stay in the inbox."
      }
      confirmLabel="Disconnect"
      pendingLabel="Disconnecting…"
      onConfirm={async () => {
        await disconnect.mutateAsync(channel.id);
        onNotice({ kind: "success", message: `${channel.name} is disconnected.` });
      }}
    />
  );
}
