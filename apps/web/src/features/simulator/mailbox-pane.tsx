"use client";

import type { SimulatorMail } from "@tandem/contracts";
import { Inbox, Mail, Trash2 } from "lucide-react";
import { Fragment, useState } from "react";
import { EmptyState } from "@/components/empty-state";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import { errorMessage } from "@/lib/api";
import { formatDateTime, formatRelative } from "@/lib/format";
import { cn } from "@/lib/utils";
import { useClearMailbox, useSimulatorMailbox } from "./queries";

/**
 * The simulator's mailbox, like MailHog: every mail Tandem sent (password resets, invitations,
 * notices) while no SMTP server is configured. Links open in a new tab.
 */
export function MailboxPane() {
  const mailbox = useSimulatorMailbox();
  const clear = useClearMailbox();
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const messages = mailbox.data?.data ?? [];
  const selected = messages.find((m) => m.id === selectedId) ?? messages[0];

  if (mailbox.isError) {
    return (
      <Alert variant="destructive" className="max-w-5xl">
        <AlertDescription>{errorMessage(mailbox.error)}</AlertDescription>
      </Alert>
    );
  }
  if (mailbox.isPending) return <Skeleton className="h-96 w-full max-w-5xl" />;
  if (messages.length === 0) {
    return (
      <EmptyState
        icon={Inbox}
        title="No mail yet"
        description="Mail Tandem sends shows up here: ask for a password reset on the sign-in page, or invite a member."
        className="max-w-5xl flex-1 rounded-xl border"
      />
    );
  }

  return (
    <div className="flex min-h-0 w-full max-w-5xl flex-1 gap-4">
      <section aria-label="Messages" className="flex w-72 shrink-0 flex-col overflow-hidden rounded-xl border">
        <div className="flex items-center justify-between border-b px-3 py-2">
          <p className="text-sm font-medium">
            {messages.length} message{messages.length === 1 ? "" : "s"}
          </p>
          <Button variant="ghost" size="sm" onClick={() => clear.mutate()} disabled={clear.isPending}>
            <Trash2 aria-hidden="true" />
            Clear
          </Button>
        </div>
        <ul className="flex-1 overflow-y-auto">
          {messages.map((m) => (
            <li key={m.id}>
              <button
                type="button"
                onClick={() => setSelectedId(m.id)}
                aria-current={m.id === selected?.id || undefined}
                className={cn(
                  "flex w-full flex-col gap-0.5 border-b px-3 py-2 text-left outline-none hover:bg-muted/60 focus-visible:ring-[3px] focus-visible:ring-ring/50",
                  m.id === selected?.id && "bg-muted",
                )}
              >
                <span className="truncate text-sm font-medium">{m.subject || "(no subject)"}</span>
                <span className="truncate text-xs text-muted-foreground">To {m.to.join(", ")}</span>
                <time className="text-xs text-muted-foreground" dateTime={m.receivedAt}>
                  {formatRelative(m.receivedAt)}
                </time>
              </button>
            </li>
          ))}
        </ul>
      </section>
      {selected && <MailView key={selected.id} mail={selected} />}
    </div>
  );
}

function MailView({ mail }: { mail: SimulatorMail }) {
  const [view, setView] = useState<"text" | "html">("text");
  return (
    <article
      aria-label={`Mail: ${mail.subject}`}
      className="flex min-w-0 flex-1 flex-col overflow-hidden rounded-xl border"
    >
      <header className="flex flex-col gap-1 border-b px-4 py-3">
        <h2 className="flex items-center gap-2 text-base font-semibold">
          <Mail className="size-4 text-muted-foreground" aria-hidden="true" />
          {mail.subject || "(no subject)"}
        </h2>
        <dl className="grid grid-cols-[4rem_1fr] gap-x-2 text-xs">
          <dt className="text-muted-foreground">From</dt>
          <dd>{mail.from ?? mail.envelope.from ?? "—"}</dd>
          <dt className="text-muted-foreground">To</dt>
          <dd>{mail.to.join(", ") || mail.envelope.to.join(", ")}</dd>
          <dt className="text-muted-foreground">Received</dt>
          <dd>{formatDateTime(mail.receivedAt)}</dd>
        </dl>
        {mail.html && (
          <fieldset className="mt-1 flex gap-1">
            <legend className="sr-only">Show the mail as</legend>
            {(["text", "html"] as const).map((v) => (
              <Button
                key={v}
                size="sm"
                variant={view === v ? "outline" : "ghost"}
                aria-pressed={view === v}
                onClick={() => setView(v)}
              >
                {v === "text" ? "Text" : "HTML"}
              </Button>
            ))}
          </fieldset>
        )}
      </header>
      {view === "html" && mail.html ? (
        <iframe
          title={`HTML of ${mail.subject}`}
          // No scripts, no same-origin access; links open in a new tab.
          sandbox="allow-popups allow-popups-to-escape-sandbox"
          srcDoc={`<base target="_blank">${mail.html}`}
          className="min-h-96 w-full flex-1 bg-white"
        />
      ) : (
        <div className="flex-1 overflow-y-auto px-4 py-3 text-sm leading-relaxed whitespace-pre-wrap break-words">
          <Linkified text={mail.text ?? ""} />
        </div>
      )}
    </article>
  );
}

const URL_PATTERN = /(https?:\/\/[^\s<>"')\]]+)/g;

/** The text with its http(s) addresses as links. */
function Linkified({ text }: { text: string }) {
  const parts = text.split(URL_PATTERN);
  return (
    <>
      {parts.map((part, i) =>
        i % 2 === 1 ? (
          <a
            // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one text never move
            key={i}
            href={part}
            target="_blank"
            rel="noreferrer"
            className="text-primary underline underline-offset-2 break-all"
          >
            {part}
          </a>
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one text never move
          <Fragment key={i}>{part}</Fragment>
        ),
      )}
    </>
  );
}
