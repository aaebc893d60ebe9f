"use client";

import type { SimulatorSendInput, SimulatorThread, SimulatorThreadItem } from "@tandem/contracts";
import { FileText, ImageIcon, MessageCircle, SendHorizontal } from "lucide-react";
import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { EmptyState } from "@/components/empty-state";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Avatar, AvatarFallback } from "@/components/ui/avatar";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Skeleton } from "@/components/ui/skeleton";
import { errorMessage } from "@/lib/api";
import { formatDateTime, initials } from "@/lib/format";
import { cn } from "@/lib/utils";
import { CardCarousel } from "./card-carousel";
import type { SimulatedCustomer } from "./customers";
import { useSimulatorReceipts, useSimulatorSend, useSimulatorThread } from "./queries";

const QUICK_MESSAGES = ["I want to talk to a human", "What is your return policy?"];
const timeFormat = new Intl.DateTimeFormat(undefined, { timeStyle: "short" });

/** A Messenger-like conversation between the simulated customer (right) and the Page (left). */
export function ChatPane({ customer, pageName }: { customer: SimulatedCustomer; pageName: string }) {
  const thread = useSimulatorThread(customer.psid);
  const send = useSimulatorSend();
  const [draft, setDraft] = useState("");
  const [receipts, setReceipts] = useState(true);
  const inputId = useId();
  const receiptsId = useId();

  useAutoReceipts(thread.data, customer.psid, receipts);

  const submit = (input: Omit<SimulatorSendInput, "psid" | "name">) => {
    send.mutate({ psid: customer.psid, name: customer.name, ...input });
  };
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const text = draft.trim();
    if (!text || send.isPending) return;
    submit({ text });
    setDraft("");
  };

  const items = thread.data?.items ?? [];
  const last = items[items.length - 1];
  const quickReplies = last?.from === "page" ? last.quickReplies : [];

  return (
    <section
      aria-label={`Messenger chat of ${customer.name}`}
      className="flex min-w-0 flex-1 flex-col overflow-hidden rounded-xl border bg-card max-md:h-[34rem] max-md:flex-none"
    >
      <header className="flex items-center gap-3 border-b px-4 py-3">
        <Avatar className="size-9">
          <AvatarFallback>{initials(customer.name || customer.psid)}</AvatarFallback>
        </Avatar>
        <div className="flex min-w-0 flex-col">
          <p className="truncate text-sm font-semibold">{customer.name}</p>
          <p className="truncate text-xs text-muted-foreground">
            Writing to {pageName} · PSID <span className="font-mono">{customer.psid}</span>
          </p>
        </div>
      </header>

      <Messages thread={thread.data} loading={thread.isPending} pageName={pageName} />

      {(send.isError || thread.isError) && (
        <div className="px-4 pb-2">
          <Alert variant="destructive">
            <AlertDescription>{errorMessage(send.error ?? thread.error)}</AlertDescription>
          </Alert>
        </div>
      )}

      <div className="flex flex-col gap-2 border-t p-3">
        <div className="flex flex-wrap gap-2">
          {quickReplies.map((reply) => (
            <Button
              key={`${reply.payload}:${reply.title}`}
              size="sm"
              variant="outline"
              className="rounded-full border-[#0084ff] text-[#0084ff]"
              disabled={send.isPending}
              onClick={() => submit({ text: reply.title, quickReplyPayload: reply.payload })}
            >
              {reply.title}
            </Button>
          ))}
          {QUICK_MESSAGES.map((text) => (
            <Button
              key={text}
              size="sm"
              variant="outline"
              className="rounded-full"
              disabled={send.isPending}
              onClick={() => submit({ text })}
            >
              {text}
            </Button>
          ))}
          <Button
            size="sm"
            variant="outline"
            className="rounded-full"
            disabled={send.isPending}
            onClick={() => submit({ attachmentUrl: `${window.location.origin}/icon.svg` })}
          >
            <ImageIcon aria-hidden="true" />
            Send a photo
          </Button>
        </div>
        <form onSubmit={onSubmit} className="flex items-center gap-2">
          <label htmlFor={inputId} className="sr-only">
            Message as {customer.name}
          </label>
          <Input
            id={inputId}
            value={draft}
            onChange={(event) => setDraft(event.target.value)}
            placeholder="Aa"
            maxLength={2000}
            autoComplete="off"
            className="rounded-full bg-muted/60"
          />
          <Button type="submit" disabled={!draft.trim() || send.isPending}>
            <SendHorizontal aria-hidden="true" />
            Send
          </Button>
        </form>
        <div className="flex items-center gap-2 text-xs text-muted-foreground">
          <input
            id={receiptsId}
            type="checkbox"
            checked={receipts}
            onChange={(event) => setReceipts(event.target.checked)}
            className="size-3.5 accent-primary"
          />
          <label htmlFor={receiptsId}>Send delivery and read receipts when the Page&apos;s messages arrive</label>
        </div>
      </div>
    </section>
  );
}

function Messages({
  thread,
  loading,
  pageName,
}: {
  thread: SimulatorThread | undefined;
  loading: boolean;
  pageName: string;
}) {
  const end = useRef<HTMLDivElement>(null);
  const count = thread?.items.length ?? 0;
  const typing = thread?.pageTyping ?? false;

  // biome-ignore lint/correctness/useExhaustiveDependencies: scroll when a message or the typing bubble appears
  useEffect(() => {
    end.current?.scrollIntoView({ block: "end" });
  }, [count, typing]);

  if (loading) {
    return (
      <div className="flex flex-1 flex-col gap-3 p-4">
        <Skeleton className="h-9 w-48 self-end rounded-2xl" />
        <Skeleton className="h-14 w-72 rounded-2xl" />
      </div>
    );
  }
  const items = thread?.items ?? [];
  const lastCustomer = [...items].reverse().find((item) => item.from === "customer");
  const seen = Boolean(thread?.pageSeenAt && lastCustomer && thread.pageSeenAt >= lastCustomer.time);

  return (
    <div
      role="log"
      aria-label="Messenger thread"
      aria-live="polite"
      className="flex min-h-0 flex-1 flex-col gap-1 overflow-y-auto px-4 py-4"
    >
      {items.length === 0 && !typing ? (
        <EmptyState
          icon={MessageCircle}
          title="Say hello"
          description="Ask about shipping, returns, payment or opening hours; the demo bot answers from its FAQ and hands anything else to a person."
          className="flex-1"
        />
      ) : (
        items.map((item, i) => (
          <Bubble
            key={`${item.from}:${item.mid || i}`}
            item={item}
            pageName={pageName}
            grouped={items[i - 1]?.from === item.from}
            seen={seen && item === lastCustomer}
          />
        ))
      )}
      {typing && (
        <div className="mt-2 flex items-center gap-1 self-start rounded-2xl bg-muted px-4 py-3" role="status">
          <span className="sr-only">{pageName} is typing</span>
          {[0, 150, 300].map((delay) => (
            <span
              key={delay}
              aria-hidden="true"
              className="size-1.5 animate-bounce rounded-full bg-muted-foreground/60 motion-reduce:animate-none"
              style={{ animationDelay: `${delay}ms` }}
            />
          ))}
        </div>
      )}
      <div ref={end} />
    </div>
  );
}

function Bubble({
  item,
  pageName,
  grouped,
  seen,
}: {
  item: SimulatorThreadItem;
  pageName: string;
  grouped: boolean;
  seen: boolean;
}) {
  const mine = item.from === "customer";
  const failed = mine && item.webhook && !item.webhook.ok;
  return (
    <div className={cn("flex max-w-[75%] flex-col gap-0.5", mine ? "items-end self-end" : "items-start self-start")}>
      {!grouped && (
        <span className="mt-2 px-1 text-[11px] text-muted-foreground">
          {mine ? "Customer" : pageName} ·{" "}
          <time dateTime={item.time} title={formatDateTime(item.time)}>
            {timeFormat.format(new Date(item.time))}
          </time>
        </span>
      )}
      <div
        className={cn(
          "flex flex-col gap-2 whitespace-pre-wrap break-words rounded-2xl px-3.5 py-2 text-sm",
          mine ? "bg-[#0084ff] text-white" : "bg-muted text-foreground",
          failed && "opacity-60",
        )}
      >
        <span className="sr-only">{mine ? "Customer:" : `${pageName}:`}</span>
        {item.attachments.map((a) => (
          <Attachment key={`${a.type}:${a.url}`} attachment={a} />
        ))}
        {item.text && <span>{item.text}</span>}
        {item.kind === "postback" && <span className="text-xs opacity-80">Button tapped · {item.payload}</span>}
        {item.kind === "template" && !item.cards && <span className="text-xs opacity-70">Template message</span>}
      </div>
      {item.cards && <CardCarousel cards={item.cards} label={`Cards from ${pageName}`} />}
      {item.tag && <span className="px-1 text-[11px] text-muted-foreground">Sent with the {item.tag} tag</span>}
      {failed && (
        <span className="px-1 text-[11px] text-destructive">
          Not delivered to Tandem
          {item.webhook?.status ? ` (HTTP ${item.webhook.status})` : " (the app could not be reached)"}
        </span>
      )}
      {seen && <span className="px-1 text-[11px] text-muted-foreground">Seen</span>}
    </div>
  );
}

/**
 * An attachment as Messenger shows it: an image in a box of fixed size (the bubble does not jump
 * while it loads), video and audio as players, any other file as a link named after the file.
 */
function Attachment({ attachment }: { attachment: SimulatorThreadItem["attachments"][number] }) {
  const { type, url, name } = attachment;
  if (!url) return <span className="italic opacity-80">{type} attachment</span>;
  const label = name ?? fileName(url);
  switch (type) {
    case "image":
      return (
        <a href={url} target="_blank" rel="noreferrer" className="block size-48">
          {/* biome-ignore lint/performance/noImgElement: arbitrary simulator URLs, not optimisable assets */}
          <img
            src={url}
            alt={name ?? "Attachment"}
            width={192}
            height={192}
            loading="lazy"
            className="size-48 rounded-lg bg-background object-contain p-1"
          />
        </a>
      );
    case "video":
      return (
        // biome-ignore lint/a11y/useMediaCaption: the simulated customer's media has no captions
        <video src={url} controls preload="metadata" aria-label={label} className="h-48 w-64 rounded-lg bg-black" />
      );
    case "audio":
      // biome-ignore lint/a11y/useMediaCaption: the simulated customer's media has no captions
      return <audio src={url} controls preload="metadata" aria-label={label} className="w-64 max-w-full" />;
    default:
      return (
        <a href={url} target="_blank" rel="noreferrer" className="inline-flex items-center gap-1.5 underline">
          <FileText aria-hidden="true" className="size-4 shrink-0" />
          <span className="break-all">{label}</span>
        </a>
      );
  }
}

/** The last path segment of a URL, for a file link without a known name. */
function fileName(url: string): string {
  try {
    return decodeURIComponent(new URL(url).pathname.split("/").pop() || "") || "File";
  } catch {
    return "File";
  }
}

/**
 * A customer with Messenger open confirms delivery and reading of what the Page sends: once per new
 * Page message, while the switch is on.
 */
function useAutoReceipts(thread: SimulatorThread | undefined, psid: string, enabled: boolean) {
  const receipts = useSimulatorReceipts();
  const acknowledged = useRef<string | null>(null);
  const { mutate } = receipts;
  const lastPageMid = thread?.psid === psid ? [...thread.items].reverse().find((i) => i.from === "page")?.mid : null;

  useEffect(() => {
    if (!enabled || !lastPageMid) return;
    const key = `${psid}:${lastPageMid}`;
    if (acknowledged.current === key) return;
    acknowledged.current = key;
    mutate({ psid });
  }, [enabled, lastPageMid, psid, mutate]);
}
