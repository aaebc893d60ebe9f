"use client";

import { useMemo } from "react";
import { cn } from "@/lib/utils";
import { diffLines, diffStats } from "./line-diff";

/** A line diff of `before` → `after`: removed lines red with "−", added green with "+". */
export function DiffView({
  before,
  after,
  beforeLabel,
  afterLabel,
  className,
}: {
  before: string;
  after: string;
  beforeLabel: string;
  afterLabel: string;
  className?: string;
}) {
  const lines = useMemo(() => diffLines(before, after), [before, after]);
  const stats = diffStats(lines);
  return (
    <figure className={cn("flex min-w-0 flex-col gap-2", className)}>
      <figcaption className="text-xs text-muted-foreground">
        {beforeLabel} → {afterLabel}:{" "}
        {stats.added === 0 && stats.removed === 0 ? (
          "no difference"
        ) : (
          <>
            <span className="text-success">+{stats.added}</span>{" "}
            <span className="text-destructive">−{stats.removed}</span> lines
          </>
        )}
      </figcaption>
      <pre
        className="max-h-[28rem] overflow-auto rounded-md border bg-muted/30 py-2 font-mono text-xs leading-5"
        data-testid="prompt-diff"
      >
        {lines.map((line, index) => (
          <div
            // Lines have no identity of their own; the order is the diff's.
            // biome-ignore lint/suspicious/noArrayIndexKey: a diff line is its position
            key={index}
            className={cn(
              "whitespace-pre-wrap break-words px-3",
              line.kind === "added" && "bg-success/10 text-success",
              line.kind === "removed" && "bg-destructive/10 text-destructive",
            )}
          >
            <span aria-hidden="true" className="mr-2 inline-block w-3 select-none">
              {line.kind === "added" ? "+" : line.kind === "removed" ? "−" : " "}
            </span>
            <span className="sr-only">
              {line.kind === "added" ? "added: " : line.kind === "removed" ? "removed: " : ""}
            </span>
            {line.text || " "}
          </div>
        ))}
      </pre>
    </figure>
  );
}
