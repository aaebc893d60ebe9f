import type { Metadata } from "next";
import { Suspense } from "react";
import { Skeleton } from "@/components/ui/skeleton";
import { IntegrationsPage } from "@/features/settings/integrations/integrations-page";

export const metadata: Metadata = { title: "Integrations" };

export default function Page() {
  // IntegrationsPage reads the OAuth install's `?shopify=` / `?shopifyError=` with useSearchParams.
  return (
    <Suspense
      fallback={
        <div className="flex flex-col gap-4" role="status" aria-label="Loading">
          <Skeleton className="h-7 w-40" />
          <Skeleton className="mt-4 h-36 w-full" />
        </div>
      }
    >
      <IntegrationsPage />
    </Suspense>
  );
}
