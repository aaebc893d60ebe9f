"use client";

import { AtSign } from "lucide-react";
import { type MentionableMember as Member, mentionName } from "./mentions";
import { useInboxOptions } from "./queries";
import { type TokenPicker, useTokenPicker } from "./token-picker";

const fields = (m: Member) => [m.name, m.email];

/**
 * Teammates in an internal note: "@" at the start or after a space lists the workspace's members;
 * the chosen one is written "@Name" and remembered (`onMention`) so the note names them.
 */
export function useMentionPicker(options: {
  text: string;
  caret: number;
  replace: (text: string, caret: number) => void;
  onMention: (member: Member) => void;
  disabled?: boolean;
}): TokenPicker {
  const members = useInboxOptions();
  return useTokenPicker<Member>({
    trigger: "@",
    label: "Teammates",
    text: options.text,
    caret: options.caret,
    replace: options.replace,
    disabled: options.disabled,
    items: members.data?.members,
    status: members.status,
    fields,
    key: (m) => m.id,
    insertText: (m) => `@${mentionName(m)} `,
    onInsert: options.onMention,
    render: (m) => (
      <>
        <AtSign className="mt-0.5 size-4 shrink-0 text-muted-foreground" aria-hidden="true" />
        <span className="min-w-0 flex-1">
          <span className="block truncate font-medium">{mentionName(m)}</span>
          <span className="block truncate text-xs text-muted-foreground">{m.email}</span>
        </span>
      </>
    ),
    emptyText: (query) => `No teammate matches “${query}”.`,
    hint: "↑↓ to choose · Enter or Tab to mention · Esc to close",
  });
}
