"use client";

import { CloudOff, TriangleAlert } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useEffect, useState } from "react";
import { EmptyState } from "@/components/empty-state";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { errorMessage, isApiError } from "@/lib/api";
import { LoginSkeleton } from "./login-form";
import { useSetup, useSetupStatus } from "./queries";

const MIN_PASSWORD = 8;

/** First run: creates the workspace and its owner. Only offered while the installation has no user. */
export function SetupForm() {
  const router = useRouter();
  const status = useSetupStatus();
  const setup = useSetup();

  const [workspaceName, setWorkspaceName] = useState("");
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");

  // Already set up (and not by this form, which goes on to /dashboard): there is nothing to do here.
  const alreadySetUp = status.data?.needsSetup === false && !setup.isPending && !setup.isSuccess;
  useEffect(() => {
    if (alreadySetUp) router.replace("/login");
  }, [alreadySetUp, router]);

  if (status.isPending || alreadySetUp) return <LoginSkeleton />;

  if (status.isError) {
    return (
      <Card>
        <EmptyState
          icon={CloudOff}
          title="Could not check the installation"
          description={errorMessage(status.error)}
          action={
            <Button variant="outline" onClick={() => status.refetch()} disabled={status.isFetching}>
              Try again
            </Button>
          }
        />
      </Card>
    );
  }

  const tooShort = password.length > 0 && password.length < MIN_PASSWORD;
  const pending = setup.isPending || setup.isSuccess;
  // Someone else finished the setup between loading this page and submitting it.
  const conflict = isApiError(setup.error, 409);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (password.length < MIN_PASSWORD) return;
    setup.mutate(
      { workspaceName: workspaceName.trim(), name: name.trim(), email: email.trim(), password },
      { onSuccess: () => router.replace("/dashboard") },
    );
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle className="text-xl">Set up Tandem</CardTitle>
        <CardDescription>Create your workspace and its owner account. You can invite your team next.</CardDescription>
      </CardHeader>
      <CardContent>
        <form onSubmit={onSubmit} className="flex flex-col gap-4">
          <div className="flex flex-col gap-2">
            <Label htmlFor="setup-workspace">Workspace name</Label>
            <Input
              id="setup-workspace"
              autoComplete="organization"
              placeholder="Acme support"
              required
              autoFocus
              maxLength={120}
              value={workspaceName}
              onChange={(event) => setWorkspaceName(event.target.value)}
            />
          </div>
          <div className="flex flex-col gap-2">
            <Label htmlFor="setup-name">Your name</Label>
            <Input
              id="setup-name"
              autoComplete="name"
              required
              maxLength={120}
              value={name}
              onChange={(event) => setName(event.target.value)}
            />
          </div>
          <div className="flex flex-col gap-2">
            <Label htmlFor="setup-email">Email</Label>
            <Input
              id="setup-email"
              type="email"
              autoComplete="username"
              required
              maxLength={320}
              value={email}
              onChange={(event) => setEmail(event.target.value)}
            />
          </div>
          <div className="flex flex-col gap-2">
            <Label htmlFor="setup-password">Password</Label>
            <Input
              id="setup-password"
              type="password"
              autoComplete="new-password"
              required
              minLength={MIN_PASSWORD}
              maxLength={200}
              value={password}
              onChange={(event) => setPassword(event.target.value)}
              aria-invalid={tooShort || undefined}
              aria-describedby="setup-password-hint"
            />
            <p
              id="setup-password-hint"
              className={tooShort ? "text-xs text-destructive" : "text-xs text-muted-foreground"}
            >
              At least {MIN_PASSWORD} characters.
            </p>
          </div>
          {setup.error && (
            <Alert variant="destructive">
              <TriangleAlert aria-hidden="true" />
              <AlertDescription>
                {conflict ? (
                  <p>
                    This installation already has an owner.{" "}
                    <Link href="/login" className="font-medium underline underline-offset-4">
                      Sign in
                    </Link>{" "}
                    instead.
                  </p>
                ) : (
                  errorMessage(setup.error)
                )}
              </AlertDescription>
            </Alert>
          )}
          <Button type="submit" className="mt-1 w-full" disabled={pending || conflict}>
            {pending ? "Creating your workspace…" : "Create workspace"}
          </Button>
        </form>
      </CardContent>
    </Card>
  );
}
