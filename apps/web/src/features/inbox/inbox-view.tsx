"use client";

import { useSearchParams } from "next/navigation";
import { useCallback, useMemo } from "react";
import { Toaster } from "sonner";
import { TooltipProvider } from "@/components/ui/tooltip";
import { ContactPane } from "./contact-pane";
import { ConversationListPane } from "./conversation-list-pane";
import { filtersFromParams, type InboxFilters, writeFiltersToParams } from "./filters";
import { useInboxRealtime } from "./realtime";
import { ThreadPane } from "./thread-pane";

/**
 * Rewrites the query string in place (no navigation, no history entry); Next.js's `useSearchParams`
 * follows `history.replaceState`. It starts from the address bar, not from the last render, so two
 * changes in quick succession both land.
 */
function replaceSearchParams(update: (params: URLSearchParams) => void) {
  const params = new URLSearchParams(window.location.search);
  update(params);
  const query = params.toString();
  window.history.replaceState(null, "", `${window.location.pathname}${query ? `?${query}` : ""}`);
}

/**
 * The inbox: conversation list, thread, contact panel. The open conversation (`c`) and the list's
 * filters are in the URL (`/dashboard?status=snoozed&unread=1&c=conv_…`), so a reload or a shared
 * link shows the same thing again. One socket feeds all three panes through the query cache.
 */
export function InboxView() {
  const params = useSearchParams();
  const selectedId = params.get("c");
  const filters = useMemo(() => filtersFromParams(params), [params]);
  const realtime = useInboxRealtime(selectedId);

  const select = useCallback((id: string) => replaceSearchParams((next) => next.set("c", id)), []);
  const setFilters = useCallback(
    (next: InboxFilters) => replaceSearchParams((query) => writeFiltersToParams(next, query)),
    [],
  );

  return (
    <TooltipProvider delayDuration={300}>
      <div className="flex min-h-0 flex-1">
        <ConversationListPane
          filters={filters}
          onFiltersChange={setFilters}
          selectedId={selectedId}
          onSelect={select}
          realtime={realtime}
        />
        <ThreadPane conversationId={selectedId} />
        <ContactPane conversationId={selectedId} />
      </div>
      <Toaster position="bottom-right" richColors closeButton />
    </TooltipProvider>
  );
}
