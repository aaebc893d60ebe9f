import { z } from "zod";

/**
 * Canned responses (`/api/v1/canned-responses`, docs/inbox.md "Canned responses"): saved replies
 * shared by the workspace, inserted from the composer by typing `/` and part of the shortcut or
 * title. Their text may hold the variables below, filled in by `fillCannedResponse` when inserted.
 */

export const CANNED_LIMITS = { shortcutLength: 32, titleLength: 120, textLength: 4_000, queryLength: 100 } as const;

/** The variables a canned response may use, and what each becomes when it is inserted. */
export const CANNED_VARIABLES = {
  contact_name: "The customer's name, or “there” when it is unknown",
  contact_first_name: "The first word of the customer's name, or “there” when it is unknown",
  agent_name: "Your name (the teammate inserting the reply), or “our team” when it is unknown",
} as const;
export type CannedVariable = keyof typeof CANNED_VARIABLES;

/** What an unknown name becomes: "Hi {contact_name}" reads "Hi there". */
export const CANNED_FALLBACKS: Record<CannedVariable, string> = {
  contact_name: "there",
  contact_first_name: "there",
  agent_name: "our team",
};

const VARIABLE = /\{([A-Za-z0-9_]+)\}/g;

/** The `{names}` in `text` that are not variables, each once, in order of appearance. */
export function unknownCannedVariables(text: string): string[] {
  const unknown = new Set<string>();
  for (const [, name] of text.matchAll(VARIABLE)) {
    if (name && !(name in CANNED_VARIABLES)) unknown.add(name);
  }
  return [...unknown];
}

export interface CannedValues {
  contactName?: string | null | undefined;
  agentName?: string | null | undefined;
}

/** `text` with its variables filled in; blank or missing names become the fallbacks. */
export function fillCannedResponse(text: string, values: CannedValues): string {
  const contactName = values.contactName?.trim() || null;
  const agentName = values.agentName?.trim() || null;
  const filled: Record<CannedVariable, string | null> = {
    contact_name: contactName,
    contact_first_name: contactName?.split(/\s+/)[0] ?? null,
    agent_name: agentName,
  };
  return text.replace(VARIABLE, (whole, name: string) =>
    name in filled ? (filled[name as CannedVariable] ?? CANNED_FALLBACKS[name as CannedVariable]) : whole,
  );
}

export const CannedShortcut = z
  .string()
  .trim()
  .regex(/^[a-z0-9_-]{1,32}$/, "Use 1 to 32 lowercase letters, digits, “-” or “_” (no spaces), e.g. “return-policy”");

const title = z
  .string()
  .trim()
  .min(1, "Give the reply a title")
  .max(CANNED_LIMITS.titleLength, `Keep the title under ${CANNED_LIMITS.titleLength + 1} characters`);

const text = z
  .string()
  .trim()
  .min(1, "Write the reply's text")
  .max(CANNED_LIMITS.textLength, `Keep the text under ${CANNED_LIMITS.textLength + 1} characters`)
  .superRefine((value, ctx) => {
    const unknown = unknownCannedVariables(value);
    if (unknown.length > 0) {
      const known = Object.keys(CANNED_VARIABLES)
        .map((name) => `{${name}}`)
        .join(", ");
      ctx.addIssue({
        code: "custom",
        message: `Unknown variable${unknown.length > 1 ? "s" : ""} ${unknown.map((name) => `{${name}}`).join(", ")}: use ${known}`,
      });
    }
  });

export const CreateCannedResponseInput = z.object({ shortcut: CannedShortcut, title, text });
export type CreateCannedResponseInput = z.infer<typeof CreateCannedResponseInput>;

/** Any of the fields; the others are kept. */
export const UpdateCannedResponseInput = CreateCannedResponseInput.partial().refine(
  (input) => Object.keys(input).length > 0,
  "Send at least one of shortcut, title or text",
);
export type UpdateCannedResponseInput = z.infer<typeof UpdateCannedResponseInput>;

export const CannedResponseQuery = z.object({
  /** Words found in the shortcut, title or text (case-insensitive); absent or blank: all. */
  q: z.string().max(CANNED_LIMITS.queryLength).optional(),
});
export type CannedResponseQuery = z.infer<typeof CannedResponseQuery>;

export const CannedResponseParam = z.object({ id: z.string().min(1).max(64) });

export const CannedResponseDto = z.object({
  id: z.string(),
  shortcut: z.string(),
  title: z.string(),
  /** With its `{variables}` as saved; the composer fills them in. */
  text: z.string(),
  createdBy: z.object({ id: z.string(), name: z.string().nullable() }).nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type CannedResponseDto = z.infer<typeof CannedResponseDto>;

/** The whole library, sorted by shortcut (a workspace keeps tens, not thousands): `nextCursor` is always null. */
export const CannedResponseList = z.object({ data: z.array(CannedResponseDto), nextCursor: z.null() });
export type CannedResponseList = z.infer<typeof CannedResponseList>;
