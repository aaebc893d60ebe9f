import type { Metadata } from "next";
import { Suspense } from "react";
import { InboxView } from "@/features/inbox/inbox-view";

export const metadata: Metadata = { title: "Inbox" };

export default function DashboardPage() {
  // The open conversation is a search parameter, read on the client.
  return (
    <Suspense>
      <InboxView />
    </Suspense>
  );
}
