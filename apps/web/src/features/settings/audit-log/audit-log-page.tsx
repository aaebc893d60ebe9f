"use client";

import type { AuditActor, AuditLogEntryDto } from "@tandem/contracts";
import { ChevronDown, ScrollText } from "lucide-react";
import { useEffect, useId, useMemo, useState } from "react";
import { EmptyState } from "@/components/empty-state";
import { PageHeader } from "@/components/page-header";
import { TableSkeleton } from "@/components/table-skeleton";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { ForbiddenState } from "@/features/auth/forbidden-state";
import { can } from "@/features/auth/permissions";
import { useCurrentUser } from "@/features/auth/queries";
import { NativeSelect } from "@/features/chatbots/native-select";
import { errorMessage, isApiError } from "@/lib/api";
import { formatDateTime, formatRelative } from "@/lib/format";
import { cn } from "@/lib/utils";
import { type AuditLogSearch, useAuditLog, useAuditLogFilters } from "./queries";
import { snapshotDiff } from "./snapshot-diff";

const NO_FILTER: AuditLogSearch = { actor: "", action: "", entityType: "", entityId: "", from: "", to: "" };

/** The filter value of an actor: a user id, a token id, or `system`. */
const actorValue = (a: AuditActor) =>
  (a.type === "system" ? "system" : a.type === "token" ? a.tokenId : a.userId) ?? "";

/** `datetime-local` (the browser's time zone) → ISO, or "" while incomplete. */
function isoOf(local: string): string {
  const date = local ? new Date(local) : null;
  return date && !Number.isNaN(date.getTime()) ? date.toISOString() : "";
}

/** Who changed what, signed in or exported, and from where (OWNER / ADMIN). */
export function AuditLogPage() {
  const me = useCurrentUser();
  const allowed = can(me, "audit.read");
  const [search, setSearch] = useState<AuditLogSearch>(NO_FILTER);
  const [typedEntityId, setTypedEntityId] = useState("");
  const [fromLocal, setFromLocal] = useState("");
  const [toLocal, setToLocal] = useState("");
  useEffect(() => {
    const timer = setTimeout(() => setSearch((s) => ({ ...s, entityId: typedEntityId.trim() })), 300);
    return () => clearTimeout(timer);
  }, [typedEntityId]);
  useEffect(() => setSearch((s) => ({ ...s, from: isoOf(fromLocal), to: isoOf(toLocal) })), [fromLocal, toLocal]);

  const filters = useAuditLogFilters(allowed);
  const log = useAuditLog(search, allowed);
  const rows = log.data?.pages.flatMap((p) => p.data) ?? [];
  const ids = {
    actor: useId(),
    action: useId(),
    entityType: useId(),
    entityId: useId(),
    from: useId(),
    to: useId(),
  };
  const prefixes = useMemo(
    () => [...new Set((filters.data?.actions ?? []).map((a) => `${a.split(".")[0]}.`))],
    [filters.data],
  );
  const filtered = Object.values(search).some(Boolean);

  if (!allowed || isApiError(log.error, 403)) return <ForbiddenState />;

  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title="Audit log"
        description="Who changed which setting, who signed in (or failed to) and who exported data — with when and from where. Secrets always show as ••••."
      />
      <Card>
        <CardContent className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
          <div className="flex flex-col gap-1.5">
            <label htmlFor={ids.actor} className="text-sm font-medium">
              Who
            </label>
            <NativeSelect
              id={ids.actor}
              value={search.actor}
              onChange={(e) => setSearch((s) => ({ ...s, actor: e.target.value }))}
            >
              <option value="">Anyone</option>
              {filters.data?.actors.map((a) => (
                <option key={`${a.type}:${actorValue(a)}`} value={actorValue(a)}>
                  {a.label}
                </option>
              ))}
            </NativeSelect>
          </div>
          <div className="flex flex-col gap-1.5">
            <label htmlFor={ids.action} className="text-sm font-medium">
              Action
            </label>
            <NativeSelect
              id={ids.action}
              value={search.action}
              onChange={(e) => setSearch((s) => ({ ...s, action: e.target.value }))}
            >
              <option value="">Any action</option>
              {prefixes.length > 1 && (
                <optgroup label="Areas">
                  {prefixes.map((p) => (
                    <option key={p} value={p}>
                      {p}* (all)
                    </option>
                  ))}
                </optgroup>
              )}
              <optgroup label="Actions">
                {filters.data?.actions.map((a) => (
                  <option key={a} value={a}>
                    {a}
                  </option>
                ))}
              </optgroup>
            </NativeSelect>
          </div>
          <div className="flex flex-col gap-1.5">
            <label htmlFor={ids.entityType} className="text-sm font-medium">
              Entity
            </label>
            <NativeSelect
              id={ids.entityType}
              value={search.entityType}
              onChange={(e) => setSearch((s) => ({ ...s, entityType: e.target.value }))}
            >
              <option value="">Any entity</option>
              {filters.data?.entityTypes.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </NativeSelect>
          </div>
          <div className="flex flex-col gap-1.5">
            <label htmlFor={ids.entityId} className="text-sm font-medium">
              Entity id
            </label>
            <Input
              id={ids.entityId}
              value={typedEntityId}
              placeholder="e.g. ch_01J…"
              onChange={(e) => setTypedEntityId(e.target.value)}
            />
          </div>
          <div className="flex flex-col gap-1.5">
            <label htmlFor={ids.from} className="text-sm font-medium">
              From
            </label>
            <Input
              id={ids.from}
              type="datetime-local"
              value={fromLocal}
              onChange={(e) => setFromLocal(e.target.value)}
            />
          </div>
          <div className="flex flex-col gap-1.5">
            <label htmlFor={ids.to} className="text-sm font-medium">
              Until
            </label>
            <Input id={ids.to} type="datetime-local" value={toLocal} onChange={(e) => setToLocal(e.target.value)} />
          </div>
          {filtered && (
            <div className="sm:col-span-2 lg:col-span-3">
              <Button
                variant="ghost"
                size="sm"
                onClick={() => {
                  setSearch(NO_FILTER);
                  setTypedEntityId("");
                  setFromLocal("");
                  setToLocal("");
                }}
              >
                Clear filters
              </Button>
            </div>
          )}
        </CardContent>
      </Card>

      {log.isError && (
        <Alert variant="destructive">
          <AlertDescription>{errorMessage(log.error)}</AlertDescription>
        </Alert>
      )}

      <Card className="py-0">
        {log.isPending && !log.isError ? (
          <div className="py-4">
            <TableSkeleton rows={5} />
          </div>
        ) : rows.length === 0 && !log.isError ? (
          <EmptyState
            icon={ScrollText}
            title={filtered ? "Nothing matches these filters" : "Nothing recorded yet"}
            description={
              filtered
                ? "Try another person, action or time range."
                : "Settings changes, sign-ins and exports will be listed here."
            }
          />
        ) : (
          <div>
            <div
              aria-hidden
              className="hidden grid-cols-[minmax(0,1.2fr)_minmax(0,1.3fr)_minmax(0,1fr)_minmax(0,0.8fr)_1.5rem] gap-3 border-b px-4 py-2 text-xs font-medium text-muted-foreground md:grid"
            >
              <span>Who</span>
              <span>What</span>
              <span>When</span>
              <span>IP</span>
              <span />
            </div>
            <ul aria-label="Audit log" className="divide-y">
              {rows.map((row) => (
                <AuditRow key={row.id} row={row} />
              ))}
            </ul>
          </div>
        )}
      </Card>

      {log.hasNextPage && (
        <div className="flex justify-center">
          <Button variant="outline" onClick={() => log.fetchNextPage()} disabled={log.isFetchingNextPage}>
            {log.isFetchingNextPage ? "Loading…" : "Load more"}
          </Button>
        </div>
      )}
    </div>
  );
}

function AuditRow({ row }: { row: AuditLogEntryDto }) {
  const [open, setOpen] = useState(false);
  const detailsId = useId();
  return (
    <li data-testid="audit-row">
      <button
        type="button"
        aria-expanded={open}
        aria-controls={detailsId}
        onClick={() => setOpen((o) => !o)}
        className="grid w-full grid-cols-[minmax(0,1fr)_1.5rem] gap-x-3 gap-y-1 px-4 py-3 text-left text-sm outline-none hover:bg-muted/40 focus-visible:bg-muted/40 focus-visible:ring-[3px] focus-visible:ring-ring/50 md:grid-cols-[minmax(0,1.2fr)_minmax(0,1.3fr)_minmax(0,1fr)_minmax(0,0.8fr)_1.5rem] md:items-center"
      >
        <span
          className="col-start-1 row-start-1 min-w-0 truncate font-medium"
          title={row.actor.email ?? row.actor.label}
        >
          {row.actor.label}
        </span>
        <ChevronDown
          aria-hidden
          className={cn(
            "col-start-2 row-start-1 size-4 justify-self-end text-muted-foreground transition-transform md:col-start-5",
            open && "rotate-180",
          )}
        />
        <span className="col-start-1 flex min-w-0 flex-col gap-0.5 md:col-start-2 md:row-start-1">
          <code className="w-fit max-w-full truncate rounded bg-muted px-1.5 py-0.5 font-mono text-xs">
            {row.action}
          </code>
          <span className="truncate text-xs text-muted-foreground" title={row.entityId ?? row.entityType}>
            {row.entityType}
            {row.entityId ? ` ${row.entityId}` : ""}
          </span>
        </span>
        <time
          dateTime={row.createdAt}
          title={formatDateTime(row.createdAt)}
          className="col-start-1 text-muted-foreground md:col-start-3 md:row-start-1"
        >
          {formatRelative(row.createdAt)}
          <span className="md:hidden"> · {row.ip ?? "no IP"}</span>
        </time>
        <span className="hidden truncate font-mono text-xs text-muted-foreground md:col-start-4 md:row-start-1 md:block">
          {row.ip ?? "—"}
        </span>
      </button>
      {open && (
        <div id={detailsId} className="flex flex-col gap-4 bg-muted/20 px-4 pt-1 pb-4">
          <SnapshotDiff before={row.before} after={row.after} />
          <dl className="grid gap-x-4 gap-y-1 text-xs sm:grid-cols-[8rem_minmax(0,1fr)]">
            <dt className="text-muted-foreground">When</dt>
            <dd>{formatDateTime(row.createdAt)}</dd>
            <dt className="text-muted-foreground">Entity</dt>
            <dd className="break-all">
              {row.entityType}
              {row.entityId ? ` ${row.entityId}` : ""}
            </dd>
            {row.actor.email && (
              <>
                <dt className="text-muted-foreground">Email</dt>
                <dd className="break-all">{row.actor.email}</dd>
              </>
            )}
            <dt className="text-muted-foreground">IP address</dt>
            <dd className="font-mono">{row.ip ?? "—"}</dd>
            <dt className="text-muted-foreground">Browser</dt>
            <dd className="break-words">{row.userAgent ?? "—"}</dd>
            {row.requestId && (
              <>
                <dt className="text-muted-foreground">Request id</dt>
                <dd className="break-all font-mono">{row.requestId}</dd>
              </>
            )}
          </dl>
        </div>
      )}
    </li>
  );
}

/** Before / after, one line per field; changed fields are highlighted and labelled. */
function SnapshotDiff({ before, after }: { before: unknown; after: unknown }) {
  const lines = snapshotDiff(before, after);
  if (lines.length === 0) return <p className="text-sm text-muted-foreground">No details recorded for this action.</p>;
  const changedCount = lines.filter((l) => l.changed).length;
  return (
    <div className="overflow-hidden rounded-md border bg-background text-sm">
      <p className="border-b px-3 py-2 text-xs text-muted-foreground">
        {changedCount === 1 ? "1 field changed" : `${changedCount} fields changed`}
      </p>
      <div
        aria-hidden
        className="hidden grid-cols-[minmax(7rem,0.8fr)_minmax(0,1fr)_minmax(0,1fr)] gap-3 border-b px-3 py-1.5 text-xs font-medium text-muted-foreground sm:grid"
      >
        <span>Field</span>
        <span>Before</span>
        <span>After</span>
      </div>
      <ul aria-label="Changes">
        {lines.map((line) => (
          <li
            key={line.key}
            data-changed={line.changed || undefined}
            className={cn(
              "grid gap-x-3 gap-y-0.5 border-b px-3 py-1.5 last:border-b-0 sm:grid-cols-[minmax(7rem,0.8fr)_minmax(0,1fr)_minmax(0,1fr)]",
              line.changed && "bg-amber-50 dark:bg-amber-950/30",
            )}
          >
            <span className="font-mono text-xs break-all">
              {line.key}
              {line.changed && <span className="ml-1.5 font-sans text-amber-700 dark:text-amber-400">changed</span>}
            </span>
            <Value label="Before" value={line.before} strike={line.changed} />
            <Value label="After" value={line.after} />
          </li>
        ))}
      </ul>
    </div>
  );
}

function Value({ label, value, strike = false }: { label: string; value: string | undefined; strike?: boolean }) {
  return (
    <span className="min-w-0 break-words whitespace-pre-wrap">
      <span className="text-xs text-muted-foreground sm:hidden">{label}: </span>
      {value === undefined ? (
        <span className="text-muted-foreground">—</span>
      ) : (
        <span className={cn(strike && "text-muted-foreground line-through decoration-muted-foreground/60")}>
          {value}
        </span>
      )}
    </span>
  );
}
