"use client";

import { type KeyboardEvent, type ReactNode, useEffect, useId, useMemo, useState } from "react";
import { cn } from "@/lib/utils";
import { fuzzyFilter } from "./fuzzy";
import { replaceToken, type Trigger, triggerTokenAt } from "./slash-command";

/** How many matches the popup lists. */
const MAX_SHOWN = 8;

export interface TokenPickerOptions<T> {
  trigger: Trigger;
  /** The listbox's accessible name. */
  label: string;
  text: string;
  caret: number;
  /** Puts the new text in the composer and the caret after the insertion. */
  replace: (text: string, caret: number) => void;
  items: readonly T[] | undefined;
  status: "pending" | "error" | "success";
  /** The strings the fuzzy search looks at, best first. */
  fields: (item: T) => (string | null)[];
  key: (item: T) => string;
  render: (item: T) => ReactNode;
  /** What replaces the typed token. */
  insertText: (item: T) => string;
  onInsert?: (item: T) => void;
  /** What the popup says when nothing matches (`items` loaded). */
  emptyText: (query: string, total: number) => string;
  hint: string;
  disabled?: boolean;
}

export interface TokenPicker {
  open: boolean;
  /** The popup (null while closed); render it inside the combobox, in a `relative` box. */
  popup: ReactNode;
  /** For the textarea: the listbox it controls and the highlighted option. */
  textareaProps: { "aria-controls": string | undefined; "aria-activedescendant": string | undefined };
  /** Call first from the textarea's keydown; true when the picker used the key. */
  onKeyDown: (event: KeyboardEvent<HTMLTextAreaElement>) => boolean;
}

/**
 * A popup of suggestions for the word being typed after a trigger ("/" for canned responses, "@"
 * for teammates), ranked by the fuzzy matcher: ↑/↓ move, Enter or Tab insert, Escape closes, a
 * click or tap inserts. The textarea keeps the focus; `aria-activedescendant` names the highlighted
 * option (the ARIA combobox pattern).
 */
export function useTokenPicker<T>(options: TokenPickerOptions<T>): TokenPicker {
  const { trigger, text, caret, items, disabled } = options;
  const listId = useId();
  const [dismissedAt, setDismissedAt] = useState<number | null>(null);
  const [active, setActive] = useState(0);

  const token = disabled ? null : triggerTokenAt(trigger, text, caret);
  const open = token !== null && token.start !== dismissedAt;
  const query = token?.query;
  const { fields } = options;
  const matches = useMemo(
    () => (open && query !== undefined ? fuzzyFilter(items ?? [], query, fields).slice(0, MAX_SHOWN) : []),
    [open, items, query, fields],
  );

  // A new query starts at the best match; leaving the token forgets an Escape.
  // biome-ignore lint/correctness/useExhaustiveDependencies: resets when the query changes
  useEffect(() => setActive(0), [query]);
  const inToken = token !== null;
  useEffect(() => {
    if (!inToken) setDismissedAt(null);
  }, [inToken]);

  const insert = (item: T) => {
    if (!token) return;
    const next = replaceToken(text, token, options.insertText(item));
    options.onInsert?.(item);
    options.replace(next.text, next.caret);
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
      const item = matches[Math.min(active, matches.length - 1)];
      if (item) insert(item);
      return true;
    }
    return false;
  };

  const optionId = (index: number) => `${listId}-option-${index}`;
  const activeIndex = Math.min(active, matches.length - 1);

  const popup = open ? (
    <div className="absolute inset-x-0 bottom-full z-20 mb-1 overflow-hidden rounded-lg border bg-popover text-popover-foreground shadow-md">
      <div id={listId} role="listbox" aria-label={options.label} className="max-h-64 overflow-y-auto p-1">
        {matches.map((item, index) => (
          // The textarea keeps the focus and handles the keys (aria-activedescendant points here).
          // biome-ignore lint/a11y/useKeyWithClickEvents: the textarea handles the keys (arrows, Enter, Tab)
          // biome-ignore lint/a11y/useFocusableInteractive: the textarea holds the focus (aria-activedescendant)
          <div
            key={options.key(item)}
            id={optionId(index)}
            role="option"
            aria-selected={index === activeIndex}
            // Keep the focus in the textarea, so typing goes on after a tap.
            onMouseDown={(event) => event.preventDefault()}
            onMouseEnter={() => setActive(index)}
            onClick={() => insert(item)}
            className={cn(
              "flex cursor-pointer items-start gap-2 rounded-md px-2 py-1.5 text-sm max-lg:py-2.5",
              index === activeIndex && "bg-accent text-accent-foreground",
            )}
          >
            {options.render(item)}
          </div>
        ))}
      </div>
      {matches.length === 0 && (
        <p className="px-3 py-2 text-xs text-muted-foreground" role="status">
          {options.status === "pending"
            ? "Loading…"
            : options.status === "error"
              ? "Could not load the list."
              : options.emptyText(token.query, items?.length ?? 0)}
        </p>
      )}
      <p className="border-t px-3 py-1 text-[11px] text-muted-foreground max-sm:hidden">{options.hint}</p>
    </div>
  ) : null;

  return {
    open,
    popup,
    textareaProps: {
      "aria-controls": open ? listId : undefined,
      "aria-activedescendant": open && matches.length > 0 ? optionId(activeIndex) : undefined,
    },
    onKeyDown,
  };
}
