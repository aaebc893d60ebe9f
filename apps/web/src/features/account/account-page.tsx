"use client";

import { Bell, CircleCheck, TriangleAlert } from "lucide-react";
import { type FormEvent, useState } from "react";
import { PageHeader } from "@/components/page-header";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { AlertsDialog } from "@/features/alerts/alerts-dialog";
import { NewPasswordFields, passwordProblem } from "@/features/auth/new-password-fields";
import { ROLE_LABELS } from "@/features/auth/permissions";
import { useChangePassword, useCurrentUser, useHealth, useUpdateProfile } from "@/features/auth/queries";
import { useCountdown } from "@/features/auth/use-countdown";
import { errorMessage, isApiError } from "@/lib/api";

/** Profile / account: who you are here, your name, password and alerts. */
export function AccountPage() {
  const me = useCurrentUser();
  const [alertsOpen, setAlertsOpen] = useState(false);
  return (
    <div className="flex-1 overflow-y-auto">
      <div className="mx-auto flex w-full max-w-3xl flex-col gap-6 px-4 py-6 sm:px-8 sm:py-8">
        <PageHeader title="Your account" description="Your profile and sign-in details." />
        <Card>
          <CardHeader>
            <CardTitle>Profile</CardTitle>
          </CardHeader>
          <CardContent>
            <NameForm name={me.user.name} />
            <dl className="mt-4 grid grid-cols-[8rem_1fr] gap-x-4 gap-y-3 text-sm">
              <dt className="text-muted-foreground">Email</dt>
              <dd>{me.user.email}</dd>
              <dt className="text-muted-foreground">Workspace</dt>
              <dd className="flex items-center gap-2">
                {me.workspace.name} <Badge variant="accent">{ROLE_LABELS[me.role]}</Badge>
              </dd>
            </dl>
          </CardContent>
        </Card>
        <ChangePasswordCard email={me.user.email} />
        <Card>
          <CardHeader>
            <CardTitle>Notifications</CardTitle>
            <CardDescription>
              Which events alert you in this browser — new conversations, messages in your conversations, handoffs —
              with a sound or a desktop notification.
            </CardDescription>
          </CardHeader>
          <CardContent>
            <Button variant="outline" onClick={() => setAlertsOpen(true)}>
              <Bell aria-hidden="true" />
              Alert settings
            </Button>
            <AlertsDialog userId={me.user.id} open={alertsOpen} onOpenChange={setAlertsOpen} />
          </CardContent>
        </Card>
      </div>
    </div>
  );
}

function ChangePasswordCard({ email }: { email: string }) {
  const change = useChangePassword();
  const health = useHealth();
  const [current, setCurrent] = useState("");
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [submitted, setSubmitted] = useState(false);
  const [lockedUntil, setLockedUntil] = useState<number | null>(null);
  const secondsLeft = useCountdown(lockedUntil);

  const problem = passwordProblem(password, confirm);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSubmitted(true);
    if (problem) return;
    change.mutate(
      { currentPassword: current, newPassword: password },
      {
        onSuccess: () => {
          setCurrent("");
          setPassword("");
          setConfirm("");
          setSubmitted(false);
        },
        onError: (error) => {
          if (isApiError(error, 429)) setLockedUntil(Date.now() + (error.retryAfterSeconds ?? 60) * 1000);
          // The session itself is gone (signed out elsewhere): start over at the sign-in page.
          if (isApiError(error, 401) && error.code === "unauthenticated") window.location.assign("/login");
        },
      },
    );
  }

  const error = isApiError(change.error, 429)
    ? secondsLeft > 0
      ? `Too many wrong passwords, try again in ${secondsLeft} s`
      : null
    : change.error && errorMessage(change.error);

  return (
    <Card>
      <CardHeader>
        <CardTitle>Password</CardTitle>
        <CardDescription>
          Changing it signs you out everywhere else: other browsers and devices have to sign in with the new one.
        </CardDescription>
      </CardHeader>
      <CardContent>
        <form onSubmit={onSubmit} className="flex max-w-sm flex-col gap-4">
          <div className="sr-only">
            <Label htmlFor="account-username">Account</Label>
            <Input id="account-username" autoComplete="username" value={email} readOnly tabIndex={-1} />
          </div>
          <div className="flex flex-col gap-2">
            <Label htmlFor="account-current-password">Current password</Label>
            <Input
              id="account-current-password"
              type="password"
              autoComplete="current-password"
              required
              maxLength={200}
              value={current}
              onChange={(event) => setCurrent(event.target.value)}
              aria-invalid={isApiError(change.error, 401) || undefined}
            />
          </div>
          <NewPasswordFields
            idPrefix="account"
            password={password}
            confirm={confirm}
            onPassword={setPassword}
            onConfirm={setConfirm}
            problem={submitted ? problem : null}
          />
          {error && (
            <Alert variant="destructive">
              <TriangleAlert aria-hidden="true" />
              <AlertDescription>{error}</AlertDescription>
            </Alert>
          )}
          {change.isSuccess && (
            <Alert variant="info">
              <CircleCheck aria-hidden="true" />
              <AlertDescription>
                Password changed. Your other sessions were signed out
                {health.data?.mail ? `, and ${email} got a confirmation mail` : ""}.
              </AlertDescription>
            </Alert>
          )}
          <div>
            <Button type="submit" disabled={change.isPending || secondsLeft > 0}>
              {change.isPending ? "Changing…" : "Change password"}
            </Button>
          </div>
        </form>
      </CardContent>
    </Card>
  );
}

/** The person's name, as teammates see it on replies, mentions and assignments. */
function NameForm({ name }: { name: string | null }) {
  const update = useUpdateProfile();
  const [value, setValue] = useState(name ?? "");
  const dirty = value.trim() !== (name ?? "");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (dirty) update.mutate({ name: value });
  };
  return (
    <form onSubmit={submit} className="flex flex-col gap-2">
      <Label htmlFor="account-name">Name</Label>
      <div className="flex flex-wrap items-center gap-2">
        <Input
          id="account-name"
          autoComplete="name"
          value={value}
          maxLength={100}
          onChange={(event) => {
            setValue(event.target.value);
            update.reset();
          }}
          className="max-w-xs"
        />
        <Button type="submit" variant="outline" disabled={!dirty || update.isPending}>
          {update.isPending ? "Saving…" : "Save name"}
        </Button>
      </div>
      <p role="status" className="text-sm text-muted-foreground">
        {update.isSuccess && "Name saved."}
      </p>
      {update.isError && (
        <Alert variant="destructive">
          <AlertDescription>{errorMessage(update.error)}</AlertDescription>
        </Alert>
      )}
    </form>
  );
}
