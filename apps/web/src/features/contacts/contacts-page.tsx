"use client";

import { ContactListResponse } from "@tandem/contracts";
import { useInfiniteQuery } from "@tanstack/react-query";
import { Search, UsersRound } from "lucide-react";
import Link from "next/link";
import { useEffect, useId, useState } from "react";
import { EmptyState } from "@/components/empty-state";
import { PageHeader } from "@/components/page-header";
import { TableSkeleton } from "@/components/table-skeleton";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { ChannelMark } from "@/features/inbox/channel-mark";
import { api, errorMessage } from "@/lib/api";

/** Everyone who has written to the workspace, newest first, with a search; each opens their latest conversation. */
export function ContactsPage() {
  const [typed, setTyped] = useState("");
  const [search, setSearch] = useState("");
  const searchId = useId();
  useEffect(() => {
    const timer = setTimeout(() => setSearch(typed.trim()), 300);
    return () => clearTimeout(timer);
  }, [typed]);
  const list = useInfiniteQuery({
    queryKey: ["contacts", search],
    queryFn: ({ pageParam, signal }) => {
      const params = new URLSearchParams({ limit: "50" });
      if (search) params.set("search", search);
      if (pageParam) params.set("cursor", pageParam);
      return api.get(`/api/v1/contacts?${params}`, ContactListResponse, signal);
    },
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];

  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title="Contacts"
        description="Everyone who has written to you, on every channel. Open one to see their conversation; edit their details from the inbox's contact panel."
      />
      <div className="relative max-w-sm">
        <label htmlFor={searchId} className="sr-only">
          Search contacts
        </label>
        <Search
          className="pointer-events-none absolute top-1/2 left-2.5 size-4 -translate-y-1/2 text-muted-foreground"
          aria-hidden="true"
        />
        <Input
          id={searchId}
          type="search"
          placeholder="Name, e-mail or phone"
          value={typed}
          onChange={(event) => setTyped(event.target.value)}
          className="pl-8"
        />
      </div>
      {list.isError && (
        <Alert variant="destructive">
          <AlertDescription>{errorMessage(list.error)}</AlertDescription>
        </Alert>
      )}
      {list.isPending ? (
        <TableSkeleton rows={5} />
      ) : rows.length === 0 ? (
        <EmptyState
          icon={UsersRound}
          title={search ? "No matching contacts" : "No contacts yet"}
          description={search ? `Nobody matches “${search}”.` : "Customers appear here as soon as they write."}
        />
      ) : (
        <Card className="py-0">
          <CardContent className="px-0">
            <ul aria-label="Contacts" className="divide-y">
              {rows.map((c) => (
                <li key={c.id} className="flex flex-wrap items-center gap-x-4 gap-y-1 px-4 py-3 text-sm">
                  <div className="flex min-w-0 flex-1 items-center gap-2">
                    {c.channel && <ChannelMark type={c.channel.type} className="ring-0" />}
                    <span className="truncate font-medium">{c.name ?? c.platformUserId}</span>
                  </div>
                  <span className="min-w-0 truncate text-muted-foreground">{c.email ?? ""}</span>
                  <span className="text-muted-foreground tabular-nums">{c.phone ?? ""}</span>
                  <span className="text-xs text-muted-foreground">
                    {c.conversationCount === 1 ? "1 conversation" : `${c.conversationCount} conversations`}
                  </span>
                  {c.lastConversationId && (
                    <Button asChild variant="outline" size="sm" className="h-7 text-xs">
                      <Link
                        href={`/dashboard?c=${encodeURIComponent(c.lastConversationId)}`}
                        aria-label={`Open ${c.name ?? c.platformUserId}'s conversation`}
                      >
                        Open
                      </Link>
                    </Button>
                  )}
                </li>
              ))}
            </ul>
          </CardContent>
        </Card>
      )}
      {list.hasNextPage && (
        <Button
          variant="outline"
          className="self-center"
          onClick={() => list.fetchNextPage()}
          disabled={list.isFetchingNextPage}
        >
          {list.isFetchingNextPage ? "Loading…" : "Load more"}
        </Button>
      )}
    </div>
  );
}
