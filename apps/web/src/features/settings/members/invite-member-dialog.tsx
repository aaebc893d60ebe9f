"use client";

import type { InviteMemberResponse, Role } from "@tandem/contracts";
import { MailPlus, TriangleAlert } from "lucide-react";
import { type FormEvent, useState } from "react";
import { CopyField } from "@/components/copy-field";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import {
  Dialog,
  DialogClose,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { assignableRoles, ROLE_DESCRIPTIONS, ROLE_LABELS } from "@/features/auth/permissions";
import { errorMessage } from "@/lib/api";
import { formatRelative } from "@/lib/format";
import { useInviteMember } from "./queries";
import { RoleSelect } from "./role-select";

/**
 * Invite by email. When the installation sends mail the invitee gets the link by mail; the link is
 * also shown once here, to share by hand when there is no mail server or the mail does not arrive.
 */
export function InviteMemberDialog({ workspaceName, actorRole }: { workspaceName: string; actorRole: Role }) {
  const [open, setOpen] = useState(false);
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("AGENT");
  const [created, setCreated] = useState<InviteMemberResponse | null>(null);
  const invite = useInviteMember();

  function onOpenChange(next: boolean) {
    setOpen(next);
    if (!next) {
      setEmail("");
      setRole("AGENT");
      setCreated(null);
      invite.reset();
    }
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    invite.mutate({ email: email.trim(), role }, { onSuccess: setCreated });
  }

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogTrigger asChild>
        <Button>
          <MailPlus aria-hidden="true" />
          Invite member
        </Button>
      </DialogTrigger>
      <DialogContent
        // Once the link is on screen, a stray click outside must not throw it away.
        onInteractOutside={(event) => {
          if (created) event.preventDefault();
        }}
      >
        {created ? (
          <>
            <DialogHeader>
              <DialogTitle>{created.emailed ? "Invitation sent" : "Invitation created"}</DialogTitle>
              <DialogDescription>
                {created.emailed ? (
                  <>
                    We are emailing the invitation to{" "}
                    <span className="font-medium text-foreground">{created.invitation.email}</span>. You can also share
                    the link yourself: it is shown only now and expires {formatRelative(created.invitation.expiresAt)}.
                  </>
                ) : (
                  <>
                    Send this link to <span className="font-medium text-foreground">{created.invitation.email}</span>.
                    It is shown only now and expires {formatRelative(created.invitation.expiresAt)}.
                  </>
                )}
              </DialogDescription>
            </DialogHeader>
            <CopyField label="Invitation link" value={absoluteUrl(created.inviteUrl)} />
            <DialogFooter>
              <Button variant="outline" onClick={() => setCreated(null)}>
                Invite another
              </Button>
              <DialogClose asChild>
                <Button>Done</Button>
              </DialogClose>
            </DialogFooter>
          </>
        ) : (
          <form onSubmit={onSubmit} className="grid gap-4">
            <DialogHeader>
              <DialogTitle>Invite a member</DialogTitle>
              <DialogDescription>They join {workspaceName} with the role you pick.</DialogDescription>
            </DialogHeader>
            <div className="flex flex-col gap-2">
              <Label htmlFor="invite-member-email">Email</Label>
              <Input
                id="invite-member-email"
                type="email"
                required
                maxLength={320}
                autoComplete="off"
                value={email}
                onChange={(event) => setEmail(event.target.value)}
                placeholder="name@company.com"
              />
            </div>
            <div className="flex flex-col gap-2">
              <Label htmlFor="invite-member-role">Role</Label>
              <RoleSelect
                id="invite-member-role"
                value={role}
                onChange={setRole}
                allowed={assignableRoles(actorRole)}
                className="w-40"
              />
              <p className="text-xs text-muted-foreground">
                {ROLE_LABELS[role]}: {ROLE_DESCRIPTIONS[role]}
              </p>
            </div>
            {invite.error && (
              <Alert variant="destructive">
                <TriangleAlert aria-hidden="true" />
                <AlertDescription>{errorMessage(invite.error)}</AlertDescription>
              </Alert>
            )}
            <DialogFooter>
              <DialogClose asChild>
                <Button variant="outline">Cancel</Button>
              </DialogClose>
              <Button type="submit" disabled={invite.isPending}>
                {invite.isPending ? "Inviting…" : "Create invitation"}
              </Button>
            </DialogFooter>
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}

/** The server may answer with a path; the person receiving the link needs the full address. */
function absoluteUrl(url: string) {
  return url.startsWith("/") ? `${window.location.origin}${url}` : url;
}
