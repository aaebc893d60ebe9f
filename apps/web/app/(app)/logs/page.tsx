import type { Metadata } from "next";
import { Suspense } from "react";
import { LogsPage } from "@/features/logs/logs-page";

export const metadata: Metadata = { title: "Message log" };

export default function Page() {
  return (
    <div className="flex-1 overflow-y-auto">
      <div className="mx-auto w-full max-w-7xl px-4 py-6 sm:px-8 sm:py-8">
        {/* LogsPage keeps its filters in the URL (useSearchParams), which needs a Suspense boundary to prerender. */}
        <Suspense>
          <LogsPage />
        </Suspense>
      </div>
    </div>
  );
}
