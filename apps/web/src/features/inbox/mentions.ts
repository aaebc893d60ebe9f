import type { InboxOptions } from "@tandem/contracts";

export type MentionableMember = InboxOptions["members"][number];

/** How a member is written in a note: their name, else the start of their e-mail address. */
export const mentionName = (m: Pick<MentionableMember, "name" | "email">) =>
  m.name?.trim() || m.email.split("@")[0] || m.email;

/** The mentioned members whose "@Name" is still in the text (one deleted by hand is dropped), each once. */
export function mentionsIn(text: string, mentioned: readonly MentionableMember[]): string[] {
  return [...new Set(mentioned.filter((m) => text.includes(`@${mentionName(m)}`)).map((m) => m.id))];
}
