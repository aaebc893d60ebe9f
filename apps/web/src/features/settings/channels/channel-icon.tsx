import type { ChannelType } from "@tandem/contracts";
import { Code, Globe, MessageCircle } from "lucide-react";
import { cn } from "@/lib/utils";

export const CHANNEL_TYPE_LABELS: Record<ChannelType, string> = {
  messenger: "Facebook Messenger",
  line: "LINE",
  web: "Website widget",
  api: "Chat API",
};

/** The Messenger mark (Simple Icons, CC0), in Facebook blue. */
function MessengerMark({ className }: { className?: string }) {
  return (
    <svg viewBox="0 0 24 24" aria-hidden="true" className={cn("fill-[#0866ff]", className)}>
      <path d="M.001 11.639C.001 4.949 5.241 0 12.001 0S24 4.95 24 11.639c0 6.689-5.24 11.638-12 11.638-1.21 0-2.38-.16-3.47-.46a.96.96 0 0 0-.64.05l-2.39 1.05a.96.96 0 0 1-1.35-.85l-.07-2.14a.97.97 0 0 0-.32-.68A11.39 11.39 0 0 1 .002 11.64zm8.32-2.19-3.52 5.6c-.35.53.32 1.139.82.75l3.79-2.87c.26-.2.6-.2.87 0l2.8 2.1c.84.63 2.04.4 2.6-.48l3.52-5.6c.35-.53-.32-1.13-.82-.75l-3.79 2.87c-.25.2-.6.2-.86 0l-2.8-2.1a1.8 1.8 0 0 0-2.61.48z" />
    </svg>
  );
}

/** A square tile with the channel's mark; labelled with the channel type for assistive technology. */
export function ChannelIcon({ type, className }: { type: ChannelType; className?: string }) {
  const Icon = type === "web" ? Globe : type === "api" ? Code : MessageCircle;
  return (
    <span
      role="img"
      aria-label={CHANNEL_TYPE_LABELS[type]}
      className={cn("grid size-10 shrink-0 place-items-center rounded-lg border bg-background", className)}
    >
      {type === "messenger" ? (
        <MessengerMark className="size-5" />
      ) : (
        <Icon
          aria-hidden="true"
          className={cn("size-5", type === "line" ? "text-[#06c755]" : "text-muted-foreground")}
        />
      )}
    </span>
  );
}

/** The mark alone, for places where the type is already written next to it. */
export function MessengerIcon({ className }: { className?: string }) {
  return <MessengerMark className={className} />;
}
