"use client";

import { Link2Off, TriangleAlert } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { EmptyState } from "@/components/empty-state";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { errorMessage, isApiError } from "@/lib/api";
import { LoginSkeleton } from "./login-form";
import { NewPasswordFields, passwordProblem } from "./new-password-fields";
import { usePasswordReset, useResetPassword } from "./queries";

export function ResetPasswordForm({ token }: { token: string }) {
  const router = useRouter();
  const preview = usePasswordReset(token);
  const reset = useResetPassword();
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [submitted, setSubmitted] = useState(false);

  if (preview.isPending) return <LoginSkeleton />;

  const linkGone = isApiError(preview.error, 404) || isApiError(reset.error, 404);
  if (preview.isError || linkGone) {
    return (
      <Card>
        <EmptyState
          icon={Link2Off}
          title={linkGone ? "This link no longer works" : "Could not check the link"}
          description={
            linkGone
              ? "Reset links work once, for one hour, and only the newest one does. Ask for a new link."
              : errorMessage(preview.error)
          }
          action={
            <Button asChild variant="outline">
              <Link href="/forgot-password">Ask for a new link</Link>
            </Button>
          }
        />
      </Card>
    );
  }

  const problem = passwordProblem(password, confirm);
  const pending = reset.isPending || reset.isSuccess;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSubmitted(true);
    if (problem) return;
    reset.mutate({ token, password }, { onSuccess: () => router.replace("/login?reset=1") });
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle className="text-xl">Choose a new password</CardTitle>
        <CardDescription>
          For <span className="font-medium text-foreground">{preview.data.email}</span>. You will be signed out
          everywhere and sign in again with the new password.
        </CardDescription>
      </CardHeader>
      <CardContent>
        <form onSubmit={onSubmit} className="flex flex-col gap-4">
          {/* For password managers: the account the new password belongs to. */}
          <div className="sr-only">
            <Label htmlFor="reset-username">Account</Label>
            <Input id="reset-username" autoComplete="username" value={preview.data.email} readOnly tabIndex={-1} />
          </div>
          <NewPasswordFields
            idPrefix="reset"
            password={password}
            confirm={confirm}
            onPassword={setPassword}
            onConfirm={setConfirm}
            problem={submitted ? problem : null}
            autoFocus
          />
          {reset.error && !linkGone && (
            <Alert variant="destructive">
              <TriangleAlert aria-hidden="true" />
              <AlertDescription>{errorMessage(reset.error)}</AlertDescription>
            </Alert>
          )}
          <Button type="submit" className="w-full" disabled={pending}>
            {pending ? "Saving…" : "Set new password"}
          </Button>
        </form>
      </CardContent>
    </Card>
  );
}
