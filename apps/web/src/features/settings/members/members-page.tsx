"use client";

import { MailPlus, Users } from "lucide-react";
import { EmptyState } from "@/components/empty-state";
import { Notice, useNotice } from "@/components/notice";
import { PageHeader } from "@/components/page-header";
import { TableSkeleton } from "@/components/table-skeleton";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { ForbiddenState } from "@/features/auth/forbidden-state";
import { can } from "@/features/auth/permissions";
import { useCurrentUser } from "@/features/auth/queries";
import { errorMessage, isApiError } from "@/lib/api";
import { InvitationsTable } from "./invitations-table";
import { InviteMemberDialog } from "./invite-member-dialog";
import { MembersTable } from "./members-table";
import { useMembers } from "./queries";

export function MembersPage() {
  const me = useCurrentUser();
  const allowed = can(me, "members.manage");
  const members = useMembers(allowed);
  const { notice, show, clear } = useNotice();

  if (!allowed || isApiError(members.error, 403)) return <ForbiddenState />;

  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title="Members"
        description={`People in ${me.workspace.name} and what they can do.`}
        actions={<InviteMemberDialog workspaceName={me.workspace.name} actorRole={me.role} />}
      />
      <Notice notice={notice} onDismiss={clear} />
      {members.isError ? (
        <Alert variant="destructive">
          <AlertDescription>{errorMessage(members.error)}</AlertDescription>
        </Alert>
      ) : (
        <>
          <Card className="gap-4 pb-2">
            <CardHeader>
              <CardTitle>Team</CardTitle>
              <CardDescription>Owners and admins set up the workspace; agents work the inbox.</CardDescription>
            </CardHeader>
            <CardContent className="px-0">
              {members.data ? (
                members.data.data.length > 0 ? (
                  <MembersTable
                    members={members.data.data}
                    currentUserId={me.user.id}
                    actorRole={me.role}
                    workspaceName={me.workspace.name}
                    onNotice={show}
                  />
                ) : (
                  <EmptyState icon={Users} title="No members yet" />
                )
              ) : (
                <TableSkeleton rows={3} avatar />
              )}
            </CardContent>
          </Card>
          <Card className="gap-4 pb-2">
            <CardHeader>
              <CardTitle>Pending invitations</CardTitle>
              <CardDescription>Invitations that have not been accepted yet.</CardDescription>
            </CardHeader>
            <CardContent className="px-0">
              {members.data ? (
                members.data.invitations.length > 0 ? (
                  <InvitationsTable
                    invitations={members.data.invitations}
                    onError={(message) => show({ kind: "error", message })}
                  />
                ) : (
                  <EmptyState
                    icon={MailPlus}
                    title="No pending invitations"
                    description="Invite teammates with the button above; they appear here until they join."
                    className="py-8"
                  />
                )
              ) : (
                <TableSkeleton rows={1} />
              )}
            </CardContent>
          </Card>
        </>
      )}
    </div>
  );
}
