"use client";

import type { CannedResponseDto } from "@tandem/contracts";
import { MessageSquareText, Plus, Search } from "lucide-react";
import { useMemo, useState } from "react";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { EmptyState } from "@/components/empty-state";
import { PageHeader } from "@/components/page-header";
import { TableSkeleton } from "@/components/table-skeleton";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { can } from "@/features/auth/permissions";
import { useCurrentUser } from "@/features/auth/queries";
import { useCannedResponses, useDeleteCannedResponse } from "@/features/canned-responses/queries";
import { errorMessage } from "@/lib/api";
import { CannedResponseDialog } from "./canned-response-dialog";

/** Every word of the search must appear in the shortcut, title or text (as the API's `?q=`). */
function matches(reply: CannedResponseDto, search: string): boolean {
  const haystack = `${reply.shortcut} ${reply.title} ${reply.text}`.toLowerCase();
  return search
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => haystack.includes(word));
}

/** The workspace's saved replies: OWNER and ADMIN manage them, agents read them. */
export function CannedResponsesPage() {
  const me = useCurrentUser();
  const manage = can(me, "settings.manage");
  const library = useCannedResponses();
  const [search, setSearch] = useState("");
  const shown = useMemo(
    () => (library.data?.data ?? []).filter((reply) => matches(reply, search)),
    [library.data, search],
  );

  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title="Canned responses"
        description={
          <>
            Saved replies for the whole team. In the composer, type <kbd className="font-mono">/</kbd> and a few letters
            of the shortcut or title to insert one.
            {!manage && " Only owners and admins can change them."}
          </>
        }
        actions={
          manage ? (
            <CannedResponseDialog
              trigger={
                <Button>
                  <Plus aria-hidden="true" />
                  New canned response
                </Button>
              }
            />
          ) : undefined
        }
      />
      <div className="relative">
        <Search
          className="-translate-y-1/2 pointer-events-none absolute top-1/2 left-3 size-4 text-muted-foreground"
          aria-hidden="true"
        />
        <Input
          type="search"
          aria-label="Search canned responses"
          placeholder="Search by shortcut, title or text"
          value={search}
          onChange={(event) => setSearch(event.target.value)}
          className="pl-9"
        />
      </div>
      <Card className="py-0">
        <CardContent className="px-0">
          {library.isError ? (
            <div className="p-4">
              <Alert variant="destructive">
                <AlertDescription>{errorMessage(library.error)}</AlertDescription>
              </Alert>
            </div>
          ) : library.isPending ? (
            <TableSkeleton rows={3} />
          ) : library.data.data.length === 0 ? (
            <EmptyState
              icon={MessageSquareText}
              title="No canned responses yet"
              description={
                manage
                  ? "Save the answers your team types again and again."
                  : "An owner or admin can add the answers your team types again and again."
              }
            />
          ) : shown.length === 0 ? (
            <EmptyState icon={Search} title={`Nothing matches “${search.trim()}”`} />
          ) : (
            <ul aria-label="Canned responses" className="divide-y">
              {shown.map((reply) => (
                <CannedResponseRow key={reply.id} reply={reply} manage={manage} />
              ))}
            </ul>
          )}
        </CardContent>
      </Card>
    </div>
  );
}

function CannedResponseRow({ reply, manage }: { reply: CannedResponseDto; manage: boolean }) {
  const remove = useDeleteCannedResponse();
  return (
    <li className="flex flex-col gap-2 px-4 py-3 sm:flex-row sm:items-start sm:gap-4 sm:px-6">
      <div className="min-w-0 flex-1">
        <p className="flex flex-wrap items-baseline gap-x-2">
          <code className="font-mono text-sm text-primary">/{reply.shortcut}</code>
          <span className="font-medium">{reply.title}</span>
        </p>
        <p className="mt-1 line-clamp-3 whitespace-pre-wrap break-words text-sm text-muted-foreground">{reply.text}</p>
      </div>
      {manage && (
        <div className="flex shrink-0 gap-1 max-sm:-ml-2">
          <CannedResponseDialog
            reply={reply}
            trigger={
              <Button variant="ghost" size="sm" aria-label={`Edit /${reply.shortcut}`}>
                Edit
              </Button>
            }
          />
          <ConfirmDialog
            trigger={
              <Button variant="ghost" size="sm" aria-label={`Delete /${reply.shortcut}`}>
                Delete
              </Button>
            }
            title={`Delete “/${reply.shortcut}”?`}
            description="Your team will no longer be able to insert it. Messages already sent are not changed."
            confirmLabel="Delete"
            pendingLabel="Deleting…"
            onConfirm={() => remove.mutateAsync(reply.id)}
          />
        </div>
      )}
    </li>
  );
}
