"use client";

import type { ConversationDto, ConversationStatus } from "@tandem/contracts";
import { Archive, CheckSquare, Clock, Filter, Inbox, type LucideIcon, RotateCw, Search, SearchX } from "lucide-react";
import { type FocusEvent, type KeyboardEvent, useCallback, useEffect, useId, useRef, useState } from "react";
import { VList, type VListHandle } from "virtua";
import { EmptyState } from "@/components/empty-state";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Skeleton } from "@/components/ui/skeleton";
import { useCurrentUser } from "@/features/auth/queries";
import { errorMessage } from "@/lib/api";
import { cn } from "@/lib/utils";
import { BulkActions } from "./bulk-actions";
import { flattenConversations } from "./cache";
import { ConversationFilters } from "./conversation-filters";
import { ConversationRow, conversationRowId, ROW_HEIGHT } from "./conversation-row";
import { countRefinements, DEFAULT_FILTERS, type InboxFilters } from "./filters";
import { PresenceStack } from "./presence";
import { useConversationCounts, useConversationList, useInboxOptions } from "./queries";
import type { RealtimeStatus } from "./realtime";
import { useNow } from "./use-now";

const STATUSES: {
  value: ConversationStatus;
  label: string;
  empty: { icon: LucideIcon; title: string; text: string };
}[] = [
  {
    value: "OPEN",
    label: "Open",
    empty: { icon: Inbox, title: "No open conversations", text: "New messages from your channels appear here." },
  },
  {
    value: "SNOOZED",
    label: "Snoozed",
    empty: {
      icon: Clock,
      title: "Nothing snoozed",
      text: "Snoozed conversations wait here and return to Open when they wake up.",
    },
  },
  {
    value: "CLOSED",
    label: "Closed",
    empty: { icon: Archive, title: "No closed conversations", text: "Closed conversations are kept here." },
  },
];

/** How close to the end of the loaded rows the next page is fetched. */
const PREFETCH_ROWS = 8;

interface ConversationListPaneProps {
  className?: string;
  filters: InboxFilters;
  onFiltersChange: (filters: InboxFilters) => void;
  selectedId: string | null;
  onSelect: (id: string, messageId?: string) => void;
  /** Closes the open thread (a bulk "mark unread" that includes it: an open thread reads itself). */
  onCloseThread: () => void;
  realtime: RealtimeStatus;
}

export function ConversationListPane({
  className,
  filters,
  onFiltersChange,
  selectedId,
  onSelect,
  onCloseThread,
  realtime,
}: ConversationListPaneProps) {
  const searchId = useId();
  const me = useCurrentUser();
  const options = useInboxOptions();
  const myMemberId = options.data?.members.find((m) => m.userId === me.user.id)?.id ?? null;
  const [filtersOpen, setFiltersOpen] = useState(countRefinements(filters, myMemberId) > 0);
  // Selection mode: clicking a row checks it, and the bulk actions act on the checked ones.
  const [selecting, setSelecting] = useState(false);
  const [search, setSearch] = useState(filters.search);
  const filtersRef = useRef(filters);
  filtersRef.current = filters;

  // The list follows the search box once typing pauses.
  useEffect(() => {
    if (search === filtersRef.current.search) return;
    const timer = setTimeout(() => onFiltersChange({ ...filtersRef.current, search }), 300);
    return () => clearTimeout(timer);
  }, [search, onFiltersChange]);

  const set = (patch: Partial<InboxFilters>) => onFiltersChange({ ...filters, ...patch });
  const refinements = countRefinements(filters, myMemberId);

  return (
    <section
      aria-labelledby="inbox-heading"
      className={cn(
        "flex min-w-0 shrink-0 flex-col bg-background max-lg:flex-1 lg:w-72 lg:border-r 2xl:w-80",
        className,
      )}
    >
      <header className="flex h-14 shrink-0 items-center justify-between gap-2 border-b px-4">
        <div className="flex items-center gap-2">
          <h1 id="inbox-heading" className="text-base font-semibold tracking-tight">
            Inbox
          </h1>
          <LiveBadge status={realtime} />
        </div>
        <PresenceStack />
      </header>

      <div className="flex shrink-0 flex-col gap-2.5 border-b p-3">
        <search className="relative">
          <label htmlFor={searchId} className="sr-only">
            Search conversations
          </label>
          <Search
            className="pointer-events-none absolute top-1/2 left-2.5 size-4 -translate-y-1/2 text-muted-foreground"
            aria-hidden="true"
          />
          <Input
            id={searchId}
            type="search"
            placeholder="Search names and messages"
            value={search}
            onChange={(event) => setSearch(event.target.value)}
            className="pl-8"
          />
        </search>

        <Views filters={filters} onChange={set} myMemberId={myMemberId} />

        <fieldset className="grid grid-cols-3 gap-1 rounded-lg bg-muted p-[3px]">
          <legend className="sr-only">Status</legend>
          {STATUSES.map((status) => (
            <button
              key={status.value}
              type="button"
              aria-pressed={filters.status === status.value}
              onClick={() => set({ status: status.value })}
              className={cn(
                "h-7 rounded-md text-sm font-medium text-muted-foreground outline-none transition-[color,box-shadow] max-lg:h-10",
                "hover:text-foreground focus-visible:ring-[3px] focus-visible:ring-ring/50",
                "aria-pressed:bg-background aria-pressed:text-foreground aria-pressed:shadow-sm",
              )}
            >
              {status.label}
            </button>
          ))}
        </fieldset>

        <div className="flex flex-wrap items-center gap-1.5">
          <Chip pressed={filters.unread} onClick={() => set({ unread: !filters.unread })}>
            Unread
          </Chip>
          <Chip pressed={filters.needsHuman} onClick={() => set({ needsHuman: !filters.needsHuman })}>
            Needs human
          </Chip>
          <Button
            variant="ghost"
            size="sm"
            className="ml-auto h-7 px-2 text-xs"
            aria-pressed={selecting}
            onClick={() => setSelecting((on) => !on)}
          >
            <CheckSquare aria-hidden="true" />
            Select
          </Button>
          <Button
            variant="ghost"
            size="sm"
            className="h-7 px-2 text-xs"
            aria-expanded={filtersOpen}
            aria-controls="inbox-more-filters"
            onClick={() => setFiltersOpen((open) => !open)}
          >
            <Filter aria-hidden="true" />
            {refinements > 0 ? `Filters (${refinements})` : "Filters"}
          </Button>
        </div>
        {filtersOpen && <ConversationFilters id="inbox-more-filters" filters={filters} onChange={set} />}
      </div>

      <ConversationList
        filters={filters}
        selectedId={selectedId}
        onSelect={onSelect}
        selecting={selecting}
        onStopSelecting={() => setSelecting(false)}
        onCloseThread={onCloseThread}
        onReset={() => {
          setSearch("");
          onFiltersChange({ ...DEFAULT_FILTERS, status: filters.status });
        }}
      />
    </section>
  );
}

/**
 * Mine / Unassigned / All, with how many conversations each holds for the status and filters chosen
 * (a search aside). They set the assignee filter; another member, picked under Filters, is none of them.
 */
function Views({
  filters,
  onChange,
  myMemberId,
}: {
  filters: InboxFilters;
  onChange: (patch: Partial<InboxFilters>) => void;
  myMemberId: string | null;
}) {
  const counts = useConversationCounts(filters);
  const views = [
    { key: "mine", label: "Mine", assignee: myMemberId, count: counts.data?.mine },
    { key: "unassigned", label: "Unassigned", assignee: "none", count: counts.data?.unassigned },
    { key: "all", label: "All", assignee: null, count: counts.data?.all },
  ] as const;
  return (
    <fieldset className="flex gap-1 border-b">
      <legend className="sr-only">View</legend>
      {views.map((view) => {
        const pressed = filters.assignee === view.assignee;
        return (
          <button
            key={view.key}
            type="button"
            aria-pressed={pressed}
            disabled={view.key === "mine" && !myMemberId}
            onClick={() => onChange({ assignee: view.assignee })}
            className={cn(
              "-mb-px flex h-8 items-center gap-1.5 border-b-2 border-transparent px-2 text-sm font-medium text-muted-foreground outline-none max-lg:h-10",
              "hover:text-foreground focus-visible:ring-[3px] focus-visible:ring-ring/50",
              "aria-pressed:border-primary aria-pressed:text-foreground",
            )}
          >
            {view.label}
            <span
              className="rounded-full bg-muted px-1.5 text-[11px] tabular-nums text-muted-foreground"
              data-testid={`view-count-${view.key}`}
            >
              {view.count ?? "–"}
            </span>
          </button>
        );
      })}
    </fieldset>
  );
}

function Chip({ pressed, onClick, children }: { pressed: boolean; onClick: () => void; children: string }) {
  return (
    <button
      type="button"
      aria-pressed={pressed}
      onClick={onClick}
      className={cn(
        "h-7 rounded-full border px-2.5 text-xs font-medium max-lg:h-10 max-lg:px-3.5 text-muted-foreground outline-none transition-[color,background-color,box-shadow]",
        "hover:bg-accent hover:text-foreground focus-visible:ring-[3px] focus-visible:ring-ring/50",
        "aria-pressed:border-primary/30 aria-pressed:bg-primary/10 aria-pressed:text-primary",
      )}
    >
      {children}
    </button>
  );
}

function LiveBadge({ status }: { status: RealtimeStatus }) {
  const live = status === "live";
  return (
    <span
      role="status"
      className={cn(
        "inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-medium",
        live ? "bg-success/10 text-success" : "bg-warning/10 text-warning",
      )}
      title={
        live
          ? "Updates arrive as they happen"
          : status === "refused"
            ? "The server refused the live connection: reload to see new messages"
            : "Reconnecting; the inbox catches up once the connection is back"
      }
    >
      <span aria-hidden="true" className={cn("size-1.5 rounded-full", live ? "bg-success" : "bg-warning")} />
      {live ? "Live" : status === "connecting" ? "Connecting…" : status === "refused" ? "Not live" : "Reconnecting…"}
    </span>
  );
}

function ConversationList({
  filters,
  selectedId,
  onSelect,
  onReset,
  selecting,
  onStopSelecting,
  onCloseThread,
}: {
  filters: InboxFilters;
  selectedId: string | null;
  onSelect: (id: string, messageId?: string) => void;
  onReset: () => void;
  selecting: boolean;
  onStopSelecting: () => void;
  onCloseThread: () => void;
}) {
  const list = useConversationList(filters);
  const rows = flattenConversations(list.data);
  // The checked rows of selection mode, forgotten when it ends or the list changes.
  const [checked, setChecked] = useState<ReadonlySet<string>>(new Set());
  const filtersKey = JSON.stringify(filters);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new list (filters) or leaving selection mode clears the checks
  useEffect(() => setChecked(new Set()), [selecting, filtersKey]);
  const toggle = useCallback(
    (id: string) =>
      setChecked((prev) => {
        const next = new Set(prev);
        if (!next.delete(id)) next.add(id);
        return next;
      }),
    [],
  );
  const checkedIds = rows.filter((c) => checked.has(c.id)).map((c) => c.id);
  const ref = useRef<VListHandle>(null);
  const now = useNow(30_000);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = list;

  const loadMoreIfNear = () => {
    const handle = ref.current;
    if (!handle || !hasNextPage || isFetchingNextPage) return;
    const lastVisible = handle.findItemIndex(handle.scrollOffset + handle.viewportSize);
    if (lastVisible >= rows.length - PREFETCH_ROWS) void fetchNextPage();
  };

  // The keyboard cursor: arrows move it without opening anything (skimming leaves unread counts alone
  // and fetches nothing); Enter or Space opens its row. Without one, it stands on the open row.
  const [cursorId, setCursorId] = useState<string | null>(null);
  const selectedIndex = rows.findIndex((c) => c.id === selectedId);
  const cursorIndex = rows.findIndex((c) => c.id === cursorId);
  const activeIndex = cursorIndex >= 0 ? cursorIndex : selectedIndex;
  const active = rows[activeIndex];

  // A search result opens at its matching message.
  const matchOf = useRef(new Map<string, string>());
  matchOf.current = new Map(rows.flatMap((c) => (c.match ? [[c.id, c.match.messageId] as const] : [])));
  const open = useCallback(
    (id: string) => {
      setCursorId(id);
      if (selecting) toggle(id);
      else onSelect(id, matchOf.current.get(id));
    },
    [onSelect, selecting, toggle],
  );
  const move = (index: number) => {
    const clamped = Math.max(0, Math.min(rows.length - 1, index));
    const target = rows[clamped];
    if (!target) return;
    setCursorId(target.id);
    ref.current?.scrollToIndex(clamped, { align: "nearest" });
  };
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const keys: Record<string, () => void> = {
      ArrowDown: () => move(activeIndex + 1),
      ArrowUp: () => move(activeIndex < 0 ? 0 : activeIndex - 1),
      Home: () => move(0),
      End: () => move(rows.length - 1),
      // On the row that is open already, Enter moves on to the composer.
      Enter: () => {
        if (!active) return;
        if (!selecting && active.id === selectedId) document.getElementById("composer")?.focus();
        else open(active.id);
      },
      " ": () => {
        if (active && (selecting || active.id !== selectedId)) open(active.id);
      },
    };
    const action = keys[event.key];
    if (!action || event.altKey || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    action();
  };
  // A listbox that gets the focus with no option active puts the cursor on its first option.
  const onFocus = (event: FocusEvent<HTMLDivElement>) => {
    if (event.target === event.currentTarget && !active && rows[0]) setCursorId(rows[0].id);
  };

  if (list.isPending) {
    return (
      <div className="flex flex-col" role="status" aria-label="Loading conversations">
        {[0, 1, 2, 3, 4].map((i) => (
          <div key={i} className="flex gap-3 border-b px-3 py-3" style={{ height: ROW_HEIGHT }}>
            <Skeleton className="size-10 rounded-full" />
            <div className="flex flex-1 flex-col gap-2">
              <Skeleton className="h-4 w-32" />
              <Skeleton className="h-3 w-48" />
            </div>
          </div>
        ))}
      </div>
    );
  }

  if (list.isError && rows.length === 0) {
    return (
      <EmptyState
        icon={RotateCw}
        title="Could not load conversations"
        description={errorMessage(list.error)}
        action={
          <Button variant="outline" size="sm" onClick={() => list.refetch()}>
            Try again
          </Button>
        }
        className="flex-1"
      />
    );
  }

  if (rows.length === 0) {
    const status = STATUSES.find((s) => s.value === filters.status) ?? STATUSES[0]!;
    const narrowed =
      Boolean(filters.search.trim()) ||
      filters.unread ||
      filters.needsHuman ||
      Boolean(filters.assignee) ||
      countRefinements(filters);
    return narrowed ? (
      <EmptyState
        icon={SearchX}
        title="No matching conversations"
        description={
          filters.search.trim()
            ? `Nothing in ${status.label.toLowerCase()} matches “${filters.search.trim()}” with these filters.`
            : `No ${status.label.toLowerCase()} conversation matches these filters.`
        }
        action={
          <Button variant="outline" size="sm" onClick={onReset}>
            Clear filters
          </Button>
        }
        className="flex-1"
      />
    ) : (
      <EmptyState
        icon={status.empty.icon}
        title={status.empty.title}
        description={status.empty.text}
        className="flex-1"
      />
    );
  }

  return (
    <>
      {selecting && (
        <BulkActions
          selected={checkedIds}
          status={filters.status}
          allSelected={checkedIds.length === rows.length}
          onSelectAll={() => setChecked(new Set(rows.map((c) => c.id)))}
          onDone={onStopSelecting}
          // An open thread reads itself: marking it unread closes it first.
          onBeforeAction={(action) => {
            if (action === "markUnread" && selectedId && checked.has(selectedId)) onCloseThread();
          }}
        />
      )}
      <VList
        ref={ref}
        role="listbox"
        aria-label="Conversations"
        aria-multiselectable={selecting || undefined}
        // The active row is kept mounted however far the list scrolls, so this never points at a
        // row the virtual list has taken out of the DOM.
        aria-activedescendant={active ? conversationRowId(active.id) : undefined}
        keepMounted={activeIndex >= 0 ? [activeIndex] : undefined}
        tabIndex={0}
        onKeyDown={onKeyDown}
        onFocus={onFocus}
        onScroll={loadMoreIfNear}
        itemSize={ROW_HEIGHT}
        className="group min-h-0 flex-1 outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50 focus-visible:ring-inset"
        style={{ height: "auto" }}
      >
        {rows.map((conversation: ConversationDto) => (
          <ConversationRow
            key={conversation.id}
            conversation={conversation}
            selected={conversation.id === selectedId}
            checked={selecting ? checked.has(conversation.id) : undefined}
            active={conversation.id === active?.id}
            now={now}
            onSelect={open}
          />
        ))}
        {hasNextPage ? (
          <div className="flex h-12 items-center justify-center text-xs text-muted-foreground" aria-hidden="true">
            {isFetchingNextPage ? "Loading more…" : ""}
          </div>
        ) : (
          <p className="py-4 text-center text-xs text-muted-foreground" aria-hidden="true">
            {rows.length === 1 ? "1 conversation" : `${rows.length} conversations`}
          </p>
        )}
      </VList>
      {/* Outside the listbox, whose children are its options. */}
      {list.isFetchNextPageError ? (
        <ListError message="Couldn't load more conversations" onRetry={() => fetchNextPage()} />
      ) : list.isRefetchError ? (
        <ListError message="Couldn't refresh" onRetry={() => list.refetch()} />
      ) : null}
    </>
  );
}

/** A failed page or refresh while rows are shown: the rows stay, with a way to try again. */
function ListError({ message, onRetry }: { message: string; onRetry: () => void }) {
  return (
    <div className="flex shrink-0 items-center justify-between gap-2 border-t px-3 py-2 text-xs">
      <p role="alert" className="text-destructive">
        {message}
      </p>
      <Button variant="outline" size="sm" className="h-7 px-2 text-xs" onClick={onRetry}>
        <RotateCw aria-hidden="true" />
        Retry
      </Button>
    </div>
  );
}
