"use client";

import { useSearchParams } from "next/navigation";
import { useCallback, useMemo } from "react";
import { Toaster } from "sonner";
import { TooltipProvider } from "@/components/ui/tooltip";
import { useMentionAlerts } from "@/features/alerts/mentions";
import { useInboxAlerts, useUnreadTitle } from "@/features/alerts/use-inbox-alerts";
import { cn } from "@/lib/utils";
import { ContactPane } from "./contact-pane";
import { ConversationListPane } from "./conversation-list-pane";
import { filtersFromParams, type InboxFilters, writeFiltersToParams } from "./filters";
import { useInboxRealtime } from "./realtime";
import { ThreadPane } from "./thread-pane";

/** What the inbox keeps in its history entries: the address it was opened from. */
interface InboxHistoryState {
  inboxFrom?: string;
}

const currentAddress = () => `${window.location.pathname}${window.location.search}`;

function addressWith(update: (params: URLSearchParams) => void): string {
  const params = new URLSearchParams(window.location.search);
  update(params);
  const query = params.toString();
  return `${window.location.pathname}${query ? `?${query}` : ""}`;
}

/**
 * Changes the query string without a server round trip; Next.js's `useSearchParams` follows
 * `history.pushState` / `replaceState`. It starts from the address bar, not from the last render, so
 * two changes in quick succession both land. `push` makes a history entry (opening a conversation,
 * so the browser's Back returns to the previous one); `replace` does not (filters, search).
 */
function navigate(update: (params: URLSearchParams) => void, mode: "push" | "replace") {
  const address = addressWith(update);
  if (mode === "push") {
    if (address === currentAddress()) return;
    const state: InboxHistoryState = { inboxFrom: currentAddress() };
    window.history.pushState(state, "", address);
  } else {
    const state: InboxHistoryState = { inboxFrom: (window.history.state as InboxHistoryState | null)?.inboxFrom };
    window.history.replaceState(state, "", address);
  }
}

/**
 * The back button of the one-pane layout: up from the contact to the thread, from the thread to the
 * list. When that is where this entry came from, it is the browser's Back; otherwise (a shared link,
 * a reload) the address is replaced, so Back and the button never disagree about what comes next.
 */
function goUp(update: (params: URLSearchParams) => void) {
  if ((window.history.state as InboxHistoryState | null)?.inboxFrom === addressWith(update)) window.history.back();
  else navigate(update, "replace");
}

/** Which pane a phone shows: the contact (`pane=contact`), else the thread when one is open, else the list. */
type InboxPane = "list" | "thread" | "contact";

/**
 * The inbox: conversation list, thread, contact panel. The open conversation (`c`), the pane a phone
 * shows (`pane`) and the list's filters are in the URL (`/dashboard?status=snoozed&unread=1&c=conv_…`),
 * so a reload or a shared link shows the same thing again. One socket feeds all three panes through
 * the query cache.
 */
export function InboxView() {
  const params = useSearchParams();
  const selectedId = params.get("c");
  const filters = useMemo(() => filtersFromParams(params), [params]);
  const pane: InboxPane = selectedId ? (params.get("pane") === "contact" ? "contact" : "thread") : "list";

  // `messageId`: a search result's message, which the thread scrolls to (`m`).
  const select = useCallback(
    (id: string, messageId?: string) =>
      navigate((next) => {
        next.set("c", id);
        next.delete("pane");
        if (messageId) next.set("m", messageId);
        else next.delete("m");
      }, "push"),
    [],
  );
  const setFilters = useCallback(
    (next: InboxFilters) => navigate((query) => writeFiltersToParams(next, query), "replace"),
    [],
  );
  const showContact = useCallback(() => navigate((next) => next.set("pane", "contact"), "push"), []);
  const backToList = useCallback(
    () =>
      goUp((next) => {
        next.delete("c");
        next.delete("pane");
        next.delete("m");
      }),
    [],
  );
  const backToThread = useCallback(() => goUp((next) => next.delete("pane")), []);
  const alerts = useInboxAlerts(selectedId, select);
  const realtime = useInboxRealtime(selectedId, alerts);
  useUnreadTitle();
  useMentionAlerts(selectedId, select);

  return (
    <TooltipProvider delayDuration={300}>
      {/* Three panes from 1,280 px; list + thread (or contact) from 1,024 px; one pane at a time below. */}
      <div className="flex min-h-0 flex-1">
        <ConversationListPane
          className={cn(pane !== "list" && "max-lg:hidden")}
          filters={filters}
          onFiltersChange={setFilters}
          selectedId={selectedId}
          onSelect={select}
          onCloseThread={backToList}
          realtime={realtime}
        />
        <ThreadPane
          className={cn(pane === "list" && "max-lg:hidden", pane === "contact" && "max-xl:hidden")}
          conversationId={selectedId}
          onBack={backToList}
          onShowContact={showContact}
        />
        <ContactPane
          className={cn(pane !== "contact" && "max-xl:hidden")}
          conversationId={selectedId}
          onBack={backToThread}
        />
      </div>
      {/* At the top: a toast never covers the composer or its Send button, on any screen. */}
      <Toaster position="top-right" richColors closeButton />
    </TooltipProvider>
  );
}
