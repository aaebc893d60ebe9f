import type { Metadata } from "next";
import { CannedResponsesPage } from "@/features/settings/canned-responses/canned-responses-page";

export const metadata: Metadata = { title: "Canned responses" };

export default function Page() {
  return <CannedResponsesPage />;
}
