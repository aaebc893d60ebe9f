"use client";

import type { MessageSourceDto } from "@tandem/contracts";
import { BookOpen, ChevronRight } from "lucide-react";
import Link from "next/link";
import { useId, useState } from "react";
import { cn } from "@/lib/utils";

/**
 * Messages whose sources are open. The thread is virtualised: a bubble scrolled away and back is
 * mounted again, and keeps its disclosure as the agent left it.
 */
const expanded = new Set<string>();

/**
 * "Sources (n)" under a bot message: a button (keyboard: Tab, Enter / Space) that opens the passages
 * the answer came from, each with its document name (or FAQ question), score and excerpt.
 */
export function MessageSources({ messageId, sources }: { messageId: string; sources: MessageSourceDto[] }) {
  const [open, setOpen] = useState(() => expanded.has(messageId));
  const id = useId();
  const toggle = () => {
    const next = !open;
    if (next) expanded.add(messageId);
    else expanded.delete(messageId);
    setOpen(next);
  };
  return (
    <div className="mt-1 flex w-full max-w-[min(32rem,85%)] flex-col items-end" data-testid="message-sources">
      <button
        type="button"
        aria-expanded={open}
        aria-controls={id}
        onClick={toggle}
        className="inline-flex items-center gap-1 rounded-sm px-1 text-[11px] font-medium text-muted-foreground outline-none hover:text-foreground focus-visible:ring-[3px] focus-visible:ring-ring/50"
      >
        <BookOpen className="size-3" aria-hidden="true" />
        Sources ({sources.length})
        <ChevronRight className={cn("size-3 transition-transform", open && "rotate-90")} aria-hidden="true" />
      </button>
      {open && (
        <ol
          id={id}
          aria-label="Sources of this answer"
          className="mt-1 flex w-full flex-col gap-1.5 rounded-md border bg-background px-3 py-2 text-xs"
        >
          {sources.map((source, index) => (
            <li key={source.chunkId} className="flex min-w-0 flex-col gap-0.5">
              <p className="flex min-w-0 items-baseline gap-1.5">
                <span className="shrink-0 tabular-nums text-muted-foreground">{index + 1}.</span>
                <SourceTitle source={source} />
                <span className="ml-auto shrink-0 tabular-nums text-muted-foreground" title="Relevance">
                  {source.score.toFixed(2)}
                </span>
              </p>
              {source.excerpt && (
                <p className="line-clamp-3 whitespace-pre-wrap break-words text-muted-foreground">{source.excerpt}</p>
              )}
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

function SourceTitle({ source }: { source: MessageSourceDto }) {
  const title = source.title ?? (source.kind === "faq" ? "FAQ entry" : "Passage");
  const label = (
    <>
      {source.kind === "faq" && <span className="text-muted-foreground">FAQ: </span>}
      {title}
    </>
  );
  if (source.documentId) {
    return (
      <Link
        href={`/knowledge/documents/${encodeURIComponent(source.documentId)}`}
        className="min-w-0 break-words font-medium underline-offset-2 hover:underline"
      >
        {label}
      </Link>
    );
  }
  return <span className="min-w-0 break-words font-medium">{label}</span>;
}
