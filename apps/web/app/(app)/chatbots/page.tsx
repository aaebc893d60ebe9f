import type { Metadata } from "next";
import { ChatbotsListPage } from "@/features/chatbots/chatbots-list-page";

export const metadata: Metadata = { title: "Chatbots" };

export default function Page() {
  return <ChatbotsListPage />;
}
