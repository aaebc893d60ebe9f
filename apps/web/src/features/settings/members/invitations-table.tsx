"use client";

import type { InvitationDto, InviteMemberResponse } from "@tandem/contracts";
import { useState } from "react";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { CopyField } from "@/components/copy-field";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import {
  Dialog,
  DialogClose,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { ROLE_LABELS } from "@/features/auth/permissions";
import { errorMessage } from "@/lib/api";
import { formatDateTime, formatRelative } from "@/lib/format";
import { useResendInvitation, useRevokeInvitation } from "./queries";

export function InvitationsTable({
  invitations,
  onError,
}: {
  invitations: InvitationDto[];
  onError?: (message: string) => void;
}) {
  const revoke = useRevokeInvitation();
  const resend = useResendInvitation();
  const [resent, setResent] = useState<InviteMemberResponse | null>(null);
  const now = Date.now();

  return (
    <>
      <Table>
        <TableHeader>
          <TableRow className="hover:bg-transparent">
            <TableHead>Email</TableHead>
            <TableHead>Role</TableHead>
            <TableHead>Invitation mail</TableHead>
            <TableHead>Expires</TableHead>
            <TableHead>
              <span className="sr-only">Actions</span>
            </TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {invitations.map((invitation) => {
            const expired = new Date(invitation.expiresAt).getTime() <= now;
            return (
              <TableRow key={invitation.id}>
                <TableCell className="font-medium">{invitation.email}</TableCell>
                <TableCell>
                  <Badge variant="outline">{ROLE_LABELS[invitation.role]}</Badge>
                </TableCell>
                <TableCell>
                  <MailStatus invitation={invitation} now={now} />
                </TableCell>
                <TableCell>
                  {expired ? (
                    <Badge variant="destructive">Expired</Badge>
                  ) : (
                    <time
                      dateTime={invitation.expiresAt}
                      title={formatDateTime(invitation.expiresAt)}
                      className="text-muted-foreground"
                    >
                      {formatRelative(invitation.expiresAt, now)}
                    </time>
                  )}
                </TableCell>
                <TableCell className="text-right whitespace-nowrap">
                  <Button
                    variant="ghost"
                    size="sm"
                    aria-label={`Send the invitation for ${invitation.email} again`}
                    disabled={resend.isPending && resend.variables === invitation.id}
                    onClick={() =>
                      resend.mutate(invitation.id, {
                        onSuccess: setResent,
                        onError: (error) => onError?.(errorMessage(error)),
                      })
                    }
                  >
                    {resend.isPending && resend.variables === invitation.id ? "Sending…" : "Resend"}
                  </Button>
                  <ConfirmDialog
                    trigger={
                      <Button variant="ghost" size="sm" aria-label={`Revoke the invitation for ${invitation.email}`}>
                        Revoke
                      </Button>
                    }
                    title="Revoke this invitation?"
                    description={`The link sent to ${invitation.email} stops working. You can invite them again later.`}
                    confirmLabel="Revoke invitation"
                    pendingLabel="Revoking…"
                    onConfirm={() => revoke.mutateAsync(invitation.id)}
                  />
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
      <Dialog open={resent !== null} onOpenChange={(open) => !open && setResent(null)}>
        <DialogContent onInteractOutside={(event) => event.preventDefault()}>
          {resent && (
            <>
              <DialogHeader>
                <DialogTitle>{resent.emailed ? "Invitation sent again" : "New invitation link"}</DialogTitle>
                <DialogDescription>
                  {resent.emailed
                    ? `A new link is on its way to ${resent.invitation.email}; the previous link no longer works. You can also share it yourself:`
                    : `Send this new link to ${resent.invitation.email}; the previous link no longer works.`}{" "}
                  It is shown only now and expires {formatRelative(resent.invitation.expiresAt)}.
                </DialogDescription>
              </DialogHeader>
              <CopyField label="Invitation link" value={absoluteUrl(resent.inviteUrl)} />
              <DialogFooter>
                <DialogClose asChild>
                  <Button>Done</Button>
                </DialogClose>
              </DialogFooter>
            </>
          )}
        </DialogContent>
      </Dialog>
    </>
  );
}

function MailStatus({ invitation, now }: { invitation: InvitationDto; now: number }) {
  switch (invitation.emailStatus) {
    case "queued":
      return <Badge variant="outline">Sending…</Badge>;
    case "sent":
      return (
        <span
          className="text-muted-foreground"
          title={invitation.emailedAt ? formatDateTime(invitation.emailedAt) : undefined}
        >
          Emailed {invitation.emailedAt ? formatRelative(invitation.emailedAt, now) : ""}
        </span>
      );
    case "failed":
      return (
        <span className="flex flex-col gap-1">
          <Badge variant="destructive">Not delivered</Badge>
          <span className="max-w-64 text-xs text-muted-foreground">{invitation.emailError}</span>
        </span>
      );
    default:
      return <span className="text-muted-foreground">Link only</span>;
  }
}

/** The server may answer with a path; the person receiving the link needs the full address. */
function absoluteUrl(url: string) {
  return url.startsWith("/") ? `${window.location.origin}${url}` : url;
}
