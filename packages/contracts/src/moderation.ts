import { z } from "zod";
import { ChannelType, MessageRole } from "./conversations.ts";

/**
 * Moderation (docs/moderation.md): flags on messages, raised by the detectors when a message is
 * stored (profanity, prompt injection, personal data in a bot answer) or by a member from the inbox,
 * and reviewed by OWNER / ADMIN in a queue (`/api/v1/moderation/flags`).
 */

/** What a flag is about. The detectors raise the first three; a member may pick any. */
export const FLAG_TYPES = [
  "profanity",
  "prompt_injection",
  "pii",
  "inappropriate",
  "incorrect",
  "spam",
  "security_risk",
  "other",
] as const;
export const FlagType = z.enum(FLAG_TYPES);
export type FlagType = z.infer<typeof FlagType>;

export const FlagSource = z.enum(["automated", "member"]);
export type FlagSource = z.infer<typeof FlagSource>;

/** The stored outcome; `escalated` leaves the flag open for an OWNER. */
export const FlagDecision = z.enum(["approved", "removed", "escalated"]);
export type FlagDecision = z.infer<typeof FlagDecision>;

export const MAX_FLAG_REASON = 1000;

/** `POST /api/v1/messages/{id}/flags` — a member flags a message from the inbox. */
export const FlagMessageInput = z.object({
  type: FlagType,
  reason: z.string().trim().min(1).max(MAX_FLAG_REASON),
});
export type FlagMessageInput = z.infer<typeof FlagMessageInput>;

export const FlagParam = z.object({ id: z.string().min(1).max(64) });

export const FlagQuery = z.object({
  /** `open` (the default): not yet decided, escalated ones included; `reviewed`: approved or removed. */
  status: z.enum(["open", "reviewed"]).default("open"),
  type: FlagType.optional(),
  source: FlagSource.optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(30),
});
export type FlagQuery = z.infer<typeof FlagQuery>;

export const ReviewDecision = z.enum(["approve", "remove", "escalate"]);
export type ReviewDecision = z.infer<typeof ReviewDecision>;

/** `POST /api/v1/moderation/flags/{id}/review`. */
export const ReviewFlagInput = z.object({
  decision: ReviewDecision,
  note: z.string().trim().max(MAX_FLAG_REASON).optional(),
});
export type ReviewFlagInput = z.infer<typeof ReviewFlagInput>;

const FlagMessage = z.object({
  id: z.string(),
  role: MessageRole,
  text: z.string().nullable(),
  createdAt: z.string(),
});

export const FlagDto = z.object({
  id: z.string(),
  type: FlagType,
  source: FlagSource,
  reason: z.string().nullable(),
  /** 0–1; how sure the detector is (1 for a member's flag). */
  confidence: z.number().nullable(),
  /** `open`, `escalated` (open, for an OWNER), `approved` or `removed`. */
  status: z.enum(["open", "escalated", "approved", "removed"]),
  message: FlagMessage,
  /** For a bot or agent answer, the customer message just before it, to judge it in context. */
  context: FlagMessage.nullable(),
  conversation: z.object({ id: z.string(), contactName: z.string().nullable() }),
  channel: z.object({ id: z.string(), type: ChannelType, name: z.string() }).nullable(),
  chatbot: z.object({ id: z.string(), name: z.string() }).nullable(),
  /** The member who flagged it; null for the detectors (or once that member left). */
  flaggedBy: z.object({ memberId: z.string(), name: z.string().nullable() }).nullable(),
  /** The latest decision: who, when and why (an escalation included). */
  review: z
    .object({
      decision: FlagDecision,
      by: z.object({ userId: z.string(), name: z.string().nullable() }).nullable(),
      at: z.string(),
      note: z.string().nullable(),
    })
    .nullable(),
  createdAt: z.string(),
});
export type FlagDto = z.infer<typeof FlagDto>;

export const FlagList = z.object({
  data: z.array(FlagDto),
  nextCursor: z.string().nullable(),
  /** Open flags in the workspace (escalated ones included), whatever the filters: the nav badge. */
  openCount: z.number().int(),
});
export type FlagList = z.infer<typeof FlagList>;

/** The most contact details of each kind the allow-list keeps. */
export const MAX_ALLOWED_CONTACTS = 20;

/** A phone number as written by a person: digits with `+`, spaces, dashes, dots or brackets; 6–15 digits. */
const AllowedPhone = z
  .string()
  .trim()
  .max(40)
  .regex(/^\+?[\d\s().-]+$/, "Use digits, with + and spaces, dashes or brackets")
  .refine((v) => {
    const digits = v.replace(/\D/g, "").length;
    return digits >= 6 && digits <= 15;
  }, "A phone number has 6 to 15 digits");

/**
 * `GET|PATCH /api/v1/settings/moderation` (PATCH: OWNER/ADMIN, audited): the shop's own phone numbers
 * and e-mail addresses. A bot answer that gives out only these is not flagged as personal data.
 */
export const ModerationSettingsDto = z.object({
  allowedPhones: z.array(AllowedPhone).max(MAX_ALLOWED_CONTACTS),
  allowedEmails: z.array(z.string().trim().toLowerCase().email().max(254)).max(MAX_ALLOWED_CONTACTS),
});
export type ModerationSettingsDto = z.infer<typeof ModerationSettingsDto>;

/** Only the fields given change. */
export const UpdateModerationSettingsInput = ModerationSettingsDto.partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, "Nothing to update");
export type UpdateModerationSettingsInput = z.infer<typeof UpdateModerationSettingsInput>;
