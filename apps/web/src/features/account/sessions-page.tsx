"use client";

import type { SessionDto } from "@tandem/contracts";
import { Monitor, MonitorSmartphone, Smartphone } from "lucide-react";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { EmptyState } from "@/components/empty-state";
import { PageHeader } from "@/components/page-header";
import { TableSkeleton } from "@/components/table-skeleton";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { errorMessage } from "@/lib/api";
import { formatDateTime, formatRelative } from "@/lib/format";
import { useRevokeOtherSessions, useRevokeSession, useSessions } from "./queries";

/** Account → Sessions: where the user is signed in, and signing out the ones they do not recognise. */
export function SessionsPage() {
  const sessions = useSessions();
  const revokeOthers = useRevokeOtherSessions();
  const others = sessions.data?.data.filter((s) => !s.current) ?? [];

  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title="Sessions"
        description="The browsers where you are signed in, in every workspace. A session ends after 30 days without use, and 90 days after signing in at the latest."
        actions={
          others.length > 0 && (
            <ConfirmDialog
              trigger={<Button variant="outline">Sign out other sessions</Button>}
              title="Sign out every other session?"
              description={`${others.length === 1 ? "The other browser" : `The ${others.length} other browsers`} will have to sign in again. This browser stays signed in.`}
              confirmLabel="Sign out others"
              pendingLabel="Signing out…"
              onConfirm={() => revokeOthers.mutateAsync()}
            />
          )
        }
      />
      <Card className="gap-4 pb-2">
        <CardHeader>
          <CardTitle>Where you are signed in</CardTitle>
          <CardDescription>Sign out any session you do not recognise, then change your password.</CardDescription>
        </CardHeader>
        <CardContent className="px-0">
          {sessions.isError ? (
            <div className="px-6 pb-4">
              <Alert variant="destructive">
                <AlertDescription>{errorMessage(sessions.error)}</AlertDescription>
              </Alert>
            </div>
          ) : sessions.isPending ? (
            <TableSkeleton rows={2} />
          ) : sessions.data.data.length === 0 ? (
            <EmptyState icon={MonitorSmartphone} title="No sessions" description="Nobody is signed in as you." />
          ) : (
            <SessionsTable sessions={sessions.data.data} />
          )}
        </CardContent>
      </Card>
    </div>
  );
}

function SessionsTable({ sessions }: { sessions: SessionDto[] }) {
  const revoke = useRevokeSession();
  const now = Date.now();

  return (
    <Table>
      <TableHeader>
        <TableRow className="hover:bg-transparent">
          <TableHead>Device</TableHead>
          <TableHead>Workspace</TableHead>
          <TableHead>Address</TableHead>
          <TableHead>Signed in</TableHead>
          <TableHead>Last active</TableHead>
          <TableHead>
            <span className="sr-only">Actions</span>
          </TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {sessions.map((session) => {
          const Icon = session.mobile ? Smartphone : Monitor;
          return (
            <TableRow key={session.id} data-testid="session-row" data-current={session.current || undefined}>
              <TableCell>
                <div className="flex items-center gap-2.5">
                  <Icon className="size-4 shrink-0 text-muted-foreground" aria-hidden="true" />
                  <span className="font-medium" title={session.userAgent ?? undefined}>
                    {session.device}
                  </span>
                  {session.current && <Badge variant="accent">This browser</Badge>}
                </div>
              </TableCell>
              <TableCell className="text-muted-foreground">{session.workspace?.name ?? "—"}</TableCell>
              <TableCell className="font-mono text-xs text-muted-foreground">{session.ip ?? "Unknown"}</TableCell>
              <TableCell className="text-muted-foreground">
                <time dateTime={session.createdAt} title={formatDateTime(session.createdAt)}>
                  {formatRelative(session.createdAt, now)}
                </time>
              </TableCell>
              <TableCell className="text-muted-foreground">
                {session.current ? (
                  "Now"
                ) : session.lastSeenAt ? (
                  <time dateTime={session.lastSeenAt} title={formatDateTime(session.lastSeenAt)}>
                    {formatRelative(session.lastSeenAt, now)}
                  </time>
                ) : (
                  "—"
                )}
              </TableCell>
              <TableCell className="text-right">
                {!session.current && (
                  <ConfirmDialog
                    trigger={
                      <Button variant="ghost" size="sm" aria-label={`Sign out ${session.device}`}>
                        Sign out
                      </Button>
                    }
                    title={`Sign out ${session.device}?`}
                    description="That browser is signed out at once and has to sign in again."
                    confirmLabel="Sign out"
                    pendingLabel="Signing out…"
                    onConfirm={() => revoke.mutateAsync(session.id)}
                  />
                )}
              </TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}
