"use client";

import {
  type ContactConversationDto,
  ContactDetailDto,
  type ConversationDto,
  type UpdateContactInput,
} from "@tandem/contracts";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Pencil, Plus, X } from "lucide-react";
import Link from "next/link";
import { type FormEvent, useId, useState } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { api, errorMessage } from "@/lib/api";
import { formatRelative } from "@/lib/format";
import { inboxKeys } from "./cache";
import { ChannelMark } from "./channel-mark";
import { useNow } from "./use-now";

const contactKey = (id: string) => ["inbox", "contact", id] as const;

export function useContact(contactId: string | null) {
  return useQuery({
    queryKey: contactKey(contactId ?? ""),
    queryFn: ({ signal }) =>
      api.get(`/api/v1/contacts/${encodeURIComponent(contactId ?? "")}`, ContactDetailDto, signal),
    enabled: Boolean(contactId),
  });
}

function useUpdateContact(contactId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: UpdateContactInput) =>
      api.patch(`/api/v1/contacts/${encodeURIComponent(contactId)}`, input, ContactDetailDto),
    onSuccess: (dto) => {
      queryClient.setQueryData(contactKey(contactId), dto);
      // A new name shows in the list and the thread's header.
      void queryClient.invalidateQueries({ queryKey: inboxKeys.lists });
      void queryClient.invalidateQueries({ queryKey: ["inbox", "conversation"] });
    },
  });
}

type Draft = { name: string; email: string; phone: string; attributes: [string, string][] };

const draftOf = (c: ContactDetailDto): Draft => ({
  name: c.name ?? "",
  email: c.email ?? "",
  phone: c.phone ?? "",
  attributes: Object.entries(c.attributes),
});

/**
 * What the team knows about the customer beyond the platform's profile: name, e-mail, phone and
 * custom attributes, editable by every agent. The server's reason shows when a value is refused.
 */
export function ContactFields({ contactId }: { contactId: string }) {
  const contact = useContact(contactId);
  const update = useUpdateContact(contactId);
  const [draft, setDraft] = useState<Draft | null>(null);
  const id = useId();
  if (!contact.data) return null;
  const c = contact.data;

  if (!draft) {
    const rows: [string, string | null][] = [["E-mail", c.email], ["Phone", c.phone], ...Object.entries(c.attributes)];
    return (
      <div className="flex flex-col gap-2">
        <dl className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-3 gap-y-1.5 text-xs" data-testid="contact-fields">
          {rows.map(([label, value]) => (
            <div key={label} className="contents">
              <dt className="text-muted-foreground">{label}</dt>
              <dd className="truncate" title={value ?? undefined}>
                {value ?? <span className="text-muted-foreground">Not set</span>}
              </dd>
            </div>
          ))}
        </dl>
        <Button variant="outline" size="sm" className="h-7 self-start text-xs" onClick={() => setDraft(draftOf(c))}>
          <Pencil aria-hidden="true" />
          Edit details
        </Button>
      </div>
    );
  }

  const save = (event: FormEvent) => {
    event.preventDefault();
    const before = c.attributes;
    const attributes: Record<string, string | null> = {};
    const kept = new Set<string>();
    for (const [key, value] of draft.attributes) {
      const k = key.trim();
      if (!k) continue;
      kept.add(k);
      if (before[k] !== value.trim()) attributes[k] = value.trim();
    }
    for (const key of Object.keys(before)) if (!kept.has(key)) attributes[key] = null;
    const input: UpdateContactInput = {
      name: draft.name.trim() || null,
      email: draft.email.trim() || null,
      phone: draft.phone.trim() || null,
      ...(Object.keys(attributes).length > 0 ? { attributes } : {}),
    };
    update.mutate(input, {
      onSuccess: () => {
        setDraft(null);
        toast.success("Contact saved");
      },
    });
  };
  const field = (key: "name" | "email" | "phone", label: string, type = "text") => (
    <div className="flex flex-col gap-1">
      <label htmlFor={`${id}-${key}`} className="text-xs font-medium">
        {label}
      </label>
      <Input
        id={`${id}-${key}`}
        type={type}
        value={draft[key]}
        onChange={(event) => setDraft({ ...draft, [key]: event.target.value })}
        className="h-8 text-sm"
      />
    </div>
  );
  return (
    <form onSubmit={save} noValidate className="flex flex-col gap-2" aria-label="Edit contact">
      {field("name", "Name")}
      {field("email", "E-mail", "email")}
      {field("phone", "Phone", "tel")}
      <fieldset className="flex flex-col gap-1.5">
        <legend className="mb-1 text-xs font-medium">Custom attributes</legend>
        {draft.attributes.map(([key, value], i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place; the key may change as it is typed
          <div key={i} className="flex items-center gap-1">
            <Input
              aria-label={`Attribute ${i + 1} name`}
              value={key}
              placeholder="plan"
              onChange={(event) => {
                const next = [...draft.attributes];
                next[i] = [event.target.value, value];
                setDraft({ ...draft, attributes: next });
              }}
              className="h-8 min-w-0 flex-1 font-mono text-xs"
            />
            <Input
              aria-label={`Attribute ${i + 1} value`}
              value={value}
              placeholder="gold"
              onChange={(event) => {
                const next = [...draft.attributes];
                next[i] = [key, event.target.value];
                setDraft({ ...draft, attributes: next });
              }}
              className="h-8 min-w-0 flex-1 text-xs"
            />
            <Button
              type="button"
              variant="ghost"
              size="icon-sm"
              aria-label={`Remove attribute ${key || i + 1}`}
              onClick={() => setDraft({ ...draft, attributes: draft.attributes.filter((_, j) => j !== i) })}
            >
              <X aria-hidden="true" />
            </Button>
          </div>
        ))}
        <Button
          type="button"
          variant="ghost"
          size="sm"
          className="h-7 self-start text-xs"
          onClick={() => setDraft({ ...draft, attributes: [...draft.attributes, ["", ""]] })}
        >
          <Plus aria-hidden="true" />
          Add attribute
        </Button>
      </fieldset>
      {update.isError && (
        <p role="alert" className="text-xs text-destructive">
          {errorMessage(update.error)}
        </p>
      )}
      <div className="flex gap-2">
        <Button type="submit" size="sm" className="h-7 text-xs" disabled={update.isPending}>
          Save
        </Button>
        <Button type="button" variant="ghost" size="sm" className="h-7 text-xs" onClick={() => setDraft(null)}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

/** The person's conversations (this channel, and others with the same e-mail or phone), each opening in the inbox. */
export function ContactConversations({ contactId, current }: { contactId: string; current: ConversationDto }) {
  const contact = useContact(contactId);
  const now = useNow(60_000);
  const others = (contact.data?.conversations ?? []).filter((c) => c.id !== current.id);
  if (others.length === 0) {
    return <p className="text-xs text-muted-foreground">No other conversations.</p>;
  }
  return (
    <ul className="flex flex-col gap-1" aria-label="Other conversations">
      {others.map((c: ContactConversationDto) => (
        <li key={c.id}>
          <Link
            href={`/dashboard?c=${encodeURIComponent(c.id)}`}
            className="flex items-center gap-2 rounded-md px-1.5 py-1 text-xs hover:bg-accent"
          >
            {c.channel && <ChannelMark type={c.channel.type} className="ring-0" />}
            <span className="min-w-0 flex-1 truncate">{c.lastMessage?.text ?? "No messages"}</span>
            <span className="shrink-0 text-muted-foreground">
              {c.status === "CLOSED" ? "Closed · " : ""}
              {formatRelative(c.lastMessageAt, now)}
            </span>
          </Link>
        </li>
      ))}
    </ul>
  );
}
