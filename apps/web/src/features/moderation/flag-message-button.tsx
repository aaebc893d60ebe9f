"use client";

import { FLAG_TYPES, type FlagType, type MessageDto } from "@tandem/contracts";
import { Flag, ShieldAlert, ShieldCheck, ShieldX } from "lucide-react";
import { useId, useState } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import { errorMessage } from "@/lib/api";
import { cn } from "@/lib/utils";
import { FLAG_TYPE_LABELS, flagTypeLabel, MODERATION_STATE_LABELS } from "./labels";
import { useFlagMessage } from "./queries";

export const selectClass =
  "h-9 w-full rounded-md border border-input bg-background px-2.5 text-sm shadow-xs outline-none focus-visible:border-ring focus-visible:ring-[3px] focus-visible:ring-ring/50";

/** The thread's marker on a flagged message: flagged, escalated, removed (the customer no longer sees it) or approved. */
export function ModerationMark({ moderation }: { moderation: NonNullable<MessageDto["moderation"]> }) {
  const Icon = moderation.state === "removed" ? ShieldX : moderation.state === "approved" ? ShieldCheck : ShieldAlert;
  return (
    <span
      className={cn(
        "inline-flex items-center gap-0.5",
        moderation.state === "removed" && "text-destructive",
        (moderation.state === "flagged" || moderation.state === "escalated") && "text-warning",
      )}
      title={moderation.types.map(flagTypeLabel).join(", ")}
      data-testid="moderation-mark"
      data-state={moderation.state}
    >
      <Icon className="size-3.5" aria-hidden="true" />
      <span>{MODERATION_STATE_LABELS[moderation.state]}</span>
    </span>
  );
}

/** "Flag" under a message: pick a type, say why; the flag joins the moderation queue. */
export function FlagMessageButton({ message }: { message: MessageDto }) {
  const [open, setOpen] = useState(false);
  const [type, setType] = useState<FlagType>(message.role === "BOT" ? "incorrect" : "inappropriate");
  const [reason, setReason] = useState("");
  const flag = useFlagMessage(message.conversationId);
  const typeId = useId();
  const reasonId = useId();

  const submit = () =>
    flag.mutate(
      { messageId: message.id, type, reason: reason.trim() },
      {
        onSuccess: () => {
          toast.success("Flagged for review");
          setOpen(false);
          setReason("");
        },
      },
    );

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) flag.reset();
      }}
    >
      <button
        type="button"
        onClick={() => setOpen(true)}
        className="inline-flex items-center gap-0.5 rounded-sm px-0.5 outline-none hover:text-foreground focus-visible:ring-[3px] focus-visible:ring-ring/50"
        aria-label="Flag this message"
        data-testid="flag-message"
      >
        <Flag className="size-3" aria-hidden="true" />
        <span className="max-sm:sr-only">Flag</span>
      </button>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Flag this message</DialogTitle>
          <DialogDescription>
            An owner or admin reviews it in Moderation and can remove it from the customer&apos;s history.
          </DialogDescription>
        </DialogHeader>
        <form
          className="flex flex-col gap-4"
          onSubmit={(event) => {
            event.preventDefault();
            submit();
          }}
        >
          <blockquote className="line-clamp-3 border-l-2 pl-3 text-sm text-muted-foreground">{message.text}</blockquote>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor={typeId}>Type</Label>
            <select
              id={typeId}
              className={selectClass}
              value={type}
              onChange={(event) => setType(event.target.value as FlagType)}
            >
              {FLAG_TYPES.map((t) => (
                <option key={t} value={t}>
                  {FLAG_TYPE_LABELS[t]}
                </option>
              ))}
            </select>
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor={reasonId}>Reason</Label>
            <Textarea
              id={reasonId}
              value={reason}
              onChange={(event) => setReason(event.target.value)}
              placeholder="What is wrong with it?"
              maxLength={1000}
              required
            />
          </div>
          {flag.isError && (
            <p role="alert" className="text-sm text-destructive">
              {errorMessage(flag.error)}
            </p>
          )}
          <DialogFooter>
            <Button type="button" variant="outline" onClick={() => setOpen(false)}>
              Cancel
            </Button>
            <Button type="submit" disabled={flag.isPending || reason.trim() === ""}>
              {flag.isPending ? "Flagging…" : "Flag"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
