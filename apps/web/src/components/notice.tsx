"use client";

import { CircleCheck, TriangleAlert, X } from "lucide-react";
import { useCallback, useEffect, useState } from "react";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { cn } from "@/lib/utils";

export interface NoticeValue {
  kind: "success" | "error";
  message: string;
}

/** A page-level status line for mutations that have no dialog of their own. Successes fade after 4 s. */
export function useNotice() {
  const [notice, setNotice] = useState<NoticeValue | null>(null);
  useEffect(() => {
    if (notice?.kind !== "success") return;
    const timer = setTimeout(() => setNotice(null), 4000);
    return () => clearTimeout(timer);
  }, [notice]);
  const clear = useCallback(() => setNotice(null), []);
  return { notice, show: setNotice, clear };
}

export function Notice({ notice, onDismiss }: { notice: NoticeValue | null; onDismiss: () => void }) {
  return (
    <div aria-live="polite" className={cn(!notice && "sr-only")}>
      {notice && (
        <Alert variant={notice.kind === "error" ? "destructive" : "default"} className="pr-10">
          {notice.kind === "error" ? (
            <TriangleAlert aria-hidden="true" />
          ) : (
            <CircleCheck aria-hidden="true" className="text-success!" />
          )}
          <AlertDescription className={cn(notice.kind === "success" && "text-foreground")}>
            {notice.message}
          </AlertDescription>
          <button
            type="button"
            onClick={onDismiss}
            className="absolute top-2.5 right-2.5 rounded-sm p-0.5 text-muted-foreground outline-none hover:text-foreground focus-visible:ring-[3px] focus-visible:ring-ring/50"
          >
            <X className="size-4" aria-hidden="true" />
            <span className="sr-only">Dismiss</span>
          </button>
        </Alert>
      )}
    </div>
  );
}
