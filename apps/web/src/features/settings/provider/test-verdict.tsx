import type { TestProviderResult } from "@tandem/contracts";
import { CircleCheck, CircleX } from "lucide-react";

/** The inline result of "Test connection", announced to screen readers by the surrounding live region. */
export function TestVerdict({ verdict }: { verdict: TestProviderResult }) {
  if (verdict.ok) {
    return (
      <div className="flex items-start gap-2 rounded-md border border-success/30 bg-success/5 px-3 py-2 text-sm">
        <CircleCheck className="mt-0.5 size-4 shrink-0 text-success" aria-hidden="true" />
        <div className="flex min-w-0 flex-col gap-1">
          <p className="font-medium">{verdict.message}</p>
          {verdict.sample && (
            <p className="truncate text-muted-foreground" title={verdict.sample}>
              “{verdict.sample}”
            </p>
          )}
        </div>
      </div>
    );
  }
  return (
    <div className="flex items-start gap-2 rounded-md border border-destructive/30 bg-destructive/5 px-3 py-2 text-sm">
      <CircleX className="mt-0.5 size-4 shrink-0 text-destructive" aria-hidden="true" />
      <div className="flex min-w-0 flex-col gap-1">
        <p className="font-medium text-destructive">{verdict.message}</p>
        {verdict.detail && <p className="break-words text-xs text-muted-foreground">{verdict.detail}</p>}
        <p className="font-mono text-xs text-muted-foreground">{verdict.code}</p>
      </div>
    </div>
  );
}
