"use client";

import type { AttachmentDto, MessageDto } from "@tandem/contracts";
import {
  AlertCircle,
  Bot,
  Check,
  CheckCheck,
  Clock,
  FileText,
  ImageOff,
  Loader2,
  Lock,
  type LucideIcon,
  RotateCw,
} from "lucide-react";
import { memo, useState } from "react";
import { Button } from "@/components/ui/button";
import { FlagMessageButton, ModerationMark } from "@/features/moderation/flag-message-button";
import { formatBytes, formatDateTime } from "@/lib/format";
import { cn } from "@/lib/utils";
import { FeedbackMark } from "./message-feedback";
import { MessageSources } from "./message-sources";
import { ProductCards } from "./product-cards";

const timeFormat = new Intl.DateTimeFormat(undefined, { timeStyle: "short" });

export interface BubbleProps {
  message: MessageDto;
  sender: string;
  /** Same sender as the message above: the name is not repeated. */
  grouped: boolean;
  onRetry: (messageId: string) => void;
  retrying: boolean;
}

/** One message of the thread, drawn by who wrote it: customer, agent, bot, system event or internal note. */
export const MessageBubble = memo(function MessageBubble({ message, sender, grouped, onRetry, retrying }: BubbleProps) {
  if (message.kind === "note") return <InternalNote message={message} sender={sender} />;
  if (message.role === "SYSTEM") return <SystemEvent message={message} />;

  const outbound = message.role !== "USER";
  const isBot = message.role === "BOT";
  const failed = message.status === "failed";
  return (
    <div
      className={cn("flex flex-col px-5", outbound ? "items-end" : "items-start", grouped ? "pt-1" : "pt-3")}
      data-message-id={message.id}
      data-role={message.role}
      data-status={message.status}
      data-moderation={message.moderation?.state}
    >
      {!grouped && (
        <p className="mb-1 flex items-center gap-1 px-1 text-xs font-medium text-muted-foreground">
          {isBot && <Bot className="size-3.5 text-primary" aria-hidden="true" />}
          {sender}
          {isBot && message.model && <span className="font-normal text-muted-foreground/80">· {message.model}</span>}
        </p>
      )}
      <div
        className={cn(
          "flex max-w-[min(32rem,85%)] flex-col gap-2 rounded-2xl px-3.5 py-2 text-sm shadow-xs",
          !outbound && "rounded-bl-md border bg-background text-foreground",
          outbound && !isBot && "rounded-br-md bg-primary text-primary-foreground",
          isBot && "rounded-br-md border border-primary/20 bg-primary/10 text-foreground",
          failed && "ring-2 ring-destructive/60",
        )}
      >
        {message.unsentAt && (
          <p className="italic opacity-80" data-testid="message-unsent">
            The customer unsent this message
          </p>
        )}
        {message.text && <p className="break-words whitespace-pre-wrap">{message.text}</p>}
        {message.attachments.length > 0 && <Attachments attachments={message.attachments} outbound={outbound} />}
        {!message.unsentAt && !message.text && message.attachments.length === 0 && (
          <p className="italic opacity-80">{message.payload ? `Button: ${message.payload}` : "Empty message"}</p>
        )}
      </div>
      {isBot && message.productCards && message.productCards.length > 0 && (
        <ProductCards messageId={message.id} cards={message.productCards} />
      )}
      {isBot && message.sources && message.sources.length > 0 && (
        <MessageSources messageId={message.id} sources={message.sources} />
      )}
      <div className="mt-0.5 flex items-center gap-1.5 px-1 text-[11px] text-muted-foreground">
        {Object.values(message.reactions).length > 0 && (
          <span>
            <span className="sr-only">Reactions: </span>
            {Object.values(message.reactions).join(" ")}
          </span>
        )}
        {isBot && message.feedback && <FeedbackMark feedback={message.feedback} />}
        <time dateTime={message.createdAt} title={formatDateTime(message.createdAt)} className="tabular-nums">
          {timeFormat.format(new Date(message.createdAt))}
        </time>
        {outbound && <DeliveryMarker message={message} />}
        {message.moderation && <ModerationMark moderation={message.moderation} />}
        {message.moderation?.state !== "removed" && <FlagMessageButton message={message} />}
      </div>
      {failed && (
        <div
          role="alert"
          className="mt-1 flex max-w-[min(32rem,85%)] items-start gap-2 rounded-md bg-destructive/10 px-2.5 py-1.5 text-xs text-destructive"
        >
          <AlertCircle className="mt-0.5 size-3.5 shrink-0" aria-hidden="true" />
          <span className="min-w-0 flex-1 break-words">
            {/* A part went out before the failure (the text before a refused carousel): Retry sends the rest. */}
            {message.platformMessageId ? "Partly sent: " : "Not sent: "}
            {message.error?.message ?? "the platform refused the message."}
          </span>
          <Button
            size="sm"
            variant="outline"
            className="h-6 shrink-0 gap-1 border-destructive/40 bg-background px-2 text-xs text-destructive hover:text-destructive"
            disabled={retrying}
            onClick={() => onRetry(message.id)}
          >
            <RotateCw aria-hidden="true" className={cn("size-3", retrying && "animate-spin")} />
            {retrying ? "Retrying…" : "Retry"}
          </Button>
        </div>
      )}
    </div>
  );
});

const MARKERS: Record<MessageDto["status"], { icon: LucideIcon; label: string; className?: string } | null> = {
  received: null,
  draft: { icon: Clock, label: "Draft" },
  queued: { icon: Clock, label: "Queued" },
  sending: { icon: Loader2, label: "Sending", className: "animate-spin" },
  sent: { icon: Check, label: "Sent" },
  delivered: { icon: CheckCheck, label: "Delivered" },
  read: { icon: CheckCheck, label: "Read", className: "text-primary" },
  failed: { icon: AlertCircle, label: "Failed", className: "text-destructive" },
};

/** Queued → sending → sent → delivered → read, as the platform reports it. */
function DeliveryMarker({ message }: { message: MessageDto }) {
  const marker = MARKERS[message.status];
  if (!marker) return null;
  const Icon = marker.icon;
  const when = message.readAt ?? message.deliveredAt ?? message.sentAt;
  return (
    <span
      className={cn(
        "inline-flex items-center gap-0.5",
        marker.className && !marker.className.includes("animate") && marker.className,
      )}
      title={when ? `${marker.label} ${formatDateTime(when)}` : marker.label}
      data-testid="delivery-status"
    >
      <Icon className={cn("size-3.5", marker.className)} aria-hidden="true" />
      <span>{marker.label}</span>
    </span>
  );
}

function Attachments({ attachments, outbound }: { attachments: AttachmentDto[]; outbound: boolean }) {
  return (
    <ul className="flex flex-col gap-2">
      {attachments.map((attachment, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: attachments have no id and never move
        <li key={i}>
          {!attachment.url ? (
            <p className="flex items-center gap-2 rounded-md bg-muted px-2 py-1.5 text-muted-foreground">
              <Loader2 className="size-4 shrink-0 animate-spin" aria-hidden="true" />
              {attachment.name ?? `${capitalize(attachment.type)}: fetching from the platform…`}
            </p>
          ) : attachment.type === "image" || attachment.type === "sticker" ? (
            <ImageAttachment attachment={attachment} />
          ) : attachment.type === "video" ? (
            // biome-ignore lint/a11y/useMediaCaption: customers' videos come without captions
            <video src={attachment.url} controls preload="metadata" className="max-h-80 max-w-64 rounded-lg bg-muted" />
          ) : attachment.type === "audio" ? (
            // biome-ignore lint/a11y/useMediaCaption: customers' voice messages come without captions
            <audio src={attachment.url} controls preload="metadata" className="max-w-64" />
          ) : (
            <a
              href={attachment.url}
              target="_blank"
              rel="noreferrer noopener"
              className={cn(
                "flex items-center gap-2 rounded-md px-2 py-1.5 underline-offset-2 outline-none hover:underline focus-visible:ring-[3px] focus-visible:ring-ring/50",
                outbound ? "bg-black/10" : "bg-muted",
              )}
            >
              <FileText className="size-4 shrink-0" aria-hidden="true" />
              <span className="truncate">{attachment.name ?? `${capitalize(attachment.type)} attachment`}</span>
              {attachment.size !== undefined && (
                <span className="shrink-0 text-xs opacity-80">{formatBytes(attachment.size)}</span>
              )}
            </a>
          )}
        </li>
      ))}
    </ul>
  );
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The largest an image is drawn in the thread; it keeps its own proportions inside. */
const IMAGE_MAX = { width: 256, height: 320 };
/** The box held for an image whose size is not known yet (4:3, as most photos). */
const IMAGE_PLACEHOLDER = { width: 4, height: 3 };
/**
 * Sizes of images already loaded in this tab: a row that the virtual list unmounts and mounts again
 * (scrolling) reserves the right box at once instead of growing when the image reloads.
 */
const knownSizes = new Map<string, { width: number; height: number }>();

function fitImage(size: { width: number; height: number }) {
  const scale = Math.min(1, IMAGE_MAX.width / size.width, IMAGE_MAX.height / size.height);
  return { width: Math.max(48, Math.round(size.width * scale)), ratio: `${size.width} / ${size.height}` };
}

/**
 * An image drawn whole, at its own proportions, in a box reserved before it loads: from the
 * attachment's dimensions when the channel gives them, from an earlier load in this tab, else a 4:3
 * placeholder that takes the image's proportions once it has loaded. The virtual list measures rows
 * with a ResizeObserver, so the change moves the messages below instead of drawing over them.
 */
function ImageAttachment({ attachment }: { attachment: AttachmentDto }) {
  const given =
    attachment.width && attachment.height ? { width: attachment.width, height: attachment.height } : undefined;
  const [size, setSize] = useState(() => given ?? knownSizes.get(attachment.url));
  const [failed, setFailed] = useState(false);
  const box = fitImage(
    size ?? { width: IMAGE_MAX.width, height: (IMAGE_MAX.width * IMAGE_PLACEHOLDER.height) / IMAGE_PLACEHOLDER.width },
  );

  if (failed) {
    return (
      <a
        href={attachment.url}
        target="_blank"
        rel="noreferrer noopener"
        className="flex items-center gap-2 rounded-md bg-muted px-2 py-1.5 text-foreground underline-offset-2 outline-none hover:underline focus-visible:ring-[3px] focus-visible:ring-ring/50"
      >
        <ImageOff className="size-4 shrink-0" aria-hidden="true" />
        <span className="truncate">{attachment.name ?? "Image could not be shown: open the link"}</span>
      </a>
    );
  }
  return (
    <a
      href={attachment.url}
      target="_blank"
      rel="noreferrer noopener"
      className="block max-w-full rounded-lg outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50"
      style={{ width: box.width }}
    >
      {/* biome-ignore lint/performance/noImgElement: platform URLs of any host, sized from the image itself */}
      <img
        src={attachment.url}
        alt={attachment.name ?? "Image from the conversation"}
        loading="lazy"
        className="block h-auto w-full rounded-lg bg-muted object-contain"
        style={{ aspectRatio: box.ratio }}
        onLoad={(event) => {
          const { naturalWidth: width, naturalHeight: height } = event.currentTarget;
          if (!width || !height) return;
          knownSizes.set(attachment.url, { width, height });
          if (width !== size?.width || height !== size?.height) setSize({ width, height });
        }}
        onError={() => setFailed(true)}
      />
    </a>
  );
}

function SystemEvent({ message }: { message: MessageDto }) {
  return (
    <div className="flex justify-center px-5 pt-3" data-message-id={message.id} data-role="SYSTEM">
      <p className="max-w-[85%] rounded-full bg-muted px-3 py-1 text-center text-xs text-muted-foreground">
        {message.text}
        <span className="sr-only"> at </span>
        <time dateTime={message.createdAt} title={formatDateTime(message.createdAt)} className="ml-1.5 opacity-70">
          {timeFormat.format(new Date(message.createdAt))}
        </time>
      </p>
    </div>
  );
}

function InternalNote({ message, sender }: { message: MessageDto; sender: string }) {
  return (
    <div className="flex justify-end px-5 pt-3" data-message-id={message.id} data-kind="note">
      <div className="w-full max-w-[min(32rem,85%)] rounded-lg border border-dashed border-warning/50 bg-warning/10 px-3.5 py-2 text-sm">
        <p className="mb-1 flex items-center gap-1.5 text-xs font-medium text-warning">
          <Lock className="size-3" aria-hidden="true" />
          Internal note · {sender}
          <time dateTime={message.createdAt} title={formatDateTime(message.createdAt)} className="ml-auto font-normal">
            {timeFormat.format(new Date(message.createdAt))}
          </time>
        </p>
        <p className="break-words whitespace-pre-wrap text-foreground">{message.text}</p>
      </div>
    </div>
  );
}
