import type { ChannelType } from "@tandem/contracts";
import { Code, Globe } from "lucide-react";
import { CHANNEL_TYPE_LABELS, LineIcon, MessengerIcon } from "@/features/settings/channels/channel-icon";
import { cn } from "@/lib/utils";

/** A small round channel mark, laid over a contact's avatar or next to a channel's name. */
export function ChannelMark({ type, className }: { type: ChannelType; className?: string }) {
  const Icon = type === "web" ? Globe : Code;
  return (
    <span
      role="img"
      aria-label={CHANNEL_TYPE_LABELS[type]}
      title={CHANNEL_TYPE_LABELS[type]}
      className={cn("grid size-4 place-items-center rounded-full bg-background ring-2 ring-background", className)}
    >
      {type === "messenger" ? (
        <MessengerIcon className="size-full" />
      ) : type === "line" ? (
        <LineIcon className="size-full" />
      ) : (
        <Icon aria-hidden="true" className="size-3 text-muted-foreground" />
      )}
    </span>
  );
}

export { CHANNEL_TYPE_LABELS };
