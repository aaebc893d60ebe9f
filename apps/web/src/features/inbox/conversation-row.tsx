import type { ConversationDto } from "@tandem/contracts";
import { Bot, Hand, UserRound } from "lucide-react";
import { memo } from "react";
import { formatDateTime, formatRelative } from "@/lib/format";
import { cn } from "@/lib/utils";
import { ContactAvatar } from "./contact-avatar";
import { contactName, previewOf } from "./people";

/** Every row has the same height, so the virtual list never jumps as rows render. */
export const ROW_HEIGHT = 84;

export const ConversationRow = memo(function ConversationRow({
  conversation,
  selected,
  now,
  onSelect,
}: {
  conversation: ConversationDto;
  selected: boolean;
  now: number;
  onSelect: (id: string) => void;
}) {
  const unread = conversation.unreadCount;
  const name = contactName(conversation);
  return (
    // The listbox holds the focus and handles the keys (aria-activedescendant); a row is clicked.
    // biome-ignore lint/a11y/useKeyWithClickEvents: keyboard selection is the listbox's (arrow keys)
    <div
      id={`conversation-row-${conversation.id}`}
      role="option"
      tabIndex={-1}
      aria-selected={selected}
      aria-label={`${name}${unread > 0 ? `, ${unread} unread` : ""}`}
      data-conversation-id={conversation.id}
      onClick={() => onSelect(conversation.id)}
      style={{ height: ROW_HEIGHT }}
      className={cn(
        "relative flex cursor-pointer gap-3 border-b px-3 py-3 transition-colors hover:bg-accent/60",
        selected && "bg-primary/5 before:absolute before:inset-y-0 before:left-0 before:w-0.5 before:bg-primary",
        // The row the arrow keys act on, while the list has the keyboard focus.
        selected && "group-focus-visible:ring-2 group-focus-visible:ring-ring/60 group-focus-visible:ring-inset",
      )}
    >
      <ContactAvatar conversation={conversation} now={now} />
      <div className="flex min-w-0 flex-1 flex-col gap-1">
        <div className="flex items-baseline justify-between gap-2">
          <span className={cn("truncate text-sm", unread > 0 ? "font-semibold" : "font-medium")}>{name}</span>
          <time
            dateTime={conversation.lastMessageAt}
            title={formatDateTime(conversation.lastMessageAt)}
            className="shrink-0 text-xs text-muted-foreground tabular-nums"
          >
            {formatRelative(conversation.lastMessageAt, now)}
          </time>
        </div>
        <div className="flex items-center justify-between gap-2">
          <span
            className={cn("truncate text-xs", unread > 0 ? "text-foreground" : "text-muted-foreground")}
            data-testid="conversation-preview"
          >
            {previewOf(conversation)}
          </span>
          {unread > 0 && (
            <span
              className="grid h-5 min-w-5 shrink-0 place-items-center rounded-full bg-primary px-1.5 text-[11px] font-semibold text-primary-foreground tabular-nums"
              aria-hidden="true"
            >
              {unread > 99 ? "99+" : unread}
            </span>
          )}
        </div>
        <div className="flex items-center gap-1.5 overflow-hidden">
          <HandlerBadge conversation={conversation} />
          {conversation.tags.slice(0, 2).map((tag) => (
            <span key={tag} className="truncate rounded bg-muted px-1.5 text-[11px] text-muted-foreground">
              {tag}
            </span>
          ))}
        </div>
      </div>
    </div>
  );
});

/** Who answers this conversation now: the bot, a person, or a person is needed. */
export function HandlerBadge({ conversation }: { conversation: Pick<ConversationDto, "autoBot" | "needsHuman"> }) {
  if (conversation.needsHuman && !conversation.autoBot) {
    return (
      <span className="inline-flex shrink-0 items-center gap-1 rounded bg-destructive/10 px-1.5 text-[11px] font-medium text-destructive">
        <Hand className="size-3" aria-hidden="true" />
        Needs human
      </span>
    );
  }
  return conversation.autoBot ? (
    <span className="inline-flex shrink-0 items-center gap-1 rounded bg-primary/10 px-1.5 text-[11px] font-medium text-primary">
      <Bot className="size-3" aria-hidden="true" />
      Bot
    </span>
  ) : (
    <span className="inline-flex shrink-0 items-center gap-1 rounded bg-muted px-1.5 text-[11px] font-medium text-muted-foreground">
      <UserRound className="size-3" aria-hidden="true" />
      Human
    </span>
  );
}
