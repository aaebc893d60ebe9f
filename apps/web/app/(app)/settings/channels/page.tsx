import type { Metadata } from "next";
import { Suspense } from "react";
import { Skeleton } from "@/components/ui/skeleton";
import { ChannelsPage } from "@/features/settings/channels/channels-page";

export const metadata: Metadata = { title: "Channels" };

export default function Page() {
  // ChannelsPage reads `?oauth=` / `?oauthError=` with useSearchParams, which needs a Suspense boundary to prerender.
  return (
    <Suspense fallback={<ChannelsFallback />}>
      <ChannelsPage />
    </Suspense>
  );
}

function ChannelsFallback() {
  return (
    <div className="flex flex-col gap-4" role="status" aria-label="Loading">
      <Skeleton className="h-7 w-40" />
      <Skeleton className="h-4 w-96" />
      <Skeleton className="mt-4 h-36 w-full" />
    </div>
  );
}
