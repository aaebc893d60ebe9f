import { cn } from "@/lib/utils";

/** The Tandem mark (two overlapping rings: bot and human) and name. */
export function Wordmark({ className }: { className?: string }) {
  return (
    <span className={cn("inline-flex items-center gap-2 font-semibold tracking-tight text-foreground", className)}>
      <svg viewBox="0 0 32 32" className="size-7 shrink-0" aria-hidden="true">
        <rect width="32" height="32" rx="8" className="fill-primary" />
        <circle cx="12.5" cy="16" r="6" fill="none" stroke="white" strokeWidth="2.5" />
        <circle cx="19.5" cy="16" r="6" fill="none" stroke="white" strokeWidth="2.5" opacity="0.75" />
      </svg>
      <span className="text-[1.05rem]">Tandem</span>
    </span>
  );
}
