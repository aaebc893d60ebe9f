"use client";

import type { InvitationDto } from "@tandem/contracts";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { ROLE_LABELS } from "@/features/auth/permissions";
import { formatDateTime, formatRelative } from "@/lib/format";
import { useRevokeInvitation } from "./queries";

export function InvitationsTable({ invitations }: { invitations: InvitationDto[] }) {
  const revoke = useRevokeInvitation();
  const now = Date.now();

  return (
    <Table>
      <TableHeader>
        <TableRow className="hover:bg-transparent">
          <TableHead>Email</TableHead>
          <TableHead>Role</TableHead>
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
              <TableCell className="text-right">
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
  );
}
