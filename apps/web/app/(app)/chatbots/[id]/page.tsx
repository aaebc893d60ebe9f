import type { Metadata } from "next";
import { Suspense } from "react";
import { ChatbotPage } from "@/features/chatbots/chatbot-page";

export const metadata: Metadata = { title: "Chatbot" };

export default function Page() {
  // ChatbotPage reads `?tab=` with useSearchParams, which needs a Suspense boundary to prerender.
  return (
    <Suspense>
      <ChatbotPage />
    </Suspense>
  );
}
