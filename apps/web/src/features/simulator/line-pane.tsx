"use client";

import type { LineSimulatorCustomers, LineSimulatorThread, LineSimulatorThreadItem } from "@tandem/contracts";
import { Info, SendHorizontal, Smile, Users } from "lucide-react";
import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { CopyField } from "@/components/copy-field";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { LineIcon } from "@/features/settings/channels/channel-icon";
import { errorMessage, isApiError } from "@/lib/api";
import { cn } from "@/lib/utils";
import { CardCarousel } from "./card-carousel";
import { useLineSimulatorCustomers, useLineSimulatorSend, useLineSimulatorThread } from "./line-queries";

const timeFormat = new Intl.DateTimeFormat(undefined, { timeStyle: "short" });

/**
 * The LINE tab: the simulated LINE account's credentials to paste on Settings → Channels, and a chat
 * as one of the simulated LINE users, 1:1 with the account or in the demo group. Messages go to the
 * app as LINE delivers them (signed, to the webhook URL set on LINE); the bot's side is what the app
 * sent through the fake Messaging API.
 */
export function LinePane() {
  const customers = useLineSimulatorCustomers();
  const data = customers.data;
  const channel = data?.channels.find((c) => c.channelId === data.defaultChannelId);
  const [userId, setUserId] = useState<string | null>(null);
  const [groupId, setGroupId] = useState<string | null>(null);
  const user = userId ?? data?.users[0]?.userId ?? null;

  if (customers.isError) {
    return (
      <Alert variant="destructive" className="max-w-5xl">
        <AlertDescription>{errorMessage(customers.error)}</AlertDescription>
      </Alert>
    );
  }
  if (!data || !user) return <Skeleton className="h-96 w-full max-w-5xl" />;

  return (
    <div className="flex min-h-0 w-full max-w-5xl flex-1 flex-col gap-4 overflow-y-auto lg:flex-row lg:overflow-hidden">
      <aside className="flex shrink-0 flex-col gap-4 lg:w-80 lg:overflow-y-auto" aria-label="Simulated LINE account">
        {channel && <Credentials channel={channel} />}
        <div className="flex flex-col gap-2">
          <label htmlFor="line-sim-user" className="text-sm font-medium">
            Write as
          </label>
          <Select value={user} onValueChange={setUserId}>
            <SelectTrigger id="line-sim-user" className="w-full">
              <SelectValue />
            </SelectTrigger>
            <SelectContent>
              {data.users.map((u) => (
                <SelectItem key={u.userId} value={u.userId}>
                  {u.name}
                </SelectItem>
              ))}
            </SelectContent>
          </Select>
          <label htmlFor="line-sim-chat" className="text-sm font-medium">
            Chat
          </label>
          <Select value={groupId ?? "1:1"} onValueChange={(v) => setGroupId(v === "1:1" ? null : v)}>
            <SelectTrigger id="line-sim-chat" className="w-full">
              <SelectValue />
            </SelectTrigger>
            <SelectContent>
              <SelectItem value="1:1">1:1 with {channel?.name ?? "the account"}</SelectItem>
              {data.groups.map((g) => (
                <SelectItem key={g.groupId} value={g.groupId}>
                  Group: {g.name}
                </SelectItem>
              ))}
            </SelectContent>
          </Select>
        </div>
      </aside>
      <LineChat
        key={`${user}:${groupId ?? ""}`}
        userId={user}
        groupId={groupId}
        customers={data}
        accountName={channel?.name ?? "the LINE account"}
        webhookSet={Boolean(channel?.webhookEndpoint)}
      />
    </div>
  );
}

function Credentials({ channel }: { channel: LineSimulatorCustomers["channels"][number] }) {
  return (
    <section aria-labelledby="line-sim-credentials" className="flex flex-col gap-3 rounded-xl border bg-card p-4">
      <div className="flex flex-col gap-1">
        <h3 id="line-sim-credentials" className="flex items-center gap-2 text-sm font-semibold">
          <LineIcon className="size-4" />
          {channel.name} <span className="font-normal text-muted-foreground">{channel.basicId}</span>
        </h3>
        <p className="text-xs text-muted-foreground">
          A simulated LINE Official Account. Paste these on Settings → Channels, then press “Set on LINE”.
        </p>
      </div>
      <CopyField label="Channel ID" value={channel.channelId} mono />
      <CopyField label="Channel secret" value={channel.channelSecret} mono />
      <CopyField label="Channel access token" value={channel.channelAccessToken} mono />
      <p className="text-xs text-muted-foreground" data-testid="line-sim-webhook">
        Webhook URL on LINE:{" "}
        {channel.webhookEndpoint ? <span className="break-all">{channel.webhookEndpoint}</span> : "not set"}
      </p>
    </section>
  );
}

function LineChat({
  userId,
  groupId,
  customers,
  accountName,
  webhookSet,
}: {
  userId: string;
  groupId: string | null;
  customers: LineSimulatorCustomers;
  accountName: string;
  webhookSet: boolean;
}) {
  const thread = useLineSimulatorThread(groupId ? { groupId } : { userId });
  const send = useLineSimulatorSend();
  const [draft, setDraft] = useState("");
  const inputId = useId();
  const names = new Map(customers.users.map((u) => [u.userId, u.name]));
  const me = names.get(userId) ?? "LINE user";
  const group = groupId ? customers.groups.find((g) => g.groupId === groupId) : undefined;

  const write = (event: { type: "text"; text: string } | { type: "sticker"; packageId: string; stickerId: string }) =>
    send.mutate({ userId, ...(groupId ? { groupId } : {}), event });

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const text = draft.trim();
    if (!text || send.isPending) return;
    write({ type: "text", text });
    setDraft("");
  };

  return (
    <section
      aria-label={group ? `LINE group ${group.name}` : `LINE chat of ${me}`}
      className="flex min-h-96 min-w-0 flex-1 flex-col overflow-hidden rounded-xl border bg-card"
    >
      <header className="flex items-center gap-3 border-b bg-[#06c755]/10 px-4 py-3">
        {group ? <Users className="size-5 text-[#06c755]" aria-hidden="true" /> : <LineIcon className="size-5" />}
        <div className="flex min-w-0 flex-col">
          <p className="truncate text-sm font-semibold">{group ? group.name : accountName}</p>
          <p className="truncate text-xs text-muted-foreground">
            {me} {group ? `writes in the group with ${accountName}` : "on LINE"}
          </p>
        </div>
      </header>

      {!webhookSet && (
        <div className="px-4 pt-3">
          <Alert variant="info">
            <Info aria-hidden="true" />
            <AlertDescription>
              No webhook URL is set on this LINE account yet: connect it on Settings → Channels and press “Set on LINE”,
              or messages have nowhere to go.
            </AlertDescription>
          </Alert>
        </div>
      )}

      <Thread thread={thread.data} loading={thread.isPending} names={names} accountName={accountName} />

      {(send.isError || thread.isError) && (
        <div className="px-4 pb-2">
          <Alert variant="destructive">
            <AlertTitle>{isApiError(send.error, 502) ? "The app did not take the message" : "Not sent"}</AlertTitle>
            <AlertDescription>{errorMessage(send.error ?? thread.error)}</AlertDescription>
          </Alert>
        </div>
      )}

      <form onSubmit={onSubmit} className="flex items-center gap-2 border-t p-3">
        <label htmlFor={inputId} className="sr-only">
          Message
        </label>
        <Input
          id={inputId}
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
          placeholder="Aa"
          autoComplete="off"
          maxLength={5000}
        />
        <Button
          type="button"
          size="icon-sm"
          variant="outline"
          title="Send a sticker"
          aria-label="Send a sticker"
          disabled={send.isPending}
          onClick={() => write({ type: "sticker", packageId: "446", stickerId: "1988" })}
        >
          <Smile aria-hidden="true" />
        </Button>
        <Button type="submit" size="icon-sm" aria-label="Send" disabled={!draft.trim() || send.isPending}>
          <SendHorizontal aria-hidden="true" />
        </Button>
      </form>
    </section>
  );
}

function Thread({
  thread,
  loading,
  names,
  accountName,
}: {
  thread: LineSimulatorThread | undefined;
  loading: boolean;
  names: Map<string, string>;
  accountName: string;
}) {
  const end = useRef<HTMLDivElement>(null);
  const count = thread?.items.length ?? 0;
  // biome-ignore lint/correctness/useExhaustiveDependencies: scroll when a message arrives
  useEffect(() => {
    end.current?.scrollIntoView({ block: "end" });
  }, [count]);

  if (loading) return <Skeleton className="m-4 flex-1" />;
  const items = thread?.items ?? [];
  return (
    <ol className="flex flex-1 flex-col gap-2 overflow-y-auto bg-[#8cabd9]/15 px-4 py-3" aria-label="Messages">
      {items.length === 0 && (
        <li className="m-auto text-sm text-muted-foreground">Say hello: the bot answers through LINE.</li>
      )}
      {items.map((item) => (
        <Bubble key={`${item.from}:${item.id}`} item={item} names={names} accountName={accountName} />
      ))}
      {thread?.botLoading && (
        <li className="self-start rounded-2xl bg-card px-3 py-2 text-xs text-muted-foreground" aria-live="polite">
          {accountName} is typing…
        </li>
      )}
      <div ref={end} />
    </ol>
  );
}

function Bubble({
  item,
  names,
  accountName,
}: {
  item: LineSimulatorThreadItem;
  names: Map<string, string>;
  accountName: string;
}) {
  const mine = item.from === "customer";
  const who = mine ? (item.userId ? (names.get(item.userId) ?? item.userId) : "") : accountName;
  return (
    <li className={cn("flex max-w-[80%] flex-col gap-0.5", mine ? "self-end items-end" : "self-start items-start")}>
      <span className="text-[11px] text-muted-foreground">
        {who}
        {item.via ? ` · ${item.via}` : ""} · {timeFormat.format(new Date(item.time))}
      </span>
      {item.cards ? (
        <CardCarousel cards={item.cards} label={`Cards from ${accountName}`} />
      ) : (
        <div
          className={cn(
            "whitespace-pre-wrap break-words rounded-2xl px-3 py-2 text-sm",
            mine ? "bg-[#06c755] text-white" : "bg-card shadow-xs",
            item.unsent && "italic opacity-60",
          )}
        >
          {item.unsent ? "Unsent" : <Content item={item} />}
        </div>
      )}
      {item.webhook && !item.webhook.ok && (
        <span className="text-[11px] text-destructive">
          Not delivered {item.webhook.status ? `(the app answered ${item.webhook.status})` : "(no answer)"}
        </span>
      )}
    </li>
  );
}

function Content({ item }: { item: LineSimulatorThreadItem }) {
  switch (item.kind) {
    case "text":
      return <>{item.text}</>;
    case "sticker":
      return <>Sticker {item.sticker ? `${item.sticker.packageId}/${item.sticker.stickerId}` : ""}</>;
    case "image":
      // LINE shows the preview in the chat and opens the original when tapped; a fixed box keeps the bubble still.
      return item.url ? (
        <a href={item.url} target="_blank" rel="noreferrer" className="block size-48">
          {/* biome-ignore lint/performance/noImgElement: simulator content, not optimisable */}
          <img
            src={item.previewUrl ?? item.url}
            alt="Sent by the bot"
            width={192}
            height={192}
            loading="lazy"
            className="size-48 rounded-lg object-contain"
          />
        </a>
      ) : (
        <>[image]</>
      );
    case "video":
      return item.url ? (
        // biome-ignore lint/a11y/useMediaCaption: simulated media has no captions
        <video
          src={item.url}
          poster={item.previewUrl ?? undefined}
          controls
          preload="metadata"
          aria-label="Video"
          className="h-48 w-64 rounded-lg bg-black"
        />
      ) : (
        <>[video]</>
      );
    case "audio":
      return item.url ? (
        // biome-ignore lint/a11y/useMediaCaption: simulated media has no captions
        <audio src={item.url} controls preload="metadata" aria-label="Audio" className="w-64" />
      ) : (
        <>[audio]</>
      );
    case "location":
      return <>📍 {item.location?.title ?? item.location?.address ?? "Location"}</>;
    default:
      return <>{item.text ?? `[${item.kind}${item.payload ? `: ${item.payload}` : ""}]`}</>;
  }
}
