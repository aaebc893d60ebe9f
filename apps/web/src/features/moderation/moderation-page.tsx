"use client";

import { FLAG_TYPES, type FlagDto, type FlagSource, type FlagType, type ReviewDecision } from "@tandem/contracts";
import { Bot, ExternalLink, ShieldCheck, User } from "lucide-react";
import Link from "next/link";
import { useId, useState } from "react";
import { toast } from "sonner";
import { EmptyState } from "@/components/empty-state";
import { PageHeader } from "@/components/page-header";
import { TableSkeleton } from "@/components/table-skeleton";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import { useMe } from "@/features/auth/queries";
import { errorMessage } from "@/lib/api";
import { formatDateTime } from "@/lib/format";
import { ContactAllowList } from "./contact-allow-list";
import { selectClass } from "./flag-message-button";
import { FLAG_STATUS_LABELS, FLAG_TYPE_LABELS, flagTypeLabel } from "./labels";
import { type FlagFilters, useFlagQueue, useReviewFlag } from "./queries";

/** `/moderation` (OWNER / ADMIN): the flagged messages, with filters, context and the three decisions. */
export function ModerationPage() {
  const [filters, setFilters] = useState<FlagFilters>({ status: "open" });
  const queue = useFlagQueue(filters);
  const flags = queue.data?.pages.flatMap((p) => p.data) ?? [];
  const openCount = queue.data?.pages[0]?.openCount;
  const ids = { status: useId(), type: useId(), source: useId() };

  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title="Moderation"
        description="Messages flagged by the detectors (profanity, prompt injection, personal data in a bot answer) or by your team. Removing one hides it from the customer's chat history; escalating leaves it for an owner."
      />
      <fieldset className="grid grid-cols-1 gap-3 sm:max-w-2xl sm:grid-cols-3">
        <legend className="sr-only">Filters</legend>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor={ids.status}>Status</Label>
          <select
            id={ids.status}
            className={selectClass}
            value={filters.status}
            onChange={(e) => setFilters({ ...filters, status: e.target.value as FlagFilters["status"] })}
          >
            <option value="open">
              Open{openCount !== undefined && filters.status === "open" ? ` (${openCount})` : ""}
            </option>
            <option value="reviewed">Reviewed</option>
          </select>
        </div>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor={ids.type}>Type</Label>
          <select
            id={ids.type}
            className={selectClass}
            value={filters.type ?? ""}
            onChange={(e) => setFilters({ ...filters, type: (e.target.value || undefined) as FlagType | undefined })}
          >
            <option value="">All types</option>
            {FLAG_TYPES.map((t) => (
              <option key={t} value={t}>
                {FLAG_TYPE_LABELS[t]}
              </option>
            ))}
          </select>
        </div>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor={ids.source}>Raised by</Label>
          <select
            id={ids.source}
            className={selectClass}
            value={filters.source ?? ""}
            onChange={(e) =>
              setFilters({ ...filters, source: (e.target.value || undefined) as FlagSource | undefined })
            }
          >
            <option value="">Anyone</option>
            <option value="automated">Detectors</option>
            <option value="member">Team members</option>
          </select>
        </div>
      </fieldset>
      {queue.isError && (
        <Alert variant="destructive">
          <AlertDescription>{errorMessage(queue.error)}</AlertDescription>
        </Alert>
      )}
      {queue.isPending ? (
        <TableSkeleton rows={4} />
      ) : flags.length === 0 ? (
        <EmptyState
          icon={ShieldCheck}
          title={filters.status === "open" ? "Nothing to review" : "No reviewed flags"}
          description={
            filters.status === "open"
              ? "Flagged messages appear here as soon as a detector or a teammate flags one."
              : "Decided flags appear here with who decided and when."
          }
        />
      ) : (
        <ul aria-label="Flagged messages" className="flex flex-col gap-3">
          {flags.map((flag) => (
            <li key={flag.id}>
              <FlagCard flag={flag} />
            </li>
          ))}
        </ul>
      )}
      {queue.hasNextPage && (
        <Button
          variant="outline"
          className="self-center"
          disabled={queue.isFetchingNextPage}
          onClick={() => void queue.fetchNextPage()}
        >
          {queue.isFetchingNextPage ? "Loading…" : "Load more"}
        </Button>
      )}
      <ContactAllowList />
    </div>
  );
}

const DECISIONS: { decision: ReviewDecision; label: string; variant: "default" | "outline" | "destructive" }[] = [
  { decision: "approve", label: "Approve", variant: "outline" },
  { decision: "remove", label: "Remove", variant: "destructive" },
  { decision: "escalate", label: "Escalate", variant: "outline" },
];

function FlagCard({ flag }: { flag: FlagDto }) {
  const me = useMe();
  const review = useReviewFlag();
  const [note, setNote] = useState("");
  const noteId = useId();
  const titleId = useId();
  const open = flag.status === "open" || flag.status === "escalated";
  // Only an OWNER decides an escalated flag (the server says so too).
  const canDecide = open && (flag.status !== "escalated" || me.data?.role === "OWNER");
  const decide = (decision: ReviewDecision) =>
    review.mutate(
      { id: flag.id, decision, ...(note.trim() ? { note: note.trim() } : {}) },
      {
        onSuccess: (done) => toast.success(`${FLAG_STATUS_LABELS[done.status]}: ${flagTypeLabel(done.type)}`),
      },
    );

  return (
    <Card className="py-0" aria-labelledby={titleId} data-testid="flag-card" data-flag-id={flag.id}>
      <CardContent className="flex flex-col gap-3 p-4">
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <h2 id={titleId} className="font-medium">
            {flagTypeLabel(flag.type)}
          </h2>
          <Badge variant={flag.status === "removed" ? "destructive" : "secondary"}>
            {FLAG_STATUS_LABELS[flag.status]}
          </Badge>
          {flag.confidence !== null && flag.source === "automated" && (
            <span className="text-xs text-muted-foreground">{Math.round(flag.confidence * 100)}% sure</span>
          )}
          <span className="text-xs text-muted-foreground">
            {flag.source === "automated" ? "Detector" : `Flagged by ${flag.flaggedBy?.name ?? "a former member"}`} ·{" "}
            <time dateTime={flag.createdAt}>{formatDateTime(flag.createdAt)}</time>
          </span>
        </div>
        {flag.reason && <p className="text-sm text-muted-foreground">{flag.reason}</p>}
        <div className="flex flex-col gap-2 rounded-md bg-muted/50 p-3 text-sm">
          {flag.context && <Quote role={flag.context.role} text={flag.context.text} muted />}
          <Quote role={flag.message.role} text={flag.message.text} />
        </div>
        <p className="flex flex-wrap items-center gap-x-2 gap-y-1 text-xs text-muted-foreground">
          <span>{flag.conversation.contactName ?? "Unknown customer"}</span>
          {flag.channel && <span>· {flag.channel.name}</span>}
          {flag.chatbot && <span>· {flag.chatbot.name}</span>}
          <Link
            href={`/dashboard?c=${encodeURIComponent(flag.conversation.id)}`}
            className="inline-flex items-center gap-1 rounded-sm font-medium text-primary underline-offset-2 outline-none hover:underline focus-visible:ring-[3px] focus-visible:ring-ring/50"
          >
            Open the conversation
            <ExternalLink className="size-3" aria-hidden="true" />
          </Link>
        </p>
        {flag.review && (
          <p className="text-xs text-muted-foreground" data-testid="flag-review">
            {FLAG_STATUS_LABELS[flag.review.decision === "escalated" ? "escalated" : flag.review.decision]} by{" "}
            {flag.review.by?.name ?? "a former member"} on{" "}
            <time dateTime={flag.review.at}>{formatDateTime(flag.review.at)}</time>
            {flag.review.note && <> — “{flag.review.note}”</>}
          </p>
        )}
        {canDecide && (
          <div className="flex flex-col gap-2">
            <Label htmlFor={noteId} className="text-xs">
              Note (optional)
            </Label>
            <Textarea
              id={noteId}
              value={note}
              onChange={(e) => setNote(e.target.value)}
              maxLength={1000}
              className="min-h-10"
            />
            <div className="flex flex-wrap gap-2">
              {DECISIONS.filter((d) => flag.status !== "escalated" || d.decision !== "escalate").map((d) => (
                <Button
                  key={d.decision}
                  size="sm"
                  variant={d.variant}
                  disabled={review.isPending}
                  onClick={() => decide(d.decision)}
                  className="max-sm:flex-1"
                >
                  {d.label}
                </Button>
              ))}
            </div>
            {review.isError && (
              <p role="alert" className="text-sm text-destructive">
                {errorMessage(review.error)}
              </p>
            )}
          </div>
        )}
        {open && !canDecide && <p className="text-xs text-muted-foreground">Escalated: an owner decides this one.</p>}
      </CardContent>
    </Card>
  );
}

function Quote({ role, text, muted }: { role: FlagDto["message"]["role"]; text: string | null; muted?: boolean }) {
  const Icon = role === "BOT" ? Bot : User;
  const who = role === "BOT" ? "Bot" : role === "AGENT" ? "Agent" : "Customer";
  return (
    <div className={muted ? "text-muted-foreground" : undefined}>
      <p className="mb-0.5 flex items-center gap-1 text-xs font-medium">
        <Icon className="size-3" aria-hidden="true" />
        {who}
      </p>
      <p className="break-words whitespace-pre-wrap">{text ?? <em>No text</em>}</p>
    </div>
  );
}
