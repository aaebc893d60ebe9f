"use client";

import { type CannedResponseDto, fillCannedResponse } from "@tandem/contracts";
import { MessageSquareText } from "lucide-react";
import { useCannedResponses } from "@/features/canned-responses/queries";
import { type TokenPicker, useTokenPicker } from "./token-picker";

const fields = (r: CannedResponseDto) => [r.shortcut, r.title];

/**
 * Canned responses in the composer: "/" at the start or after a space lists the library ranked by
 * shortcut and title; the chosen reply replaces the "/query" with its variables filled in.
 */
export function useCannedPicker(options: {
  text: string;
  caret: number;
  replace: (text: string, caret: number) => void;
  contactName: string | null | undefined;
  agentName: string | null | undefined;
  disabled?: boolean;
}): TokenPicker {
  const library = useCannedResponses(!options.disabled);
  return useTokenPicker<CannedResponseDto>({
    trigger: "/",
    label: "Canned responses",
    text: options.text,
    caret: options.caret,
    replace: options.replace,
    disabled: options.disabled,
    items: library.data?.data,
    status: library.status,
    fields,
    key: (r) => r.id,
    insertText: (r) => fillCannedResponse(r.text, { contactName: options.contactName, agentName: options.agentName }),
    render: (r) => (
      <>
        <MessageSquareText className="mt-0.5 size-4 shrink-0 text-muted-foreground" aria-hidden="true" />
        <span className="min-w-0 flex-1">
          <span className="flex items-baseline gap-2">
            <span className="font-mono text-xs text-primary">/{r.shortcut}</span>
            <span className="truncate font-medium">{r.title}</span>
          </span>
          <span className="line-clamp-1 text-xs text-muted-foreground">{r.text}</span>
        </span>
      </>
    ),
    emptyText: (query, total) =>
      total === 0
        ? "No canned responses yet. An owner or admin adds them in Settings → Canned responses."
        : `No canned response matches “${query}”.`,
    hint: "↑↓ to choose · Enter or Tab to insert · Esc to close",
  });
}
