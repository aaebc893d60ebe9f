"use client";

import type { ConversationDto } from "@tandem/contracts";
import { Eye, MessagesSquare, RotateCw, SearchX } from "lucide-react";
import { type ReactNode, useEffect, useRef, useState } from "react";
import { EmptyState } from "@/components/empty-state";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import { useCurrentUser } from "@/features/auth/queries";
import { errorMessage, isApiError } from "@/lib/api";
import { cn } from "@/lib/utils";
import { Composer } from "./composer";
import { MessageList } from "./message-list";
import { useConversation, useConversationViewers, useMarkRead } from "./queries";
import { ThreadToolbar } from "./thread-toolbar";

interface ThreadPaneProps {
  conversationId: string | null;
  className?: string;
  /** The one-pane layout's way back to the list. */
  onBack: () => void;
  /** Shows the contact panel where it is not beside the thread (below 1,280 px). */
  onShowContact: () => void;
}

export function ThreadPane({ conversationId, className, onBack, onShowContact }: ThreadPaneProps) {
  const conversation = useConversation(conversationId);

  if (!conversationId) {
    return (
      <Frame className={className}>
        <EmptyState
          icon={MessagesSquare}
          title="Select a conversation"
          description="Pick one on the left (↑ and ↓ move through the list, Enter opens). Reply yourself or let the bot answer; you can take over from the bot at any moment."
          className="flex-1"
        />
      </Frame>
    );
  }
  if (conversation.isError && !conversation.data) {
    const missing = isApiError(conversation.error, 404);
    return (
      <Frame className={className}>
        <EmptyState
          icon={missing ? SearchX : RotateCw}
          title={missing ? "Conversation not found" : "Could not load the conversation"}
          description={
            missing ? "It may have been deleted, or it belongs to another workspace." : errorMessage(conversation.error)
          }
          action={
            missing ? (
              <Button variant="outline" size="sm" className="lg:hidden" onClick={onBack}>
                Back to conversations
              </Button>
            ) : (
              <Button variant="outline" size="sm" onClick={() => conversation.refetch()}>
                Try again
              </Button>
            )
          }
          className="flex-1"
        />
      </Frame>
    );
  }
  if (!conversation.data) {
    return (
      <Frame className={className}>
        <div className="flex h-25 items-center gap-3 border-b bg-background px-4" role="status" aria-label="Loading">
          <Skeleton className="size-10 rounded-full" />
          <Skeleton className="h-4 w-40" />
        </div>
        <div className="flex-1" />
      </Frame>
    );
  }
  return (
    <Frame className={className} labelledBy="thread-heading">
      {/* Keyed by conversation: switching unmounts the whole thread (list, composer, toolbar state), so
          nothing of the previous customer can stay on screen. */}
      <OpenThread
        key={conversation.data.id}
        conversation={conversation.data}
        onBack={onBack}
        onShowContact={onShowContact}
      />
    </Frame>
  );
}

function Frame({ children, labelledBy, className }: { children: ReactNode; labelledBy?: string; className?: string }) {
  return (
    <section
      aria-labelledby={labelledBy}
      aria-label={labelledBy ? undefined : "Conversation"}
      className={cn("flex min-w-0 flex-1 flex-col bg-muted/30", className)}
    >
      {children}
    </section>
  );
}

function OpenThread({
  conversation,
  onBack,
  onShowContact,
}: {
  conversation: ConversationDto;
  onBack: () => void;
  onShowContact: () => void;
}) {
  useMarkReadWhileOpen(conversation);
  return (
    <>
      <ThreadToolbar conversation={conversation} onBack={onBack} onShowContact={onShowContact} />
      <CollisionNotice conversationId={conversation.id} />
      <MessageList conversation={conversation} />
      <Composer conversation={conversation} />
    </>
  );
}

/** Opening a conversation reads it; so does a message arriving while it is open and the tab is visible. */
function useMarkReadWhileOpen(conversation: ConversationDto) {
  const markRead = useMarkRead();
  const [visible, setVisible] = useState(true);
  const inFlight = useRef<string | null>(null);

  useEffect(() => {
    const onChange = () => setVisible(document.visibilityState === "visible");
    onChange();
    document.addEventListener("visibilitychange", onChange);
    return () => document.removeEventListener("visibilitychange", onChange);
  }, []);

  const { id, unreadCount } = conversation;
  const mutate = markRead.mutate;
  useEffect(() => {
    if (!visible || unreadCount === 0 || inFlight.current === id) return;
    inFlight.current = id;
    mutate(id, { onSettled: () => (inFlight.current = null) });
  }, [id, unreadCount, visible, mutate]);
}

/**
 * "Adam is also viewing" / "Adam is typing…": teammates with this conversation open (from the
 * conversation's room), so two people do not answer the same customer at once.
 */
function CollisionNotice({ conversationId }: { conversationId: string }) {
  const viewers = useConversationViewers(conversationId);
  const me = useCurrentUser();
  const others = viewers.data.filter((v) => v.userId !== me.user.id);
  if (others.length === 0) return null;
  const typing = others.filter((v) => v.typing);
  const names = (list: typeof others) => list.map((v) => v.name || v.email).join(", ");
  return (
    <p
      role="status"
      data-testid="collision-notice"
      className={cn(
        "flex shrink-0 items-center gap-2 border-b px-4 py-1.5 text-xs",
        typing.length > 0 ? "bg-warning/10 text-warning" : "bg-muted text-muted-foreground",
      )}
    >
      <Eye className="size-3.5 shrink-0" aria-hidden="true" />
      {typing.length > 0
        ? `${names(typing)} ${typing.length === 1 ? "is" : "are"} typing a reply here…`
        : `${names(others)} ${others.length === 1 ? "is" : "are"} also viewing this conversation`}
    </p>
  );
}
