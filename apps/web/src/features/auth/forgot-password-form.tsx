"use client";

import { MailCheck, MailX, TriangleAlert } from "lucide-react";
import Link from "next/link";
import { type FormEvent, useState } from "react";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { errorMessage, isApiError } from "@/lib/api";
import { LoginSkeleton } from "./login-form";
import { useForgotPassword, useHealth } from "./queries";
import { useCountdown } from "./use-countdown";

const BackToSignIn = () => (
  <Button asChild variant="link" className="h-auto p-0">
    <Link href="/login">Back to sign in</Link>
  </Button>
);

export function ForgotPasswordForm() {
  const health = useHealth();
  const forgot = useForgotPassword();
  const [email, setEmail] = useState("");
  const [lockedUntil, setLockedUntil] = useState<number | null>(null);
  const secondsLeft = useCountdown(lockedUntil);

  if (health.isPending) return <LoginSkeleton />;

  // Without any mail transport there is nothing to send: say who can help instead of a form that does nothing.
  if (health.data?.mail === false || isApiError(forgot.error, 503)) {
    return (
      <Card>
        <CardHeader>
          <CardTitle className="flex items-center gap-2 text-xl">
            <MailX className="size-5 text-muted-foreground" aria-hidden="true" />
            Reset by e-mail is not available
          </CardTitle>
          <CardDescription>
            This Tandem installation cannot send e-mail. Ask your workspace owner, or whoever runs this Tandem server,
            to help you back in: they can create a password reset link for your account.
          </CardDescription>
        </CardHeader>
        <CardFooter>
          <BackToSignIn />
        </CardFooter>
      </Card>
    );
  }

  if (forgot.isSuccess) {
    return (
      <Card>
        <CardHeader>
          <CardTitle className="flex items-center gap-2 text-xl">
            <MailCheck className="size-5 text-muted-foreground" aria-hidden="true" />
            Check your inbox
          </CardTitle>
          <CardDescription>
            If an account uses <span className="font-medium text-foreground">{email.trim()}</span>, a link to choose a
            new password is on its way. It works once, for one hour.
            {health.data?.simulator && (
              <>
                {" "}
                In this demo, mail lands in the simulator&apos;s mailbox (
                <span className="font-medium">Simulator → Mailbox</span>, signed in as any demo member).
              </>
            )}
          </CardDescription>
        </CardHeader>
        <CardFooter className="flex justify-between">
          <BackToSignIn />
          <Button variant="outline" onClick={() => forgot.reset()}>
            Use another address
          </Button>
        </CardFooter>
      </Card>
    );
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    forgot.mutate(
      { email: email.trim() },
      {
        onError: (error) => {
          if (isApiError(error, 429)) setLockedUntil(Date.now() + (error.retryAfterSeconds ?? 60) * 1000);
        },
      },
    );
  }

  const error = isApiError(forgot.error, 429)
    ? secondsLeft > 0
      ? `Too many requests, try again in ${secondsLeft} s`
      : null
    : forgot.error && errorMessage(forgot.error);

  return (
    <Card>
      <CardHeader>
        <CardTitle className="text-xl">Forgot your password?</CardTitle>
        <CardDescription>Enter the e-mail address of your account and we will send you a reset link.</CardDescription>
      </CardHeader>
      <CardContent>
        <form onSubmit={onSubmit} className="flex flex-col gap-4">
          <div className="flex flex-col gap-2">
            <Label htmlFor="forgot-email">Email</Label>
            <Input
              id="forgot-email"
              type="email"
              autoComplete="username"
              required
              autoFocus
              maxLength={320}
              value={email}
              onChange={(event) => setEmail(event.target.value)}
            />
          </div>
          {error && (
            <Alert variant="destructive">
              <TriangleAlert aria-hidden="true" />
              <AlertDescription>{error}</AlertDescription>
            </Alert>
          )}
          <Button type="submit" className="w-full" disabled={forgot.isPending || secondsLeft > 0}>
            {forgot.isPending ? "Sending…" : "Send reset link"}
          </Button>
        </form>
      </CardContent>
      <CardFooter>
        <BackToSignIn />
      </CardFooter>
    </Card>
  );
}
