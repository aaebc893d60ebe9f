import type { FlagDto, FlagType, MessageModeration } from "@tandem/contracts";

export const FLAG_TYPE_LABELS: Record<FlagType, string> = {
  profanity: "Profanity",
  prompt_injection: "Prompt injection",
  pii: "Personal data",
  inappropriate: "Inappropriate",
  incorrect: "Incorrect answer",
  spam: "Spam",
  security_risk: "Security risk",
  other: "Other",
};

export const flagTypeLabel = (type: string) => FLAG_TYPE_LABELS[type as FlagType] ?? type;

export const FLAG_STATUS_LABELS: Record<FlagDto["status"], string> = {
  open: "Open",
  escalated: "Escalated to an owner",
  approved: "Approved",
  removed: "Removed",
};

/** The inbox's marker on a flagged message. */
export const MODERATION_STATE_LABELS: Record<MessageModeration["state"], string> = {
  flagged: "Flagged",
  escalated: "Flagged · escalated",
  removed: "Removed: hidden from the customer",
  approved: "Flag approved",
};
