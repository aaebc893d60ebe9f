"use client";

import type { ConversationDto, MessageDto } from "@tandem/contracts";
import { ArrowDown, Loader2, MessagesSquare, RotateCw } from "lucide-react";
import { useSearchParams } from "next/navigation";
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import { toast } from "sonner";
import { Virtualizer, type VirtualizerHandle } from "virtua";
import { EmptyState } from "@/components/empty-state";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import { errorMessage } from "@/lib/api";
import { flattenMessages } from "./cache";
import { MessageBubble } from "./message-bubble";
import { senderName, speakerNames } from "./people";
import { useInboxOptions, useMessages, useRetryMessage } from "./queries";

/** Older messages are fetched when the top is this close (pixels). */
const LOAD_OLDER_AT = 400;
/** "At the bottom" tolerates sub-pixel scroll positions. */
const BOTTOM_SLACK = 24;
/** Pages of older messages fetched to reach a search result before giving up. */
const MAX_PAGES_TO_FIND = 20;

/**
 * The thread, virtualised (only the bubbles near the viewport are in the DOM, so thousands of
 * messages scroll smoothly). It sticks to the bottom while the agent is there; scrolled up, new
 * messages wait behind a "new messages" button instead of moving the text being read. Loading
 * older messages keeps the visible bubble in place (`shift`).
 */
export function MessageList({ conversation }: { conversation: ConversationDto }) {
  const messages = useMessages(conversation.id);
  const options = useInboxOptions();
  const retry = useRetryMessage();
  const items = flattenMessages(messages.data);
  const speakers = speakerNames(items);

  const scrollRef = useRef<HTMLDivElement>(null);
  const ref = useRef<VirtualizerHandle>(null);
  const atBottom = useRef(true);
  const [unseen, setUnseen] = useState(0);

  // Prepending (older messages) must keep the scroll position from the end: detected from the first id.
  const firstId = items[0]?.id ?? null;
  const lastId = items[items.length - 1]?.id ?? null;
  const previous = useRef({ firstId, lastId, count: items.length });
  const shift =
    previous.current.firstId !== null && firstId !== previous.current.firstId && lastId === previous.current.lastId;
  useLayoutEffect(() => {
    previous.current = { firstId, lastId, count: items.length };
  });

  const countRef = useRef(items.length);
  countRef.current = items.length;
  const scrollToBottom = useCallback(() => {
    const last = countRef.current - 1;
    if (last >= 0) ref.current?.scrollToIndex(last, { align: "end" });
    atBottom.current = true;
    setUnseen(0);
  }, []);

  // A row that grows while the agent reads the newest messages (an image that has loaded) keeps the
  // newest message in view, as a new message would.
  const followGrowth = useCallback(
    (content: HTMLDivElement | null) => {
      if (!content) return;
      let height = content.offsetHeight;
      const observer = new ResizeObserver(() => {
        const grown = content.offsetHeight > height;
        height = content.offsetHeight;
        if (grown && atBottom.current) requestAnimationFrame(scrollToBottom);
      });
      observer.observe(content);
      return () => observer.disconnect();
    },
    [scrollToBottom],
  );

  const { hasNextPage, isFetchingNextPage, fetchNextPage } = messages;
  // The first page is in (the list is keyed by conversation): start at the newest message.
  const loaded = messages.isSuccess;
  useLayoutEffect(() => {
    if (loaded) requestAnimationFrame(scrollToBottom);
  }, [loaded, scrollToBottom]);

  // Opened from a search result (`?m=msg_…`): load older pages until the message is in, then show
  // it in the middle of the thread, marked for a moment.
  const focusId = useSearchParams().get("m");
  const [marked, setMarked] = useState<string | null>(null);
  const sought = useRef<{ id: string; pages: number } | null>(null);
  useEffect(() => {
    if (!loaded || !focusId) return;
    if (sought.current?.id !== focusId) sought.current = { id: focusId, pages: 0 };
    const seeking = sought.current;
    if (seeking.pages < 0) return;
    const index = items.findIndex((m) => m.id === focusId);
    if (index >= 0) {
      seeking.pages = -1;
      atBottom.current = false;
      // After the first page's scroll to the bottom.
      requestAnimationFrame(() => requestAnimationFrame(() => ref.current?.scrollToIndex(index, { align: "center" })));
      setMarked(focusId);
      const timer = setTimeout(() => setMarked(null), 4000);
      return () => clearTimeout(timer);
    }
    if (hasNextPage && !isFetchingNextPage && seeking.pages < MAX_PAGES_TO_FIND) {
      seeking.pages += 1;
      void fetchNextPage();
    }
  }, [loaded, focusId, items, hasNextPage, isFetchingNextPage, fetchNextPage]);

  // A new newest message: follow it when at the bottom (or when it is the agent's own), else count
  // it; either way a screen reader hears what the customer or the bot wrote.
  const lastSeen = useRef(lastId);
  const [announcement, setAnnouncement] = useState("");
  useEffect(() => {
    if (lastId === lastSeen.current) return;
    const first = lastSeen.current === null;
    lastSeen.current = lastId;
    const last = items[items.length - 1];
    if (!last || first) return;
    if (atBottom.current || last.role === "AGENT") requestAnimationFrame(scrollToBottom);
    else setUnseen((n) => n + 1);
    if (last.role === "USER" || last.role === "BOT") {
      setAnnouncement(`${senderName(last, conversation, options.data?.members)}: ${last.text ?? "attachment"}`);
    }
  }, [lastId, items, scrollToBottom, conversation, options.data?.members]);

  const onScroll = (offset: number) => {
    const handle = ref.current;
    if (!handle) return;
    atBottom.current = offset + handle.viewportSize >= handle.scrollSize - BOTTOM_SLACK;
    if (atBottom.current && unseen > 0) setUnseen(0);
    if (offset < LOAD_OLDER_AT && hasNextPage && !isFetchingNextPage) void fetchNextPage();
  };

  const onRetry = useCallback(
    (messageId: string) =>
      retry.mutate(messageId, {
        onError: (error) => toast.error("Could not retry the message", { description: errorMessage(error) }),
      }),
    [retry.mutate],
  );

  if (messages.isPending) {
    return (
      <div className="flex min-h-0 flex-1 flex-col justify-end gap-3 p-5" role="status" aria-label="Loading messages">
        <Skeleton className="h-10 w-56 rounded-2xl" />
        <Skeleton className="h-14 w-72 self-end rounded-2xl" />
        <Skeleton className="h-10 w-64 rounded-2xl" />
      </div>
    );
  }
  if (messages.isError && items.length === 0) {
    return (
      <EmptyState
        icon={RotateCw}
        title="Could not load the messages"
        description={errorMessage(messages.error)}
        action={
          <Button variant="outline" size="sm" onClick={() => messages.refetch()}>
            Try again
          </Button>
        }
        className="flex-1"
      />
    );
  }
  if (items.length === 0) {
    return (
      <EmptyState
        icon={MessagesSquare}
        title="No messages yet"
        description="Messages appear here as soon as the customer writes."
        className="flex-1"
      />
    );
  }

  const members = options.data?.members;
  const retryingId = retry.isPending ? retry.variables : null;
  return (
    <div className="relative flex min-h-0 flex-1 flex-col">
      {isFetchingNextPage && (
        <div
          role="status"
          className="absolute top-2 left-1/2 z-10 flex -translate-x-1/2 items-center gap-1.5 rounded-full border bg-background px-3 py-1 text-xs text-muted-foreground shadow-sm"
        >
          <Loader2 className="size-3 animate-spin" aria-hidden="true" />
          Loading older messages…
        </div>
      )}
      <div
        ref={scrollRef}
        role="log"
        aria-label={`Messages with ${conversation.contact?.name ?? "the customer"}`}
        aria-live="off"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: the thread scrolls with the keyboard too
        tabIndex={0}
        className="min-h-0 flex-1 overflow-y-auto overscroll-contain outline-none [overflow-anchor:none] focus-visible:ring-[3px] focus-visible:ring-ring/50 focus-visible:ring-inset"
      >
        <div ref={followGrowth} className="flex min-h-full flex-col justify-end pb-4">
          <Virtualizer ref={ref} scrollRef={scrollRef} shift={shift} onScroll={onScroll} data={items} bufferSize={600}>
            {(message: MessageDto, index: number) => {
              const above = items[index - 1];
              const sender = senderName(message, conversation, members, speakers);
              const grouped =
                !!above &&
                above.role === message.role &&
                above.sender?.contactId === message.sender?.contactId &&
                above.kind === message.kind &&
                above.authorMemberId === message.authorMemberId &&
                Date.parse(message.createdAt) - Date.parse(above.createdAt) < 5 * 60_000;
              const bubble = (
                <MessageBubble
                  key={message.id}
                  message={message}
                  sender={sender}
                  grouped={grouped}
                  onRetry={onRetry}
                  retrying={retryingId === message.id}
                />
              );
              if (message.id === marked) {
                return (
                  <div
                    key={message.id}
                    data-search-hit
                    className="bg-yellow-100/70 transition-colors dark:bg-yellow-500/15"
                  >
                    {bubble}
                  </div>
                );
              }
              if (index > 0 || hasNextPage) return bubble;
              return (
                <div key={message.id}>
                  <p className="px-5 pt-4 text-center text-xs text-muted-foreground">Start of the conversation</p>
                  {bubble}
                </div>
              );
            }}
          </Virtualizer>
        </div>
      </div>
      <p className="sr-only" aria-live="polite">
        {announcement}
      </p>
      {unseen > 0 && (
        <Button
          size="sm"
          className="absolute bottom-3 left-1/2 -translate-x-1/2 rounded-full shadow-md"
          onClick={scrollToBottom}
        >
          <ArrowDown aria-hidden="true" />
          {unseen === 1 ? "1 new message" : `${unseen} new messages`}
        </Button>
      )}
    </div>
  );
}
