"use client";

import { Link2Off, TriangleAlert } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { EmptyState } from "@/components/empty-state";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { errorMessage, isApiError } from "@/lib/api";
import { formatRelative } from "@/lib/format";
import { LoginSkeleton } from "./login-form";
import { ROLE_LABELS } from "./permissions";
import { useAcceptInvitation, useInvitation } from "./queries";

const MIN_PASSWORD = 8;

export function InviteForm({ token }: { token: string }) {
  const router = useRouter();
  const invitation = useInvitation(token);
  const accept = useAcceptInvitation();
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");

  if (invitation.isPending) return <LoginSkeleton />;

  if (invitation.isError) {
    const notFound = isApiError(invitation.error, 404);
    return (
      <Card>
        <EmptyState
          icon={Link2Off}
          title={notFound ? "This invitation is no longer valid" : "Could not load the invitation"}
          description={
            notFound
              ? "It may have expired, been revoked or already been used. Ask the person who invited you for a new link."
              : errorMessage(invitation.error)
          }
          action={
            <Button asChild variant="outline">
              <Link href="/login">Go to sign in</Link>
            </Button>
          }
        />
      </Card>
    );
  }

  const { email, role, workspaceName, expiresAt, existingAccount } = invitation.data;
  const tooShort = password.length > 0 && password.length < MIN_PASSWORD;
  const pending = accept.isPending || accept.isSuccess;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (password.length < MIN_PASSWORD) return;
    accept.mutate(
      { token, name: existingAccount ? undefined : name.trim() || undefined, password },
      { onSuccess: () => router.replace("/dashboard") },
    );
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle className="text-xl">Join {workspaceName}</CardTitle>
        <CardDescription>
          You have been invited as <Badge variant="accent">{ROLE_LABELS[role]}</Badge>. The invitation expires{" "}
          {formatRelative(expiresAt)}.
        </CardDescription>
      </CardHeader>
      <CardContent>
        <form onSubmit={onSubmit} className="flex flex-col gap-4">
          <div className="flex flex-col gap-2">
            <Label htmlFor="invite-email">Email</Label>
            <Input
              id="invite-email"
              type="email"
              value={email}
              readOnly
              autoComplete="username"
              className="bg-muted/50"
            />
          </div>
          {!existingAccount && (
            <div className="flex flex-col gap-2">
              <Label htmlFor="invite-name">Your name</Label>
              <Input
                id="invite-name"
                autoComplete="name"
                maxLength={120}
                autoFocus
                value={name}
                onChange={(event) => setName(event.target.value)}
              />
            </div>
          )}
          <div className="flex flex-col gap-2">
            <Label htmlFor="invite-password">{existingAccount ? "Your password" : "Choose a password"}</Label>
            <Input
              id="invite-password"
              type="password"
              autoComplete={existingAccount ? "current-password" : "new-password"}
              autoFocus={existingAccount}
              required
              minLength={MIN_PASSWORD}
              maxLength={200}
              value={password}
              onChange={(event) => setPassword(event.target.value)}
              aria-invalid={tooShort || undefined}
              aria-describedby="invite-password-hint"
            />
            <p
              id="invite-password-hint"
              className={tooShort ? "text-xs text-destructive" : "text-xs text-muted-foreground"}
            >
              {existingAccount
                ? "You already have a Tandem account with this email: confirm it with its password."
                : `At least ${MIN_PASSWORD} characters.`}
            </p>
          </div>
          {accept.error && (
            <Alert variant="destructive">
              <TriangleAlert aria-hidden="true" />
              <AlertDescription>{errorMessage(accept.error)}</AlertDescription>
            </Alert>
          )}
          <Button type="submit" className="mt-1 w-full" disabled={pending}>
            {pending ? "Joining…" : `Join ${workspaceName}`}
          </Button>
        </form>
      </CardContent>
    </Card>
  );
}
