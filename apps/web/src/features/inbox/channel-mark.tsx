import type { ChannelType } from "@tandem/contracts";
import { Code, Globe, MessageCircle } from "lucide-react";
import { CHANNEL_TYPE_LABELS, MessengerIcon } from "@/features/settings/channels/channel-icon";
import { cn } from "@/lib/utils";

/** A small round channel mark, laid over a contact's avatar or next to a channel's name. */
export function ChannelMark({ type, className }: { type: ChannelType; className?: string }) {
  const Icon = type === "web" ? Globe : type === "api" ? Code : MessageCircle;
  return (
    <span
      role="img"
      aria-label={CHANNEL_TYPE_LABELS[type]}
      title={CHANNEL_TYPE_LABELS[type]}
      className={cn("grid size-4 place-items-center rounded-full bg-background ring-2 ring-background", className)}
    >
      {type === "messenger" ? (
        <MessengerIcon className="size-full" />
      ) : (
        <Icon
          aria-hidden="true"
          className={cn("size-3", type === "line" ? "text-[#06c755]" : "text-muted-foreground")}
        />
      )}
    </span>
  );
}

export { CHANNEL_TYPE_LABELS };
