"use client";

import { InboxSettingsDto, type UpdateInboxSettingsInput } from "@tandem/contracts";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId } from "react";
import { PageHeader } from "@/components/page-header";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Card, CardContent } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { Switch } from "@/components/ui/switch";
import { can } from "@/features/auth/permissions";
import { useCurrentUser } from "@/features/auth/queries";
import { api, errorMessage } from "@/lib/api";

const inboxSettingsKey = ["settings", "inbox"] as const;

/** How the inbox behaves for the whole workspace: every member sees it, OWNER and ADMIN change it. */
export function InboxSettingsPage() {
  const me = useCurrentUser();
  const manage = can(me, "settings.manage");
  const queryClient = useQueryClient();
  const settings = useQuery({
    queryKey: inboxSettingsKey,
    queryFn: ({ signal }) => api.get("/api/v1/settings/inbox", InboxSettingsDto, signal),
  });
  const update = useMutation({
    mutationFn: (input: UpdateInboxSettingsInput) => api.patch("/api/v1/settings/inbox", input, InboxSettingsDto),
    onSuccess: (dto) => queryClient.setQueryData(inboxSettingsKey, dto),
  });
  const assignId = useId();
  const roundRobinId = useId();
  const pending = update.isPending ? update.variables : undefined;

  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title="Inbox"
        description={`How conversations find their owner.${manage ? "" : " Only owners and admins can change this."}`}
      />
      {settings.isError && (
        <Alert variant="destructive">
          <AlertDescription>{errorMessage(settings.error)}</AlertDescription>
        </Alert>
      )}
      <Card>
        <CardContent className="flex items-start justify-between gap-4">
          <div className="flex flex-col gap-1">
            <label htmlFor={assignId} className="text-sm font-medium">
              Assign on reply
            </label>
            <p className="text-sm text-muted-foreground">
              When an agent replies to an unassigned conversation, it is assigned to them. Conversations someone already
              owns stay theirs.
            </p>
          </div>
          {settings.data ? (
            <Switch
              id={assignId}
              checked={pending?.assignOnReply ?? settings.data.assignOnReply}
              disabled={!manage || update.isPending}
              onCheckedChange={(assignOnReply) => update.mutate({ assignOnReply })}
            />
          ) : (
            <Skeleton className="h-5 w-9 rounded-full" />
          )}
        </CardContent>
      </Card>
      <Card>
        <CardContent className="flex items-start justify-between gap-4">
          <div className="flex flex-col gap-1">
            <label htmlFor={roundRobinId} className="text-sm font-medium">
              Round-robin assignment
            </label>
            <p className="text-sm text-muted-foreground">
              A conversation that waits for a person — the bot handed it off, or no bot answers its channel — is
              assigned to a member who has the inbox open, taking turns. With nobody online it waits unassigned.
            </p>
          </div>
          {settings.data ? (
            <Switch
              id={roundRobinId}
              checked={(pending?.autoAssign ?? settings.data.autoAssign) === "round_robin"}
              disabled={!manage || update.isPending}
              onCheckedChange={(on) => update.mutate({ autoAssign: on ? "round_robin" : "off" })}
            />
          ) : (
            <Skeleton className="h-5 w-9 rounded-full" />
          )}
        </CardContent>
      </Card>
      <p role="status" className="text-sm text-muted-foreground">
        {update.isSuccess && "Inbox settings saved."}
      </p>
      {update.isError && (
        <Alert variant="destructive">
          <AlertDescription>Could not save the inbox settings: {errorMessage(update.error)}</AlertDescription>
        </Alert>
      )}
    </div>
  );
}
