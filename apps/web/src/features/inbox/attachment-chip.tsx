"use client";

import { AlertCircle, FileText, X } from "lucide-react";
import { Button } from "@/components/ui/button";
import { formatBytes } from "@/lib/format";
import { cn } from "@/lib/utils";
import type { PendingAttachment } from "./use-attachment-uploads";

/**
 * One file attached to the reply, above the textarea: a thumbnail for an image (else an icon), its
 * name and size, the upload's progress, the server's reason when it refused the file, and Remove.
 */
export function AttachmentChip({ item, onRemove }: { item: PendingAttachment; onRemove: () => void }) {
  const { file, previewUrl, uploaded, error } = item;
  const uploading = !uploaded && !error;
  const percent = Math.round(item.progress * 100);
  return (
    <li
      className={cn(
        "flex w-56 max-w-full min-w-0 items-center gap-2 rounded-md border bg-muted/40 p-1.5 text-xs",
        error && "border-destructive/50 bg-destructive/5",
      )}
      data-testid="attachment-chip"
      data-state={error ? "failed" : uploading ? "uploading" : "uploaded"}
      aria-label={`${file.name}, ${formatBytes(file.size)}`}
    >
      {previewUrl ? (
        // biome-ignore lint/performance/noImgElement: a local object URL, not something to optimise
        <img src={previewUrl} alt="" className="size-10 shrink-0 rounded bg-muted object-cover" />
      ) : (
        <span className="grid size-10 shrink-0 place-items-center rounded bg-muted text-muted-foreground">
          <FileText className="size-5" aria-hidden="true" />
        </span>
      )}
      <div className="min-w-0 flex-1">
        <p className="truncate font-medium" title={file.name}>
          {file.name}
        </p>
        {error ? (
          <p role="alert" className="flex items-start gap-1 text-destructive">
            <AlertCircle className="mt-px size-3 shrink-0" aria-hidden="true" />
            <span className="line-clamp-2 break-words" title={error}>
              {error}
            </span>
          </p>
        ) : uploading ? (
          <div
            role="progressbar"
            aria-label={`Uploading ${file.name}`}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={percent}
            className="mt-1 h-1.5 overflow-hidden rounded-full bg-muted"
          >
            <div className="h-full rounded-full bg-primary transition-[width]" style={{ width: `${percent}%` }} />
          </div>
        ) : (
          <p className="text-muted-foreground">{formatBytes(file.size)}</p>
        )}
      </div>
      <Button
        variant="ghost"
        size="icon-sm"
        className="size-7 shrink-0 text-muted-foreground"
        aria-label={`Remove ${file.name}`}
        onClick={onRemove}
      >
        <X aria-hidden="true" />
      </Button>
    </li>
  );
}
