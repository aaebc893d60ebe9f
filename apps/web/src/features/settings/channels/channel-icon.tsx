import type { ChannelType } from "@tandem/contracts";
import { Code, Globe } from "lucide-react";
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

/** The LINE mark (Simple Icons, CC0), in LINE green. */
function LineMark({ className }: { className?: string }) {
  return (
    <svg viewBox="0 0 24 24" aria-hidden="true" className={cn("fill-[#06c755]", className)}>
      <path d="M19.365 9.863c.349 0 .63.285.63.631 0 .345-.281.63-.63.63H17.61v1.125h1.755c.349 0 .63.283.63.63 0 .344-.281.629-.63.629h-2.386c-.345 0-.627-.285-.627-.629V8.108c0-.345.282-.63.63-.63h2.386c.346 0 .627.285.627.63 0 .349-.281.63-.63.63H17.61v1.125h1.755zm-3.855 3.016c0 .27-.174.51-.432.596-.064.021-.133.031-.199.031-.211 0-.391-.09-.51-.25l-2.443-3.317v2.94c0 .344-.279.629-.631.629-.346 0-.626-.285-.626-.629V8.108c0-.27.173-.51.43-.595.06-.023.136-.033.194-.033.195 0 .375.104.495.254l2.462 3.33V8.108c0-.345.282-.63.63-.63.345 0 .63.285.63.63v4.771zm-5.741 0c0 .344-.282.629-.631.629-.345 0-.627-.285-.627-.629V8.108c0-.345.282-.63.63-.63.346 0 .628.285.628.63v4.771zm-2.466.629H4.917c-.345 0-.63-.285-.63-.629V8.108c0-.345.285-.63.63-.63.348 0 .63.285.63.63v4.141h1.756c.348 0 .629.283.629.63 0 .344-.282.629-.629.629M24 10.314C24 4.943 18.615.572 12 .572S0 4.943 0 10.314c0 4.811 4.27 8.842 10.035 9.608.391.082.923.258 1.058.59.12.301.079.766.038 1.08l-.164 1.02c-.045.301-.24 1.186 1.049.645 1.291-.539 6.916-4.078 9.436-6.975C23.176 14.393 24 12.458 24 10.314" />
    </svg>
  );
}

/** A square tile with the channel's mark; labelled with the channel type for assistive technology. */
export function ChannelIcon({ type, className }: { type: ChannelType; className?: string }) {
  const Icon = type === "web" ? Globe : Code;
  return (
    <span
      role="img"
      aria-label={CHANNEL_TYPE_LABELS[type]}
      className={cn("grid size-10 shrink-0 place-items-center rounded-lg border bg-background", className)}
    >
      {type === "messenger" ? (
        <MessengerMark className="size-5" />
      ) : type === "line" ? (
        <LineMark className="size-5" />
      ) : (
        <Icon aria-hidden="true" className="size-5 text-muted-foreground" />
      )}
    </span>
  );
}

/** The mark alone, for places where the type is already written next to it. */
export function MessengerIcon({ className }: { className?: string }) {
  return <MessengerMark className={className} />;
}

/** The LINE mark alone. */
export function LineIcon({ className }: { className?: string }) {
  return <LineMark className={className} />;
}
