import type { FlagType } from "@tandem/contracts";
import { type Db, type messages, moderationFlags } from "@tandem/db";
import { findProfanity, type ResolvedGuardrails, resolveGuardrails } from "../bots/guardrails.ts";
import type { Logger } from "../logger.ts";
import { loadWorkspaceSettings } from "../workspaces/settings-section.ts";
import { type ContactAllowList, type Detection, findPii, findPromptInjection } from "./detectors.ts";

type MessageRow = Pick<typeof messages.$inferSelect, "id" | "workspaceId" | "conversationId" | "role" | "text">;

export interface AutomatedFlag extends Detection {
  type: FlagType;
}

/**
 * What the detectors find in a message, one per type: profanity in a customer message or a bot
 * answer (the chatbot's guardrail word lists, the defaults without one), prompt injection in a
 * customer message, personal data in a bot answer (but the shop's own contact details, `allow`).
 * Agents' replies and notes are not checked.
 */
export function detectFlags(
  message: Pick<MessageRow, "role" | "text">,
  guardrails: ResolvedGuardrails = resolveGuardrails(null),
  allow: ContactAllowList = {},
): AutomatedFlag[] {
  if (!message.text || (message.role !== "USER" && message.role !== "BOT")) return [];
  const flags: AutomatedFlag[] = [];
  const profanity = findProfanity(message.text, guardrails);
  if (profanity) {
    flags.push({ type: "profanity", reason: `Matched "${profanity.word}" (${profanity.language})`, confidence: 1 });
  }
  const other = message.role === "USER" ? findPromptInjection(message.text) : findPii(message.text, allow);
  if (other) flags.push({ type: message.role === "USER" ? "prompt_injection" : "pii", ...other });
  return flags;
}

/**
 * Stores the detectors' flags on a message that was just stored, inside the caller's transaction but
 * in a savepoint of its own: a failure here is logged and rolled back alone, so it never costs the
 * customer's message or the bot's reply. A message checked twice keeps one flag per type
 * (`moderation_flag_automated_key`). The workspace's allow-list of its own contact details is read
 * only when a bot answer holds personal data.
 */
export async function flagStoredMessage(
  tx: Db,
  message: MessageRow,
  options: { guardrails?: ResolvedGuardrails; flags?: AutomatedFlag[]; log?: Pick<Logger, "warn"> } = {},
): Promise<AutomatedFlag[]> {
  const found = options.flags ?? detectFlags(message, options.guardrails);
  if (found.length === 0) return [];
  try {
    return await tx.transaction(async (sp) => {
      const flags =
        options.flags || !found.some((f) => f.type === "pii")
          ? found
          : detectFlags(message, options.guardrails, await contactAllowList(sp, message.workspaceId));
      if (flags.length === 0) return [];
      await sp
        .insert(moderationFlags)
        .values(
          flags.map((f) => ({
            workspaceId: message.workspaceId,
            messageId: message.id,
            conversationId: message.conversationId,
            flagType: f.type,
            source: "automated" as const,
            reason: f.reason,
            confidence: f.confidence,
          })),
        )
        .onConflictDoNothing();
      return flags;
    });
  } catch (err) {
    options.log?.warn({ err, messageId: message.id }, "moderation flags could not be stored");
    return [];
  }
}

/** The shop's own phone numbers and e-mail addresses (`settings.moderation`), which a bot may give out. */
async function contactAllowList(db: Db, workspaceId: string): Promise<ContactAllowList> {
  const { moderation } = await loadWorkspaceSettings(db, workspaceId);
  return { phones: moderation?.allowedPhones, emails: moderation?.allowedEmails };
}
