import type { MessageFeedbackSummary } from "@tandem/contracts";

/** "2 helpful, 1 not helpful" — what customers said of a bot reply, for the mark's label. */
export function feedbackLabel(f: MessageFeedbackSummary): string {
  const parts = [
    f.helpful > 0 && `${f.helpful} helpful`,
    f.notHelpful > 0 && `${f.notHelpful} not helpful`,
    f.inappropriate > 0 && `${f.inappropriate} inappropriate`,
  ].filter(Boolean);
  return `Customer feedback: ${parts.join(", ")}${f.latestComment ? `. Latest comment: “${f.latestComment}”` : ""}`;
}
