"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useState } from "react";
import { Toaster } from "sonner";
import { TooltipProvider } from "@/components/ui/tooltip";
import { ContactPane } from "./contact-pane";
import { ConversationListPane } from "./conversation-list-pane";
import { DEFAULT_FILTERS, type InboxFilters } from "./filters";
import { useInboxRealtime } from "./realtime";
import { ThreadPane } from "./thread-pane";

/**
 * The inbox: conversation list, thread, contact panel. The open conversation is in the URL
 * (`/dashboard?c=conv_…`), so a reload or a shared link opens it again. One socket feeds all three
 * panes through the query cache.
 */
export function InboxView() {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const selectedId = params.get("c");
  const [filters, setFilters] = useState<InboxFilters>(DEFAULT_FILTERS);
  const realtime = useInboxRealtime(selectedId);

  const select = useCallback(
    (id: string) => {
      const next = new URLSearchParams(params.toString());
      next.set("c", id);
      router.replace(`${pathname}?${next}`, { scroll: false });
    },
    [params, pathname, router],
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
