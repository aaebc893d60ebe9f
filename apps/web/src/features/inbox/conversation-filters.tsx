"use client";

import type { ChannelType } from "@tandem/contracts";
import { useId } from "react";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { useCurrentUser } from "@/features/auth/queries";
import { CHANNEL_TYPE_LABELS } from "./channel-mark";
import type { InboxFilters } from "./filters";
import { memberName } from "./people";
import { useInboxOptions } from "./queries";

const ALL = "all";

/** Channel type, Page (channel), tag and assignee: the filters behind the "Filters" button. */
export function ConversationFilters({
  id,
  filters,
  onChange,
}: {
  id: string;
  filters: InboxFilters;
  onChange: (patch: Partial<InboxFilters>) => void;
}) {
  const options = useInboxOptions();
  const me = useCurrentUser();
  const channels = options.data?.channels ?? [];
  const types = [...new Set(channels.map((c) => c.type))];
  const pages = channels.filter((c) => !filters.channelType || c.type === filters.channelType);
  const members = options.data?.members ?? [];
  const tags = options.data?.tags ?? [];
  const myMemberId = members.find((m) => m.userId === me.user.id)?.id;

  return (
    <div id={id} className="grid grid-cols-2 gap-x-2 gap-y-2">
      <FilterSelect
        label="Channel"
        value={filters.channelType ?? ALL}
        onChange={(v) => onChange({ channelType: v === ALL ? null : (v as ChannelType), channelId: null })}
        items={[
          { value: ALL, label: "All channels" },
          ...types.map((t) => ({ value: t, label: CHANNEL_TYPE_LABELS[t] })),
        ]}
      />
      <FilterSelect
        label="Page"
        value={filters.channelId ?? ALL}
        onChange={(v) => onChange({ channelId: v === ALL ? null : v })}
        items={[{ value: ALL, label: "All pages" }, ...pages.map((c) => ({ value: c.id, label: c.name }))]}
      />
      <FilterSelect
        label="Tag"
        value={filters.tag ?? ALL}
        onChange={(v) => onChange({ tag: v === ALL ? null : v })}
        items={[{ value: ALL, label: "Any tag" }, ...tags.map((t) => ({ value: t, label: t }))]}
      />
      <FilterSelect
        label="Assignee"
        value={filters.assignee ?? ALL}
        onChange={(v) => onChange({ assignee: v === ALL ? null : v })}
        items={[
          { value: ALL, label: "Anyone" },
          ...(myMemberId ? [{ value: myMemberId, label: "Me" }] : []),
          { value: "none", label: "Unassigned" },
          ...members.filter((m) => m.id !== myMemberId).map((m) => ({ value: m.id, label: memberName(m) })),
        ]}
      />
    </div>
  );
}

function FilterSelect({
  label,
  value,
  onChange,
  items,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  items: { value: string; label: string }[];
}) {
  const id = useId();
  return (
    <div className="flex min-w-0 flex-col gap-1">
      <Label htmlFor={id} className="text-xs text-muted-foreground">
        {label}
      </Label>
      <Select value={value} onValueChange={onChange}>
        <SelectTrigger id={id} size="sm" className="w-full min-w-0 text-xs [&>span]:truncate">
          <SelectValue />
        </SelectTrigger>
        <SelectContent>
          {items.map((item) => (
            <SelectItem key={item.value} value={item.value}>
              {item.label}
            </SelectItem>
          ))}
        </SelectContent>
      </Select>
    </div>
  );
}
