"use client";

import { Avatar, AvatarFallback } from "@/components/ui/avatar";
import { Tooltip, TooltipContent, TooltipTrigger } from "@/components/ui/tooltip";
import { useCurrentUser } from "@/features/auth/queries";
import { initials } from "@/lib/format";
import { cn } from "@/lib/utils";
import { usePresence } from "./queries";

const SHOWN = 4;

/** Teammates with the dashboard open right now (from `presence:update`). */
export function PresenceStack() {
  const { data: online } = usePresence();
  const me = useCurrentUser();
  if (online.length === 0) return null;
  const names = online.map((p) => (p.userId === me.user.id ? "You" : p.name || p.email));
  const label = `Online now: ${names.join(", ")}`;
  return (
    <Tooltip>
      <TooltipTrigger asChild>
        <button
          type="button"
          aria-label={label}
          className="flex items-center -space-x-2 rounded-full outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50"
        >
          {online.slice(0, SHOWN).map((p) => (
            <Avatar key={p.userId} className="size-7 ring-2 ring-background">
              <AvatarFallback className="text-[10px]">{initials(p.name || p.email)}</AvatarFallback>
            </Avatar>
          ))}
          {online.length > SHOWN && (
            <span className="z-10 grid size-7 place-items-center rounded-full bg-muted text-[10px] font-medium ring-2 ring-background">
              +{online.length - SHOWN}
            </span>
          )}
        </button>
      </TooltipTrigger>
      <TooltipContent>{label}</TooltipContent>
    </Tooltip>
  );
}

/** A green dot for someone online, a hollow one otherwise. */
export function PresenceDot({ userId, className }: { userId: string; className?: string }) {
  const { data: online } = usePresence();
  const isOnline = online.some((p) => p.userId === userId);
  return (
    <span
      role="img"
      aria-label={isOnline ? "online" : "offline"}
      className={cn(
        "inline-block size-2 shrink-0 rounded-full",
        isOnline ? "bg-success" : "border border-muted-foreground/50",
        className,
      )}
    />
  );
}
