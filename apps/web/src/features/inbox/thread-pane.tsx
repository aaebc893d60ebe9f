"use client";

import { MessagesSquare, SendHorizontal } from "lucide-react";
import { EmptyState } from "@/components/empty-state";
import { Button } from "@/components/ui/button";

export function ThreadPane() {
  return (
    <section aria-label="Conversation" className="flex min-w-0 flex-1 flex-col bg-muted/30">
      <header className="flex h-14 shrink-0 items-center border-b bg-background px-5">
        <p className="text-sm text-muted-foreground">No conversation selected</p>
      </header>
      <div className="flex min-h-0 flex-1 items-center justify-center overflow-y-auto">
        <EmptyState
          icon={MessagesSquare}
          title="Select a conversation"
          description="Read the thread and reply yourself, or let the bot answer. You can take over from the bot at any moment."
        />
      </div>
      <div className="shrink-0 border-t bg-background p-3">
        <div className="flex items-end gap-2 rounded-lg border bg-background p-2 opacity-60">
          <label htmlFor="composer" className="sr-only">
            Reply
          </label>
          <textarea
            id="composer"
            rows={2}
            disabled
            placeholder="Select a conversation to reply"
            className="min-h-10 flex-1 resize-none bg-transparent px-1 py-1 text-sm outline-none placeholder:text-muted-foreground disabled:cursor-not-allowed"
          />
          <Button size="sm" disabled>
            <SendHorizontal aria-hidden="true" />
            Send
          </Button>
        </div>
      </div>
    </section>
  );
}
