"use client";

import {
  ChannelType,
  MESSAGE_LOG_EXPORT_MAX_ROWS,
  type MessageLogEntry,
  MessageRole,
  MessageStatus,
} from "@tandem/contracts";
import { Download, ScrollText, Search } from "lucide-react";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { type ReactNode, useCallback, useEffect, useId, useMemo, useRef, useState } from "react";
import { EmptyState } from "@/components/empty-state";
import { PageHeader } from "@/components/page-header";
import { TableSkeleton } from "@/components/table-skeleton";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { ForbiddenState } from "@/features/auth/forbidden-state";
import { can } from "@/features/auth/permissions";
import { useCurrentUser } from "@/features/auth/queries";
import { useChatbots } from "@/features/chatbots/crud-queries";
import { NativeSelect } from "@/features/chatbots/native-select";
import { ChannelMark } from "@/features/inbox/channel-mark";
import { useInboxOptions } from "@/features/inbox/queries";
import { errorMessage, isApiError } from "@/lib/api";
import { formatDateTime } from "@/lib/format";
import { cn } from "@/lib/utils";
import {
  authorLabel,
  EMPTY_FILTERS,
  filtersFromSearchParams,
  inboxHref,
  type LogFilters,
  logSearchParams,
} from "./filters";
import { useMessageLog } from "./queries";
import { WebhookSummary } from "./webhook-summary";

const CHANNEL_TYPE_NAMES: Record<ChannelType, string> = {
  messenger: "Messenger",
  line: "LINE",
  web: "Website widget",
  api: "API",
};
const ROLE_NAMES: Record<MessageRole, string> = { USER: "Customer", AGENT: "Agent", BOT: "Bot", SYSTEM: "System" };

/**
 * `/logs`: every message of the workspace, filtered, newest first; a row opens it in the inbox. The
 * filters live in the URL (the list's own query parameters): a link shows the same rows, and Back
 * returns to the previous filters. Each choice is a history entry; the text search, committed 300 ms
 * after typing stops, replaces the current one.
 */
export function LogsPage() {
  const me = useCurrentUser();
  const allowed = can(me, "logs.read");
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const filters = useMemo(() => filtersFromSearchParams(searchParams), [searchParams]);
  const navigate = useCallback(
    (next: LogFilters, how: "push" | "replace" = "push") => {
      const query = logSearchParams(next).toString();
      router[how](query ? `${pathname}?${query}` : pathname, { scroll: false });
    },
    [router, pathname],
  );
  const [typed, setTyped] = useState(filters.text);
  // The text last sent to the URL: a different one in the URL came from Back or a link.
  const committed = useRef(filters.text);
  useEffect(() => {
    if (filters.text !== committed.current) {
      committed.current = filters.text;
      setTyped(filters.text);
    }
  }, [filters.text]);
  useEffect(() => {
    if (typed.trim() === committed.current.trim()) return;
    const timer = setTimeout(() => {
      committed.current = typed.trim();
      navigate({ ...filters, text: typed }, "replace");
    }, 300);
    return () => clearTimeout(timer);
  }, [typed, filters, navigate]);
  const params = useMemo(() => logSearchParams(filters), [filters]);
  const log = useMessageLog(params, allowed);
  const options = useInboxOptions();
  const chatbots = useChatbots();

  if (!allowed || isApiError(log.error, 403)) return <ForbiddenState />;

  const set =
    <K extends keyof LogFilters>(key: K) =>
    (value: LogFilters[K]) => {
      committed.current = typed.trim();
      navigate({ ...filters, text: typed, [key]: value });
    };
  const rows = log.data?.pages.flatMap((p) => p.data) ?? [];
  const filtered = params.toString() !== "";
  const csvHref = `/api/v1/logs/messages.csv${filtered ? `?${params}` : ""}`;

  return (
    <div className="flex flex-col gap-4">
      <PageHeader
        title="Message log"
        description="Every message on every channel, newest first: customers, agents, bots and system events. Open a row to see it in its conversation."
        actions={
          <Button asChild variant="outline" size="sm">
            <a href={csvHref} download>
              <Download className="size-4" aria-hidden="true" />
              Export CSV
            </a>
          </Button>
        }
      />
      <WebhookSummary />
      <form
        aria-label="Filters"
        className="grid grid-cols-2 gap-2 sm:grid-cols-3 lg:grid-cols-4 xl:grid-cols-8"
        onSubmit={(e) => e.preventDefault()}
      >
        <FilterSelect label="Channel" value={filters.channelId} onChange={set("channelId")}>
          <option value="">All channels</option>
          {options.data?.channels.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name} ({CHANNEL_TYPE_NAMES[c.type]})
            </option>
          ))}
        </FilterSelect>
        <FilterSelect
          label="Channel type"
          value={filters.channelType}
          onChange={(v) => set("channelType")(v as LogFilters["channelType"])}
        >
          <option value="">All types</option>
          {ChannelType.options.map((t) => (
            <option key={t} value={t}>
              {CHANNEL_TYPE_NAMES[t]}
            </option>
          ))}
        </FilterSelect>
        <FilterSelect label="Chatbot" value={filters.chatbotId} onChange={set("chatbotId")}>
          <option value="">All chatbots</option>
          {chatbots.data?.pages
            .flatMap((p) => p.data)
            .map((b) => (
              <option key={b.id} value={b.id}>
                {b.name}
              </option>
            ))}
        </FilterSelect>
        <FilterSelect label="Agent" value={filters.agentId} onChange={set("agentId")}>
          <option value="">All agents</option>
          {options.data?.members.map((m) => (
            <option key={m.id} value={m.id}>
              {m.name ?? m.email}
            </option>
          ))}
        </FilterSelect>
        <FilterSelect label="Role" value={filters.role} onChange={(v) => set("role")(v as LogFilters["role"])}>
          <option value="">All roles</option>
          {MessageRole.options.map((r) => (
            <option key={r} value={r}>
              {ROLE_NAMES[r]}
            </option>
          ))}
        </FilterSelect>
        <FilterSelect label="Status" value={filters.status} onChange={(v) => set("status")(v as LogFilters["status"])}>
          <option value="">All statuses</option>
          {MessageStatus.options.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </FilterSelect>
        <FilterInput label="From" type="datetime-local" value={filters.from} onChange={set("from")} />
        <FilterInput label="To" type="datetime-local" value={filters.to} onChange={set("to")} />
        <div className="relative col-span-2 sm:col-span-3 lg:col-span-4 xl:col-span-8">
          <Search
            className="pointer-events-none absolute top-1/2 left-2.5 size-4 -translate-y-1/2 text-muted-foreground"
            aria-hidden="true"
          />
          <Input
            type="search"
            aria-label="Search message text"
            placeholder="Search message text (any language)"
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            className="pl-8"
          />
        </div>
      </form>
      <p className="text-xs text-muted-foreground">
        Export CSV downloads the rows of these filters, up to {MESSAGE_LOG_EXPORT_MAX_ROWS.toLocaleString()} (the
        newest); exports are recorded in the audit log.
        {filtered && (
          <>
            {" "}
            <button
              type="button"
              className="text-primary underline-offset-4 hover:underline"
              onClick={() => {
                committed.current = "";
                setTyped("");
                navigate(EMPTY_FILTERS);
              }}
            >
              Clear filters
            </button>
          </>
        )}
      </p>
      {log.isError && (
        <Alert variant="destructive">
          <AlertDescription>{errorMessage(log.error)}</AlertDescription>
        </Alert>
      )}
      {log.isPending ? (
        <TableSkeleton rows={8} />
      ) : rows.length === 0 ? (
        <EmptyState
          icon={ScrollText}
          title={filtered ? "No messages match these filters" : "No messages yet"}
          description={
            filtered ? "Widen the time range or clear a filter." : "Messages appear here as soon as customers write."
          }
        />
      ) : (
        <div className="rounded-md border">
          <div className="grid grid-cols-[10rem_11rem_11rem_1fr_6rem] gap-3 border-b bg-muted/40 px-3 py-2 text-xs font-medium text-muted-foreground max-md:hidden">
            <span>Time</span>
            <span>Channel · contact</span>
            <span>Author</span>
            <span>Message</span>
            <span>Status</span>
          </div>
          <ul aria-label="Messages" className="divide-y">
            {rows.map((entry) => (
              <LogRow key={entry.id} entry={entry} />
            ))}
          </ul>
        </div>
      )}
      {log.hasNextPage && (
        <Button
          variant="outline"
          className="self-center"
          onClick={() => log.fetchNextPage()}
          disabled={log.isFetchingNextPage}
        >
          {log.isFetchingNextPage ? "Loading…" : "Load more"}
        </Button>
      )}
    </div>
  );
}

function LogRow({ entry }: { entry: MessageLogEntry }) {
  const failed = entry.status === "failed";
  const botDetails =
    entry.role === "BOT" && entry.model
      ? [
          entry.model,
          entry.latencyMs !== null ? `${(entry.latencyMs / 1000).toFixed(1)} s` : null,
          entry.inputTokens !== null ? `${entry.inputTokens} → ${entry.outputTokens ?? 0} tokens` : null,
        ]
          .filter(Boolean)
          .join(" · ")
      : null;
  return (
    <li>
      <Link
        href={inboxHref(entry)}
        aria-label={`Open the message of ${formatDateTime(entry.createdAt)} in its conversation`}
        className={cn(
          "grid gap-x-3 gap-y-1 px-3 py-2 text-sm hover:bg-muted/50 focus-visible:bg-muted/50 focus-visible:outline-none md:grid-cols-[10rem_11rem_11rem_1fr_6rem]",
          failed && "bg-destructive/5",
        )}
      >
        <time dateTime={entry.createdAt} className="text-xs text-muted-foreground tabular-nums md:text-sm">
          {formatDateTime(entry.createdAt)}
        </time>
        <span className="flex min-w-0 items-center gap-1.5">
          {entry.channel && <ChannelMark type={entry.channel.type} className="ring-0" />}
          <span className="truncate">
            {entry.channel?.name ?? "—"}
            {entry.contact?.name ? ` · ${entry.contact.name}` : ""}
          </span>
        </span>
        <span className="min-w-0 truncate">
          <span className="text-muted-foreground">{ROLE_NAMES[entry.role]}: </span>
          {authorLabel(entry)}
        </span>
        <span className="min-w-0">
          <span className="line-clamp-2 break-words">
            {entry.kind === "note" && (
              <Badge variant="outline" className="mr-1">
                Note
              </Badge>
            )}
            {entry.text ?? (entry.attachments > 0 ? "" : <span className="text-muted-foreground">(no text)</span>)}
            {entry.textTruncated && "…"}
            {entry.attachments > 0 && (
              <span className="text-muted-foreground">
                {" "}
                [{entry.attachments === 1 ? "1 attachment" : `${entry.attachments} attachments`}]
              </span>
            )}
          </span>
          {botDetails && <span className="block text-xs text-muted-foreground">{botDetails}</span>}
          {failed && (entry.errorCode || entry.errorMessage) && (
            <span className="block text-xs text-destructive">
              {entry.errorMessage ?? ""}
              {entry.errorCode ? ` (${entry.errorCode})` : ""}
            </span>
          )}
        </span>
        <span>
          <Badge variant={failed ? "destructive" : "secondary"}>{entry.status}</Badge>
        </span>
      </Link>
    </li>
  );
}

function FilterSelect({
  label,
  value,
  onChange,
  children,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  children: ReactNode;
}) {
  const id = useId();
  return (
    <div className="flex min-w-0 flex-col gap-1">
      <label htmlFor={id} className="text-xs text-muted-foreground">
        {label}
      </label>
      <NativeSelect id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {children}
      </NativeSelect>
    </div>
  );
}

function FilterInput({
  label,
  type,
  value,
  onChange,
}: {
  label: string;
  type: string;
  value: string;
  onChange: (value: string) => void;
}) {
  const id = useId();
  return (
    <div className="flex min-w-0 flex-col gap-1">
      <label htmlFor={id} className="text-xs text-muted-foreground">
        {label}
      </label>
      <Input id={id} type={type} value={value} onChange={(e) => onChange(e.target.value)} className="h-9" />
    </div>
  );
}
