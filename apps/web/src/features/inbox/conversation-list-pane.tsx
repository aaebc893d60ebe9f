"use client";

import { Archive, Clock, Inbox, type LucideIcon, Search } from "lucide-react";
import { useId, useState } from "react";
import { EmptyState } from "@/components/empty-state";
import { Input } from "@/components/ui/input";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";

type ConversationStatus = "open" | "snoozed" | "closed";

const STATUS_TABS: {
  value: ConversationStatus;
  label: string;
  empty: { icon: LucideIcon; title: string; description: string };
}[] = [
  {
    value: "open",
    label: "Open",
    empty: {
      icon: Inbox,
      title: "No conversations yet",
      description: "Messages from your channels appear here.",
    },
  },
  {
    value: "snoozed",
    label: "Snoozed",
    empty: {
      icon: Clock,
      title: "Nothing snoozed",
      description: "Snoozed conversations wait here and return to Open when they wake up.",
    },
  },
  {
    value: "closed",
    label: "Closed",
    empty: {
      icon: Archive,
      title: "No closed conversations",
      description: "Resolved conversations are kept here.",
    },
  },
];

export function ConversationListPane() {
  const searchId = useId();
  const [status, setStatus] = useState<ConversationStatus>("open");
  const [search, setSearch] = useState("");
  const query = search.trim();

  return (
    <section aria-labelledby="inbox-heading" className="flex w-80 shrink-0 flex-col border-r bg-background">
      <header className="flex h-14 shrink-0 items-center justify-between border-b px-4">
        <h1 id="inbox-heading" className="text-base font-semibold tracking-tight">
          Inbox
        </h1>
      </header>
      <Tabs
        value={status}
        onValueChange={(value) => setStatus(value as ConversationStatus)}
        className="flex min-h-0 flex-1 flex-col"
      >
        <div className="flex flex-col gap-3 border-b p-3">
          <search className="relative">
            <label htmlFor={searchId} className="sr-only">
              Search conversations
            </label>
            <Search
              className="pointer-events-none absolute top-1/2 left-2.5 size-4 -translate-y-1/2 text-muted-foreground"
              aria-hidden="true"
            />
            <Input
              id={searchId}
              type="search"
              placeholder="Search conversations"
              value={search}
              onChange={(event) => setSearch(event.target.value)}
              className="pl-8"
            />
          </search>
          <TabsList aria-label="Conversation status" className="w-full">
            {STATUS_TABS.map((tab) => (
              <TabsTrigger key={tab.value} value={tab.value}>
                {tab.label}
              </TabsTrigger>
            ))}
          </TabsList>
        </div>
        {STATUS_TABS.map((tab) => (
          <TabsContent key={tab.value} value={tab.value} className="min-h-0 overflow-y-auto">
            {query ? (
              <EmptyState
                icon={Search}
                title="No matching conversations"
                description={`Nothing in ${tab.label.toLowerCase()} matches “${query}”.`}
              />
            ) : (
              <EmptyState icon={tab.empty.icon} title={tab.empty.title} description={tab.empty.description} />
            )}
          </TabsContent>
        ))}
      </Tabs>
    </section>
  );
}
