"use client";

import type { BulkUpdateConversationsInput, ConversationStatus } from "@tandem/contracts";
import { Archive, Inbox, Mail, Tag, UserRound, X } from "lucide-react";
import { type FormEvent, useId, useState } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { Input } from "@/components/ui/input";
import { errorMessage } from "@/lib/api";
import { memberName } from "./people";
import { useBulkUpdate, useInboxOptions } from "./queries";

type BulkAction = BulkUpdateConversationsInput extends infer T
  ? T extends { conversationIds: string[] }
    ? Omit<T, "conversationIds">
    : never
  : never;

const plural = (n: number) => (n === 1 ? "1 conversation" : `${n} conversations`);

/**
 * The toolbar of the list's selection mode: what the selected conversations get at once — close
 * (or reopen, in Closed), assign, tag, mark unread. Each action says how it went; what the server
 * did not find (a conversation deleted meanwhile) is said too.
 */
export function BulkActions({
  selected,
  status,
  allSelected,
  onSelectAll,
  onDone,
  onBeforeAction,
}: {
  selected: string[];
  status: ConversationStatus;
  allSelected: boolean;
  onSelectAll: () => void;
  /** Leaves selection mode (after an action, or Cancel). */
  onDone: () => void;
  /** Called as an action is sent. */
  onBeforeAction?: (action: BulkAction["action"]) => void;
}) {
  const bulk = useBulkUpdate();
  const options = useInboxOptions();
  const members = options.data?.members ?? [];
  const [tagging, setTagging] = useState(false);
  const [tag, setTag] = useState("");
  const tagId = useId();
  const none = selected.length === 0;

  const run = (action: BulkAction, done: (n: number) => string) => {
    onBeforeAction?.(action.action);
    bulk.mutate({ ...action, conversationIds: selected } as BulkUpdateConversationsInput, {
      onSuccess: (result) => {
        const missed = result.notFound.length;
        toast.success(done(result.data.length), {
          description: missed ? `${plural(missed)} could not be found any more.` : undefined,
        });
        setTagging(false);
        setTag("");
        onDone();
      },
      onError: (error) => toast.error("Could not update the conversations", { description: errorMessage(error) }),
    });
  };

  const addTag = (event: FormEvent) => {
    event.preventDefault();
    const value = tag.trim();
    if (!value) return;
    run({ action: "addTags", tags: [value] }, (n) => `Tagged ${plural(n)} “${value.toLowerCase()}”`);
  };

  return (
    <div className="flex shrink-0 flex-col gap-2 border-b bg-muted/40 px-3 py-2">
      <div role="toolbar" aria-label="Bulk actions" className="flex flex-wrap items-center gap-1.5">
        <span className="mr-auto text-xs font-medium tabular-nums" aria-live="polite">
          {selected.length} selected
        </span>
        <Button variant="ghost" size="sm" className="h-7 px-2 text-xs" onClick={onSelectAll} disabled={allSelected}>
          Select all
        </Button>
        <Button
          variant="ghost"
          size="sm"
          className="h-7 px-2 text-xs"
          onClick={() => onDone()}
          aria-label="Cancel selection"
        >
          <X aria-hidden="true" />
          Cancel
        </Button>
      </div>
      <div className="flex flex-wrap items-center gap-1.5">
        {status === "CLOSED" ? (
          <Button
            variant="outline"
            size="sm"
            className="h-7 px-2 text-xs"
            disabled={none || bulk.isPending}
            onClick={() => run({ action: "reopen" }, (n) => `Reopened ${plural(n)}`)}
          >
            <Inbox aria-hidden="true" />
            Reopen
          </Button>
        ) : (
          <Button
            variant="outline"
            size="sm"
            className="h-7 px-2 text-xs"
            disabled={none || bulk.isPending}
            onClick={() => run({ action: "close" }, (n) => `Closed ${plural(n)}`)}
          >
            <Archive aria-hidden="true" />
            Close
          </Button>
        )}
        <DropdownMenu>
          <DropdownMenuTrigger asChild>
            <Button variant="outline" size="sm" className="h-7 px-2 text-xs" disabled={none || bulk.isPending}>
              <UserRound aria-hidden="true" />
              Assign
            </Button>
          </DropdownMenuTrigger>
          <DropdownMenuContent align="start">
            {members.map((m) => (
              <DropdownMenuItem
                key={m.id}
                onSelect={() =>
                  run({ action: "assign", assigneeId: m.id }, (n) => `Assigned ${plural(n)} to ${memberName(m)}`)
                }
              >
                {memberName(m)}
              </DropdownMenuItem>
            ))}
            <DropdownMenuSeparator />
            <DropdownMenuItem
              onSelect={() => run({ action: "assign", assigneeId: null }, (n) => `Unassigned ${plural(n)}`)}
            >
              Unassigned
            </DropdownMenuItem>
          </DropdownMenuContent>
        </DropdownMenu>
        <Button
          variant="outline"
          size="sm"
          className="h-7 px-2 text-xs"
          disabled={none || bulk.isPending}
          aria-expanded={tagging}
          aria-controls={tagId}
          onClick={() => setTagging((open) => !open)}
        >
          <Tag aria-hidden="true" />
          Tag
        </Button>
        <Button
          variant="outline"
          size="sm"
          className="h-7 px-2 text-xs"
          disabled={none || bulk.isPending}
          onClick={() => run({ action: "markUnread" }, (n) => `Marked ${plural(n)} unread`)}
        >
          <Mail aria-hidden="true" />
          Mark unread
        </Button>
      </div>
      {tagging && (
        <form id={tagId} onSubmit={addTag} className="flex items-center gap-1.5">
          <label htmlFor={`${tagId}-input`} className="sr-only">
            Tag to add
          </label>
          <Input
            id={`${tagId}-input`}
            value={tag}
            onChange={(event) => setTag(event.target.value)}
            placeholder="Tag to add"
            maxLength={50}
            list={`${tagId}-known`}
            className="h-8 text-sm"
            autoFocus
          />
          <datalist id={`${tagId}-known`}>
            {(options.data?.tags ?? []).map((t) => (
              <option key={t} value={t} />
            ))}
          </datalist>
          <Button type="submit" size="sm" className="h-8" disabled={!tag.trim() || bulk.isPending}>
            Add
          </Button>
        </form>
      )}
    </div>
  );
}
