"use client";

import type { MemberDto, Role } from "@tandem/contracts";
import { Trash } from "lucide-react";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { Avatar, AvatarFallback } from "@/components/ui/avatar";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { ROLE_LABELS } from "@/features/auth/permissions";
import { errorMessage } from "@/lib/api";
import { formatDate, initials } from "@/lib/format";
import { useRemoveMember, useUpdateMemberRole } from "./queries";
import { RoleSelect } from "./role-select";

export function MembersTable({
  members,
  currentUserId,
  workspaceName,
  onNotice,
}: {
  members: MemberDto[];
  currentUserId: string;
  workspaceName: string;
  onNotice: (notice: { kind: "success" | "error"; message: string }) => void;
}) {
  const ownerCount = members.filter((member) => member.role === "OWNER").length;

  return (
    <Table>
      <TableHeader>
        <TableRow className="hover:bg-transparent">
          <TableHead>Member</TableHead>
          <TableHead>Role</TableHead>
          <TableHead>Joined</TableHead>
          <TableHead>
            <span className="sr-only">Actions</span>
          </TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {members.map((member) => (
          <MemberRow
            key={member.id}
            member={member}
            isSelf={member.userId === currentUserId}
            // The server refuses to remove or demote the last owner; say so before anyone tries.
            isLastOwner={member.role === "OWNER" && ownerCount === 1}
            workspaceName={workspaceName}
            onNotice={onNotice}
          />
        ))}
      </TableBody>
    </Table>
  );
}

function MemberRow({
  member,
  isSelf,
  isLastOwner,
  workspaceName,
  onNotice,
}: {
  member: MemberDto;
  isSelf: boolean;
  isLastOwner: boolean;
  workspaceName: string;
  onNotice: (notice: { kind: "success" | "error"; message: string }) => void;
}) {
  const updateRole = useUpdateMemberRole();
  const remove = useRemoveMember();
  const displayName = member.name ?? member.email;
  const locked = isSelf && isLastOwner;
  const lockedReason = "You are the only owner. Make someone else an owner first.";

  function changeRole(role: Role) {
    if (role === member.role) return;
    updateRole.mutate(
      { id: member.id, role },
      {
        onSuccess: () => onNotice({ kind: "success", message: `${displayName} is now ${ROLE_LABELS[role].toLowerCase()}.` }),
        onError: (error) => onNotice({ kind: "error", message: errorMessage(error) }),
      },
    );
  }

  return (
    <TableRow>
      <TableCell>
        <div className="flex items-center gap-3">
          <Avatar>
            <AvatarFallback>{initials(displayName)}</AvatarFallback>
          </Avatar>
          <div className="flex min-w-0 flex-col">
            <span className="flex items-center gap-2 truncate font-medium">
              {member.name ?? <span className="text-muted-foreground">No name</span>}
              {isSelf && <Badge variant="secondary">You</Badge>}
            </span>
            <span className="truncate text-xs text-muted-foreground">{member.email}</span>
          </div>
        </div>
      </TableCell>
      <TableCell>
        <RoleSelect
          value={member.role}
          onChange={changeRole}
          disabled={locked || updateRole.isPending}
          label={`Role of ${displayName}`}
          className="w-32"
        />
        {locked && <span className="sr-only">{lockedReason}</span>}
      </TableCell>
      <TableCell className="text-muted-foreground">{formatDate(member.createdAt)}</TableCell>
      <TableCell className="text-right">
        <ConfirmDialog
          trigger={
            <Button
              variant="ghost"
              size="icon-sm"
              disabled={locked}
              title={locked ? lockedReason : undefined}
              aria-label={`Remove ${displayName}`}
              className="text-muted-foreground hover:text-destructive"
            >
              <Trash aria-hidden="true" />
            </Button>
          }
          title={isSelf ? `Leave ${workspaceName}?` : `Remove ${displayName}?`}
          description={
            isSelf
              ? "You will lose access to this workspace right away."
              : `${displayName} loses access to ${workspaceName} right away. Their past replies stay in the conversations.`
          }
          confirmLabel={isSelf ? "Leave workspace" : "Remove member"}
          pendingLabel="Removing…"
          onConfirm={() => remove.mutateAsync(member.id)}
        />
      </TableCell>
    </TableRow>
  );
}
