"use client";

import type { MessageFeedbackSummary } from "@tandem/contracts";
import { Tooltip, TooltipContent, TooltipTrigger } from "@/components/ui/tooltip";
import { feedbackLabel } from "./feedback-label";

/** 👍 / 👎 / ⚠ with their counts under a bot reply; the latest comment in the tooltip. */
export function FeedbackMark({ feedback }: { feedback: MessageFeedbackSummary }) {
  const label = feedbackLabel(feedback);
  return (
    <Tooltip>
      <TooltipTrigger asChild>
        <button
          type="button"
          aria-label={label}
          data-testid="message-feedback"
          className="inline-flex items-center gap-1 rounded px-0.5 outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50"
        >
          {feedback.helpful > 0 && <span aria-hidden="true">👍{feedback.helpful > 1 ? feedback.helpful : ""}</span>}
          {feedback.notHelpful > 0 && (
            <span aria-hidden="true">👎{feedback.notHelpful > 1 ? feedback.notHelpful : ""}</span>
          )}
          {feedback.inappropriate > 0 && (
            <span aria-hidden="true" className="text-destructive">
              ⚠{feedback.inappropriate > 1 ? feedback.inappropriate : ""}
            </span>
          )}
        </button>
      </TooltipTrigger>
      <TooltipContent className="break-words whitespace-pre-wrap">{label}</TooltipContent>
    </Tooltip>
  );
}
