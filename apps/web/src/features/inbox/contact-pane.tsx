"use client";

import type { ConversationDto, MessageDto, VisitorPresenceDto } from "@tandem/contracts";
import { ArrowLeft, BadgeCheck, Lock, Plus, UserRound, X } from "lucide-react";
import { type FormEvent, type ReactNode, useEffect, useId, useRef, useState } from "react";
import { toast } from "sonner";
import { EmptyState } from "@/components/empty-state";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Textarea } from "@/components/ui/textarea";
import { errorMessage } from "@/lib/api";
import { formatDateTime, formatRelative } from "@/lib/format";
import { cn } from "@/lib/utils";
import { flattenMessages } from "./cache";
import { CHANNEL_TYPE_LABELS, ChannelMark } from "./channel-mark";
import { ContactAvatar, isActiveNow } from "./contact-avatar";
import { ContactConversations, ContactFields } from "./contact-details";
import { contactName, memberName, senderName } from "./people";
import { PresenceDot } from "./presence";
import { useConversation, useInboxOptions, useMessages, useUpdateConversation } from "./queries";
import { useNow } from "./use-now";

/** Who the customer is, and what the team keeps about the conversation: tags, assignee, notes. */
export function ContactPane({
  conversationId,
  className,
  onBack,
}: {
  conversationId: string | null;
  className?: string;
  /** Back to the thread, where the panel is not beside it (below 1,280 px). */
  onBack: () => void;
}) {
  const conversation = useConversation(conversationId);
  return (
    <aside
      aria-labelledby="contact-heading"
      className={cn(
        "flex min-w-0 flex-1 flex-col bg-background lg:border-l xl:w-64 xl:flex-none xl:shrink-0 2xl:w-72",
        className,
      )}
    >
      <header className="flex h-14 shrink-0 items-center gap-2 border-b px-2 xl:px-4">
        <Button
          variant="ghost"
          size="icon-sm"
          aria-label="Back to the conversation"
          className="xl:hidden"
          onClick={onBack}
        >
          <ArrowLeft aria-hidden="true" />
        </Button>
        <h2 id="contact-heading" className="text-sm font-semibold">
          Contact
        </h2>
      </header>
      {conversation.data ? (
        <div className="flex min-h-0 flex-1 flex-col overflow-y-auto">
          <Profile conversation={conversation.data} />
          {conversation.data.contact && (
            <>
              <Section title="Details">
                <ContactFields key={conversation.data.contact.id} contactId={conversation.data.contact.id} />
              </Section>
              <Section title="Conversations">
                <ContactConversations contactId={conversation.data.contact.id} current={conversation.data} />
              </Section>
            </>
          )}
          <Tags key={`tags-${conversation.data.id}`} conversation={conversation.data} />
          <Assignee conversation={conversation.data} />
          <Notes key={`notes-${conversation.data.id}`} conversation={conversation.data} />
          <InternalNotes conversation={conversation.data} />
        </div>
      ) : (
        <div className="flex min-h-0 flex-1 items-center justify-center">
          <EmptyState
            icon={UserRound}
            title="No conversation open"
            description="Profile, channel, tags, assignee and notes of the open conversation appear here."
          />
        </div>
      )}
    </aside>
  );
}

function Section({ title, children, className }: { title: string; children: ReactNode; className?: string }) {
  const id = useId();
  return (
    <section aria-labelledby={id} className={cn("flex flex-col gap-2 border-b px-4 py-4", className)}>
      <h3 id={id} className="text-xs font-semibold tracking-wide text-muted-foreground uppercase">
        {title}
      </h3>
      {children}
    </section>
  );
}

function Profile({ conversation }: { conversation: ConversationDto }) {
  const now = useNow(30_000);
  const contact = conversation.contact;
  const channel = conversation.channel;
  const platformIdLabel =
    channel?.type === "messenger"
      ? "PSID"
      : channel?.type === "line"
        ? contact?.kind === "group"
          ? "LINE group ID"
          : contact?.kind === "room"
            ? "LINE room ID"
            : "LINE user ID"
        : "Visitor ID";
  return (
    <section aria-label="Profile" className="flex flex-col items-center gap-2 border-b px-4 py-5 text-center">
      <ContactAvatar conversation={conversation} size="lg" showChannel={false} now={now} />
      <p className="text-base font-semibold">{contactName(conversation)}</p>
      <dl className="grid w-full grid-cols-[auto_minmax(0,1fr)] gap-x-3 gap-y-1.5 text-left text-xs">
        <dt className="text-muted-foreground">Channel</dt>
        <dd className="flex min-w-0 items-center gap-1.5">
          {channel ? (
            <>
              <ChannelMark type={channel.type} className="ring-0" />
              <span className="truncate" title={`${CHANNEL_TYPE_LABELS[channel.type]} · ${channel.name}`}>
                {channel.name}
              </span>
            </>
          ) : (
            "None"
          )}
        </dd>
        <dt className="text-muted-foreground">Chatbot</dt>
        <dd className="truncate" data-testid="contact-chatbot" title={conversation.chatbot?.name}>
          {conversation.chatbot?.name ?? "None"}
        </dd>
        <dt className="text-muted-foreground">{platformIdLabel}</dt>
        <dd className="truncate font-mono" title={contact?.platformUserId}>
          {contact?.platformUserId ?? "Unknown"}
        </dd>
        <dt className="text-muted-foreground">Locale</dt>
        <dd>{contact?.locale ?? "Unknown"}</dd>
        <dt className="text-muted-foreground">Last seen</dt>
        <dd data-testid="contact-last-seen">
          {contact?.lastSeenAt
            ? isActiveNow(conversation, now)
              ? "Active now"
              : formatRelative(contact.lastSeenAt, now)
            : "Not yet"}
        </dd>
        {contact?.visitor && <VisitorRows visitor={contact.visitor} />}
        <dt className="text-muted-foreground">Since</dt>
        <dd>{formatDateTime(conversation.createdAt)}</dd>
        {contact?.unfollowedAt && (
          <>
            <dt className="text-muted-foreground">Following</dt>
            <dd data-testid="contact-unfollowed" className="text-destructive">
              Unfollowed {formatRelative(contact.unfollowedAt, now)}: pushes no longer reach them
            </dd>
          </>
        )}
      </dl>
    </section>
  );
}

/** A website widget visitor: the page they are on (while online, else the last one), browser, identity. */
function VisitorRows({ visitor }: { visitor: VisitorPresenceDto }) {
  const browser = [visitor.browser, visitor.os].filter(Boolean).join(" on ");
  const page = visitor.pageUrl && safeHttpUrl(visitor.pageUrl);
  return (
    <>
      <dt className="text-muted-foreground">{visitor.online ? "On page" : "Last page"}</dt>
      <dd className="min-w-0" data-testid="visitor-page">
        {page ? (
          <a
            href={page}
            target="_blank"
            rel="noopener noreferrer"
            className="block truncate underline underline-offset-2"
            title={visitor.pageUrl ?? undefined}
          >
            {visitor.pageTitle || visitor.pageUrl}
          </a>
        ) : (
          "Unknown"
        )}
      </dd>
      <dt className="text-muted-foreground">Browser</dt>
      <dd className="truncate" data-testid="visitor-browser">
        {browser || "Unknown"}
      </dd>
      <dt className="text-muted-foreground">Identity</dt>
      <dd data-testid="visitor-identity">
        {visitor.verified ? (
          <span className="inline-flex items-center gap-1 rounded-md bg-success/15 px-1.5 py-0.5 font-medium text-success">
            <BadgeCheck className="size-3" aria-hidden="true" />
            Verified
          </span>
        ) : (
          <span className="text-muted-foreground">Not verified</span>
        )}
      </dd>
    </>
  );
}

/** Only http(s) addresses become links: a page URL is whatever the visitor's browser reported. */
function safeHttpUrl(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

function Tags({ conversation }: { conversation: ConversationDto }) {
  const update = useUpdateConversation(conversation.id);
  const options = useInboxOptions();
  const [tag, setTag] = useState("");
  const inputId = useId();
  const listId = useId();
  const save = (tags: string[]) =>
    update.mutate(
      { tags },
      { onError: (error) => toast.error("Could not save the tags", { description: errorMessage(error) }) },
    );
  const add = (event: FormEvent) => {
    event.preventDefault();
    const value = tag.trim().replace(/\s+/g, " ").toLowerCase();
    if (!value) return;
    if (!conversation.tags.includes(value)) save([...conversation.tags, value]);
    setTag("");
  };
  const suggestions = (options.data?.tags ?? []).filter((t) => !conversation.tags.includes(t));
  return (
    <Section title="Tags">
      {conversation.tags.length > 0 ? (
        <ul className="flex flex-wrap gap-1.5" aria-label="Tags of this conversation">
          {conversation.tags.map((t) => (
            <li key={t} className="flex items-center gap-0.5 rounded-md bg-secondary py-0.5 pr-0.5 pl-2 text-xs">
              {t}
              <button
                type="button"
                aria-label={`Remove tag ${t}`}
                disabled={update.isPending}
                onClick={() => save(conversation.tags.filter((x) => x !== t))}
                className="rounded p-0.5 text-muted-foreground outline-none hover:text-foreground focus-visible:ring-[3px] focus-visible:ring-ring/50"
              >
                <X className="size-3" aria-hidden="true" />
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="text-xs text-muted-foreground">No tags yet.</p>
      )}
      <form onSubmit={add} className="flex gap-1.5">
        <label htmlFor={inputId} className="sr-only">
          Add a tag
        </label>
        <Input
          id={inputId}
          value={tag}
          onChange={(event) => setTag(event.target.value)}
          placeholder="Add a tag"
          maxLength={50}
          list={listId}
          className="h-8 text-xs"
        />
        <datalist id={listId}>
          {suggestions.map((t) => (
            <option key={t} value={t} />
          ))}
        </datalist>
        <Button type="submit" size="icon-sm" variant="outline" aria-label="Add tag" disabled={!tag.trim()}>
          <Plus aria-hidden="true" />
        </Button>
      </form>
    </Section>
  );
}

function Assignee({ conversation }: { conversation: ConversationDto }) {
  const options = useInboxOptions();
  const member = options.data?.members.find((m) => m.id === conversation.assigneeId);
  return (
    <Section title="Assignee">
      {conversation.assigneeId ? (
        <p className="flex items-center gap-2 text-sm">
          {member && <PresenceDot userId={member.userId} />}
          {member ? memberName(member) : "A former member"}
        </p>
      ) : (
        <p className="text-xs text-muted-foreground">Unassigned. Pick someone in the toolbar above the thread.</p>
      )}
    </Section>
  );
}

function Notes({ conversation }: { conversation: ConversationDto }) {
  const update = useUpdateConversation(conversation.id);
  const saved = conversation.notes ?? "";
  const [notes, setNotes] = useState(saved);
  const id = useId();
  const dirty = notes !== saved;
  // A teammate saved new notes: show them, unless this agent is in the middle of editing.
  const lastSaved = useRef(saved);
  useEffect(() => {
    if (saved === lastSaved.current) return;
    setNotes((current) => (current === lastSaved.current ? saved : current));
    lastSaved.current = saved;
  }, [saved]);
  return (
    <Section title="Conversation notes">
      <label htmlFor={id} className="sr-only">
        Conversation notes
      </label>
      <Textarea
        id={id}
        value={notes}
        onChange={(event) => setNotes(event.target.value)}
        placeholder="Order numbers, context for the next agent…"
        maxLength={10_000}
        className="min-h-20 text-xs"
      />
      <div className="flex items-center justify-end gap-2">
        {dirty && saved !== "" && (
          <Button size="sm" variant="ghost" className="h-7 text-xs" onClick={() => setNotes(saved)}>
            Undo changes
          </Button>
        )}
        <Button
          size="sm"
          className="h-7 text-xs"
          variant="outline"
          disabled={!dirty || update.isPending}
          onClick={() =>
            update.mutate(
              { notes: notes.trim() ? notes : null },
              {
                onSuccess: () => toast.success("Notes saved"),
                onError: (error) => toast.error("Could not save the notes", { description: errorMessage(error) }),
              },
            )
          }
        >
          {update.isPending ? "Saving…" : dirty ? "Save notes" : "Saved"}
        </Button>
      </div>
    </Section>
  );
}

/** The panel lists the latest notes; the thread has every one. */
const NOTES_SHOWN = 10;

function InternalNotes({ conversation }: { conversation: ConversationDto }) {
  const messages = useMessages(conversation.id);
  const options = useInboxOptions();
  const all: MessageDto[] = flattenMessages(messages.data).filter((m) => m.kind === "note");
  const notes = all.slice(-NOTES_SHOWN).reverse();
  return (
    <Section title="Internal notes" className="border-b-0">
      {notes.length === 0 ? (
        <p className="text-xs text-muted-foreground">
          None in the loaded messages. Write one with “Internal note” in the composer; customers never see them.
        </p>
      ) : (
        <ul className="flex flex-col gap-2">
          {notes.map((note) => (
            <li
              key={note.id}
              className="rounded-md border border-dashed border-warning/50 bg-warning/10 px-2.5 py-2 text-xs"
            >
              <p className="mb-0.5 flex items-center gap-1 font-medium">
                <Lock className="size-3 text-warning" aria-hidden="true" />
                {senderName(note, conversation, options.data?.members)}
                <time dateTime={note.createdAt} className="ml-auto font-normal text-muted-foreground">
                  {formatDateTime(note.createdAt)}
                </time>
              </p>
              <p className="break-words whitespace-pre-wrap">{note.text}</p>
            </li>
          ))}
        </ul>
      )}
      {all.length > notes.length && (
        <p className="text-xs text-muted-foreground">
          The {notes.length} latest of {all.length} loaded; all of them are in the thread.
        </p>
      )}
    </Section>
  );
}
