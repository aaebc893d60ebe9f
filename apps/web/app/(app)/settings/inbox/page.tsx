import type { Metadata } from "next";
import { InboxSettingsPage } from "@/features/settings/inbox/inbox-settings-page";

export const metadata: Metadata = { title: "Inbox settings" };

export default function Page() {
  return <InboxSettingsPage />;
}
