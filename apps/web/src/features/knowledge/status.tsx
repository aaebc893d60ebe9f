import type { KnowledgeStatus } from "@tandem/contracts";
import { CircleAlert, CircleCheck, Clock, Loader2 } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { cn } from "@/lib/utils";
import { STATUS_LABELS } from "./format";

const ICONS = { pending: Clock, processing: Loader2, ready: CircleCheck, failed: CircleAlert } as const;

export function StatusBadge({ status, className }: { status: KnowledgeStatus; className?: string }) {
  const Icon = ICONS[status];
  return (
    <Badge
      variant={status === "failed" ? "destructive" : status === "ready" ? "accent" : "secondary"}
      className={className}
      data-testid="knowledge-status"
      data-status={status}
    >
      <Icon aria-hidden="true" className={cn(status === "processing" && "motion-safe:animate-spin")} />
      {STATUS_LABELS[status]}
    </Badge>
  );
}

/** A thin bar with its percentage, for a source or document being ingested. */
export function ProgressBar({ value, label, className }: { value: number; label: string; className?: string }) {
  const clamped = Math.max(0, Math.min(100, Math.round(value)));
  return (
    <div className={cn("flex items-center gap-2", className)}>
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={clamped}
        className="h-1.5 min-w-16 flex-1 overflow-hidden rounded-full bg-muted"
      >
        <div className="h-full rounded-full bg-primary transition-[width]" style={{ width: `${clamped}%` }} />
      </div>
      <span className="w-9 shrink-0 text-right text-xs tabular-nums text-muted-foreground">{clamped}%</span>
    </div>
  );
}

export const isBusy = (status: KnowledgeStatus) => status === "pending" || status === "processing";
