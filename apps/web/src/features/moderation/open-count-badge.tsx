"use client";

import { useOpenFlagCount } from "./queries";

/** The nav's count of open flags; nothing while there are none. */
export function OpenFlagCountBadge() {
  const count = useOpenFlagCount();
  if (!count.data) return null;
  return (
    <span
      className="ml-auto rounded-full bg-warning/15 px-1.5 text-xs font-medium tabular-nums text-warning"
      data-testid="moderation-open-count"
    >
      <span className="sr-only">: </span>
      {count.data}
      <span className="sr-only"> open</span>
    </span>
  );
}
