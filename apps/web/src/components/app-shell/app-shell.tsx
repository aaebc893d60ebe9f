"use client";

import { RotateCw } from "lucide-react";
import type { ReactNode } from "react";
import { EmptyState } from "@/components/empty-state";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import { useMe } from "@/features/auth/queries";
import { errorMessage, isApiError } from "@/lib/api";
import { AppUrlNotice } from "./app-url-notice";
import { MobileTopBar } from "./mobile-nav";
import { Sidebar } from "./sidebar";

/**
 * The authenticated frame. `/api/v1/me` is the authority on the session: a 401 makes the API client
 * send the browser to /login, so pages render only once `me` has loaded.
 */
export function AppShell({ children }: { children: ReactNode }) {
  const me = useMe();

  return (
    <div className="flex h-dvh overflow-hidden max-lg:flex-col">
      <a
        href="#main"
        className="sr-only z-50 rounded-md bg-background px-3 py-2 text-sm font-medium shadow focus:not-sr-only focus:fixed focus:top-3 focus:left-3"
      >
        Skip to content
      </a>
      <Sidebar me={me.data} />
      <MobileTopBar me={me.data} />
      <main id="main" tabIndex={-1} className="flex min-h-0 min-w-0 flex-1 flex-col overflow-hidden outline-none">
        {me.data ? (
          <>
            <AppUrlNotice />
            {children}
          </>
        ) : me.isError && !isApiError(me.error, 401) ? (
          <EmptyState
            icon={RotateCw}
            title="Could not load your workspace"
            description={errorMessage(me.error)}
            action={
              <Button variant="outline" onClick={() => me.refetch()}>
                Try again
              </Button>
            }
            className="flex-1"
          />
        ) : (
          <ContentSkeleton />
        )}
      </main>
    </div>
  );
}

function ContentSkeleton() {
  return (
    <div className="flex flex-1 flex-col gap-4 p-4 sm:p-8" role="status" aria-label="Loading">
      <Skeleton className="h-7 w-48" />
      <Skeleton className="h-4 w-80" />
      <Skeleton className="mt-4 h-64 w-full max-w-5xl" />
    </div>
  );
}
