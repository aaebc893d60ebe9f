"use client";

import { Paperclip } from "lucide-react";
import { useId, useRef } from "react";
import { Button } from "@/components/ui/button";
import { Tooltip, TooltipContent, TooltipTrigger } from "@/components/ui/tooltip";

/**
 * The paperclip: opens the file picker, limited to what the channel takes; its description (tooltip
 * and `aria-describedby`) states the channel's limits. When nothing can be attached it stays
 * focusable but `aria-disabled`, described by the reason, and pressing it shows the reason inline.
 */
export function AttachButton({
  limits,
  blockedReason,
  accept,
  multiple,
  onFiles,
  onBlocked,
}: {
  limits: string;
  blockedReason: string | null;
  accept: string | undefined;
  multiple: boolean;
  onFiles: (files: File[]) => void;
  onBlocked: (reason: string) => void;
}) {
  const inputRef = useRef<HTMLInputElement>(null);
  const descriptionId = useId();
  const description = blockedReason ?? limits;
  return (
    <>
      <Tooltip>
        <TooltipTrigger asChild>
          <Button
            variant="ghost"
            size="icon-sm"
            aria-label="Attach files"
            aria-disabled={blockedReason ? true : undefined}
            aria-describedby={descriptionId}
            className="text-muted-foreground aria-disabled:opacity-60"
            onClick={() => (blockedReason ? onBlocked(blockedReason) : inputRef.current?.click())}
          >
            <Paperclip aria-hidden="true" />
          </Button>
        </TooltipTrigger>
        <TooltipContent>{description}</TooltipContent>
      </Tooltip>
      <span id={descriptionId} className="sr-only">
        {description}
      </span>
      <input
        ref={inputRef}
        type="file"
        hidden
        tabIndex={-1}
        accept={accept}
        multiple={multiple}
        data-testid="attach-input"
        onChange={(event) => {
          const files = [...(event.target.files ?? [])];
          // Cleared, so that choosing the same file again (after removing it) is a change too.
          event.target.value = "";
          if (files.length > 0) onFiles(files);
        }}
      />
    </>
  );
}
