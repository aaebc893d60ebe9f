"use client";

import { type CannedResponseDto, fillCannedResponse } from "@tandem/contracts";
import { MessageSquareText } from "lucide-react";
import {
  type KeyboardEvent,
  type ReactNode,
  type RefObject,
  type SyntheticEvent,
  useEffect,
  useId,
  useMemo,
  useState,
} from "react";
import { useCannedResponses } from "@/features/canned-responses/queries";
import { cn } from "@/lib/utils";
import { fuzzyFilter } from "./fuzzy";
import { replaceToken, slashTokenAt } from "./slash-command";

/** How many matches the popup lists. */
const MAX_SHOWN = 8;

interface Options {
  text: string;
  setText: (text: string) => void;
  textareaRef: RefObject<HTMLTextAreaElement | null>;
  contactName: string | null | undefined;
  agentName: string | null | undefined;
  disabled?: boolean;
}

export interface CannedPicker {
  /** The popup (null while closed); render it inside a `relative` box around the textarea. */
  popup: ReactNode;
  /**
   * For the element wrapping the textarea (ARIA 1.1 combobox: a combobox holding a textbox and its
   * listbox), so the textarea stays the "Reply" textbox that everything else finds.
   */
  comboboxProps: {
    role: "combobox";
    "aria-expanded": boolean;
    "aria-haspopup": "listbox";
    "aria-label": string;
  };
  /** Listbox attributes and event handlers for the textarea. */
  textareaProps: {
    "aria-controls": string | undefined;
    "aria-autocomplete": "list";
    "aria-activedescendant": string | undefined;
    onSelect: (event: SyntheticEvent<HTMLTextAreaElement>) => void;
  };
  /** Call first from the textarea's keydown; true when the picker used the key. */
  onKeyDown: (event: KeyboardEvent<HTMLTextAreaElement>) => boolean;
  /** Call from the textarea's change handler with the new caret position. */
  onCaret: (caret: number) => void;
}

/**
 * Canned responses in the composer: typing "/" at the start or after a space opens a listbox of the
 * library ranked by fuzzy search over shortcut and title; ↑/↓ move, Enter or Tab insert the reply
 * (variables filled in) in place of the "/query", Escape closes, a click or tap inserts too.
 */
export function useCannedPicker({
  text,
  setText,
  textareaRef,
  contactName,
  agentName,
  disabled,
}: Options): CannedPicker {
  const listId = useId();
  const [caret, setCaret] = useState(text.length);
  const [dismissedAt, setDismissedAt] = useState<number | null>(null);
  const [active, setActive] = useState(0);
  const library = useCannedResponses(!disabled);

  const token = disabled ? null : slashTokenAt(text, caret);
  const open = token !== null && token.start !== dismissedAt;
  const matches = useMemo(
    () =>
      open ? fuzzyFilter(library.data?.data ?? [], token.query, (r) => [r.shortcut, r.title]).slice(0, MAX_SHOWN) : [],
    [open, library.data, token?.query],
  );

  // A new query starts at the best match; leaving the token forgets an Escape.
  const query = token?.query;
  // biome-ignore lint/correctness/useExhaustiveDependencies: resets when the query changes
  useEffect(() => setActive(0), [query]);
  const inToken = token !== null;
  useEffect(() => {
    if (!inToken) setDismissedAt(null);
  }, [inToken]);

  const insert = (reply: CannedResponseDto) => {
    if (!token) return;
    const filled = fillCannedResponse(reply.text, { contactName, agentName });
    const next = replaceToken(text, token, filled);
    setText(next.text);
    setCaret(next.caret);
    requestAnimationFrame(() => {
      const el = textareaRef.current;
      if (!el) return;
      el.focus();
      el.setSelectionRange(next.caret, next.caret);
    });
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>): boolean => {
    if (!open || event.nativeEvent.isComposing) return false;
    if (event.key === "Escape") {
      event.preventDefault();
      setDismissedAt(token.start);
      return true;
    }
    if (matches.length === 0) return false;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      setActive((i) => (i + step + matches.length) % matches.length);
      return true;
    }
    if ((event.key === "Enter" && !event.shiftKey) || event.key === "Tab") {
      event.preventDefault();
      const reply = matches[Math.min(active, matches.length - 1)];
      if (reply) insert(reply);
      return true;
    }
    return false;
  };

  const optionId = (index: number) => `${listId}-option-${index}`;
  const activeIndex = Math.min(active, matches.length - 1);

  const popup = open ? (
    <div className="absolute inset-x-0 bottom-full z-20 mb-1 overflow-hidden rounded-lg border bg-popover text-popover-foreground shadow-md">
      <div id={listId} role="listbox" aria-label="Canned responses" className="max-h-64 overflow-y-auto p-1">
        {matches.map((reply, index) => (
          // The textarea keeps the focus and handles the keys (aria-activedescendant points here).
          // biome-ignore lint/a11y/useKeyWithClickEvents: the textarea handles the keys (arrows, Enter, Tab)
          // biome-ignore lint/a11y/useFocusableInteractive: the textarea holds the focus (aria-activedescendant)
          <div
            key={reply.id}
            id={optionId(index)}
            role="option"
            aria-selected={index === activeIndex}
            // Keep the focus in the textarea, so typing goes on after a tap.
            onMouseDown={(event) => event.preventDefault()}
            onMouseEnter={() => setActive(index)}
            onClick={() => insert(reply)}
            className={cn(
              "flex cursor-pointer items-start gap-2 rounded-md px-2 py-1.5 text-sm max-lg:py-2.5",
              index === activeIndex && "bg-accent text-accent-foreground",
            )}
          >
            <MessageSquareText className="mt-0.5 size-4 shrink-0 text-muted-foreground" aria-hidden="true" />
            <span className="min-w-0 flex-1">
              <span className="flex items-baseline gap-2">
                <span className="font-mono text-xs text-primary">/{reply.shortcut}</span>
                <span className="truncate font-medium">{reply.title}</span>
              </span>
              <span className="line-clamp-1 text-xs text-muted-foreground">{reply.text}</span>
            </span>
          </div>
        ))}
      </div>
      {matches.length === 0 && (
        <p className="px-3 py-2 text-xs text-muted-foreground" role="status">
          {library.isPending
            ? "Loading canned responses…"
            : library.isError
              ? "Could not load canned responses."
              : (library.data?.data.length ?? 0) === 0
                ? "No canned responses yet. An owner or admin adds them in Settings → Canned responses."
                : `No canned response matches “${token.query}”.`}
        </p>
      )}
      <p className="border-t px-3 py-1 text-[11px] text-muted-foreground max-sm:hidden">
        ↑↓ to choose · Enter or Tab to insert · Esc to close
      </p>
    </div>
  ) : null;

  return {
    popup,
    comboboxProps: {
      role: "combobox",
      "aria-expanded": open,
      "aria-haspopup": "listbox",
      "aria-label": "Message with canned responses",
    },
    textareaProps: {
      "aria-controls": open ? listId : undefined,
      "aria-autocomplete": "list",
      "aria-activedescendant": open && matches.length > 0 ? optionId(activeIndex) : undefined,
      onSelect: (event) => setCaret(event.currentTarget.selectionStart),
    },
    onKeyDown,
    onCaret: setCaret,
  };
}
