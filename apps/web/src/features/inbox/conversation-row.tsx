import type { ConversationDto } from "@tandem/contracts";
import { Bot, Check, Hand, UserRound } from "lucide-react";
import { memo } from "react";
import { formatDateTime, formatRelative } from "@/lib/format";
import { cn } from "@/lib/utils";
import { CHANNEL_TYPE_LABELS } from "./channel-mark";
import { ContactAvatar } from "./contact-avatar";
import { contactName, memberName, previewOf } from "./people";
import { useInboxOptions } from "./queries";

/** Every row has the same height, so the virtual list never jumps as rows render. */
export const ROW_HEIGHT = 84;

export const ConversationRow = memo(function ConversationRow({
  conversation,
  selected,
  checked,
  active,
  now,
  onSelect,
}: {
  conversation: ConversationDto;
  /** The open conversation. */
  selected: boolean;
  /** In selection mode, whether the row is checked; undefined outside it. */
  checked?: boolean | undefined;
  /** The keyboard cursor is on this row. */
  active: boolean;
  now: number;
  onSelect: (id: string) => void;
}) {
  const unread = conversation.unreadCount;
  const name = contactName(conversation);
  const options = useInboxOptions();
  const assignee = conversation.assigneeId
    ? (options.data?.members.find((m) => m.id === conversation.assigneeId) ?? null)
    : null;
  const assigneeName = assignee ? memberName(assignee) : conversation.assigneeId ? "a former member" : null;
  return (
    // The listbox keeps the focus and handles the keys (aria-activedescendant points at the active
    // row), so a row is not focusable itself; a click opens it.
    // biome-ignore lint/a11y/useKeyWithClickEvents: the listbox handles the keys (arrows, Enter, Space)
    // biome-ignore lint/a11y/useFocusableInteractive: the listbox holds the focus (aria-activedescendant)
    <div
      id={conversationRowId(conversation.id)}
      role="option"
      aria-selected={checked ?? selected}
      aria-label={rowLabel(conversation, now, assigneeName)}
      data-conversation-id={conversation.id}
      data-active={active || undefined}
      onClick={() => onSelect(conversation.id)}
      style={{ height: ROW_HEIGHT }}
      className={cn(
        "relative flex cursor-pointer gap-3 border-b px-3 py-3 transition-colors hover:bg-accent/60",
        selected && "bg-primary/5 before:absolute before:inset-y-0 before:left-0 before:w-0.5 before:bg-primary",
        // The keyboard cursor, while the list has the focus.
        active && "group-focus-visible:ring-2 group-focus-visible:ring-ring/60 group-focus-visible:ring-inset",
      )}
    >
      {checked !== undefined && (
        <span
          aria-hidden="true"
          data-testid="row-check"
          className={cn(
            "mt-2.5 grid size-4 shrink-0 place-items-center rounded border",
            checked ? "border-primary bg-primary text-primary-foreground" : "border-input bg-background",
          )}
        >
          {checked && <Check className="size-3" />}
        </span>
      )}
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
            {conversation.match ? <MatchSnippet match={conversation.match} /> : previewOf(conversation)}
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
          <HandlerBadge conversation={conversation} now={now} />
          {/* The tags give way first (down to nothing) when the badge and the assignee need the room. */}
          <span className="flex min-w-0 gap-1.5 overflow-hidden">
            {conversation.tags.slice(0, 2).map((tag) => (
              <span key={tag} className="truncate rounded bg-muted px-1.5 text-[11px] text-muted-foreground">
                {tag}
              </span>
            ))}
          </span>
          {assigneeName && (
            <span
              className="ml-auto grid size-5 shrink-0 place-items-center rounded-full bg-secondary text-[9px] font-semibold text-secondary-foreground uppercase"
              title={`Assigned to ${assigneeName}`}
              data-testid="assignee-avatar"
              aria-hidden="true"
            >
              {initials(assigneeName)}
            </span>
          )}
        </div>
      </div>
    </div>
  );
});

export const conversationRowId = (id: string) => `conversation-row-${id}`;

/** A search result's matching message, the searched words marked. */
function MatchSnippet({ match }: { match: NonNullable<ConversationDto["match"]> }) {
  const parts: React.ReactNode[] = [];
  let at = 0;
  for (const [start, end] of match.highlights) {
    if (start > at) parts.push(match.snippet.slice(at, start));
    parts.push(
      <mark key={start} className="rounded-sm bg-yellow-200 px-0.5 text-foreground dark:bg-yellow-500/40">
        {match.snippet.slice(start, end)}
      </mark>,
    );
    at = end;
  }
  parts.push(match.snippet.slice(at));
  return <span data-testid="search-match">{parts}</span>;
}

type Handler = "bot" | "human" | "needsHuman";

/** Who answers this conversation now: the bot, a person, or a person is needed. */
function handlerOf(conversation: Pick<ConversationDto, "autoBot" | "needsHuman">): Handler {
  if (conversation.needsHuman && !conversation.autoBot) return "needsHuman";
  return conversation.autoBot ? "bot" : "human";
}

const HANDLER_LABELS: Record<Handler, string> = {
  bot: "bot answers",
  human: "human answers",
  needsHuman: "needs a human",
};

/** "Adam Admin" → "AA", "sam@x.io" → "S". */
function initials(name: string): string {
  const words = name.split(/[\s@.]+/).filter(Boolean);
  if (name.includes("@")) return (words[0]?.[0] ?? "?").toUpperCase();
  return words
    .slice(0, 2)
    .map((w) => [...w][0])
    .join("")
    .toUpperCase();
}

/** What a screen reader says for a row: everything the row shows but the tags. */
function rowLabel(conversation: ConversationDto, now: number, assigneeName: string | null): string {
  const unread = conversation.unreadCount;
  return [
    contactName(conversation),
    conversation.channel && CHANNEL_TYPE_LABELS[conversation.channel.type],
    unread > 0 && `${unread} unread`,
    HANDLER_LABELS[handlerOf(conversation)],
    assigneeName && `assigned to ${assigneeName}`,
    handlerOf(conversation) === "needsHuman" &&
      conversation.handoffAt &&
      `waiting ${waited(conversation.handoffAt, now)}`,
    conversation.match
      ? `matching message: ${conversation.match.snippet}`
      : `${formatRelative(conversation.lastMessageAt, now)}: ${previewOf(conversation)}`,
  ]
    .filter(Boolean)
    .join(", ");
}

/** How long a customer has waited for a person: "4 min", "2 h 5 min", "3 d". */
export function waited(since: string, now: number): string {
  const minutes = Math.max(0, Math.floor((now - new Date(since).getTime()) / 60_000));
  if (minutes < 1) return "under a minute";
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  return `${Math.floor(hours / 24)} d`;
}

export function HandlerBadge({
  conversation,
  now,
}: {
  conversation: Pick<ConversationDto, "autoBot" | "needsHuman" | "handoffAt">;
  /** With it, a conversation waiting for a person shows for how long. */
  now?: number;
}) {
  const handler = handlerOf(conversation);
  if (handler === "needsHuman") {
    const since = conversation.handoffAt;
    return (
      <span
        className="inline-flex shrink-0 items-center gap-1 rounded bg-destructive/10 px-1.5 text-[11px] font-medium text-destructive"
        title={since ? `Waiting for a person since ${formatDateTime(since)}` : undefined}
        data-testid="needs-human"
      >
        <Hand className="size-3" aria-hidden="true" />
        Needs human
        {since && now !== undefined && <span className="font-normal tabular-nums">· {waited(since, now)}</span>}
      </span>
    );
  }
  return handler === "bot" ? (
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
