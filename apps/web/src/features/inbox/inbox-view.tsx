"use client";

import { ContactPane } from "./contact-pane";
import { ConversationListPane } from "./conversation-list-pane";
import { ThreadPane } from "./thread-pane";

/**
 * The inbox frame: conversation list, thread, contact panel. The conversations API lands in a later
 * issue; until then every pane shows its empty state.
 */
export function InboxView() {
  return (
    <div className="flex min-h-0 flex-1">
      <ConversationListPane />
      <ThreadPane />
      <ContactPane />
    </div>
  );
}
