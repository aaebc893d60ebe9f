"use client";

import type { MemberDto, Role } from "@tandem/contracts";
import { Trash } from "lucide-react";
import { ConfirmDialog } from "@/components/confirm-dialog";
import type { NoticeValue } from "@/components/notice";
import { Avatar, AvatarFallback } from "@/components/ui/avatar";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { assignableRoles, ROLE_LABELS } from "@/features/auth/permissions";
import { errorMessage } from "@/lib/api";
import { formatDate, initials } from "@/lib/format";
import { useRemoveMember, useUpdateMemberRole } from "./queries";
import { RoleSelect } from "./role-select";

interface MembersTableProps {
  members: MemberDto[];
  currentUserId: string;
  actorRole: Role;
  workspaceName: string;
  onNotice: (notice: NoticeValue) => void;
}

export function MembersTable({ members, currentUserId, actorRole, workspaceName, onNotice }: MembersTableProps) {
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
            lockedReason={lockedReason(member, actorRole, member.userId === currentUserId, ownerCount)}
            actorRole={actorRole}
            workspaceName={workspaceName}
            onNotice={onNotice}
          />
        ))}
      </TableBody>
    </Table>
  );
}

/**
 * Why this row's role and removal are out of the actor's hands, mirroring the server's rules so
 * nobody has to try and fail. The server still decides; its message is shown if it refuses.
 */
function lockedReason(member: MemberDto, actorRole: Role, isSelf: boolean, ownerCount: number): string | null {
  if (member.role !== "OWNER") return null;
  if (actorRole !== "OWNER") return "Only an owner can change or remove an owner.";
  if (isSelf && ownerCount === 1) return "You are the only owner. Make someone else an owner first.";
  return null;
}

function MemberRow({
  member,
  isSelf,
  lockedReason,
  actorRole,
  workspaceName,
  onNotice,
}: {
  member: MemberDto;
  isSelf: boolean;
  lockedReason: string | null;
  actorRole: Role;
  workspaceName: string;
  onNotice: (notice: NoticeValue) => void;
}) {
  const updateRole = useUpdateMemberRole();
  const remove = useRemoveMember();
  const displayName = member.name ?? member.email;
  const reasonId = `member-${member.id}-locked`;

  function changeRole(role: Role) {
    if (role === member.role) return;
    updateRole.mutate(
      { id: member.id, role },
      {
        onSuccess: () =>
          onNotice({ kind: "success", message: `${displayName} is now ${ROLE_LABELS[role].toLowerCase()}.` }),
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
        <div className="flex flex-col gap-1" title={lockedReason ?? undefined}>
          <RoleSelect
            value={member.role}
            onChange={changeRole}
            allowed={assignableRoles(actorRole)}
            disabled={lockedReason !== null || updateRole.isPending}
            label={`Role of ${displayName}`}
            className="w-32"
          />
          {lockedReason && (
            <span id={reasonId} className="sr-only">
              {lockedReason}
            </span>
          )}
        </div>
      </TableCell>
      <TableCell className="text-muted-foreground">{formatDate(member.createdAt)}</TableCell>
      <TableCell className="text-right">
        <ConfirmDialog
          trigger={
            <Button
              variant="ghost"
              size="icon-sm"
              disabled={lockedReason !== null}
              title={lockedReason ?? (isSelf ? "Leave the workspace" : `Remove ${displayName}`)}
              aria-label={isSelf ? "Leave the workspace" : `Remove ${displayName}`}
              aria-describedby={lockedReason ? reasonId : undefined}
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
