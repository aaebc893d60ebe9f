"use client";

import { CircleCheck, TriangleAlert } from "lucide-react";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { type FormEvent, useEffect, useState } from "react";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Skeleton } from "@/components/ui/skeleton";
import { errorMessage, isApiError } from "@/lib/api";
import { safeNextPath } from "./next-path";
import { useHealth, useSession, useSetupStatus, useSignIn } from "./queries";
import { useCountdown } from "./use-countdown";

const DEMO_EMAIL = "owner@demo.local";
const DEMO_PASSWORD = "tandem-demo";

export function LoginForm() {
  const router = useRouter();
  const searchParams = useSearchParams();
  const next = safeNextPath(searchParams.get("next"));
  // Set by /reset-password after a new password was chosen: every session ended, sign in again.
  const passwordReset = searchParams.get("reset") === "1";
  const session = useSession();
  const health = useHealth();
  const setupStatus = useSetupStatus();
  const signIn = useSignIn();

  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [lockedUntil, setLockedUntil] = useState<number | null>(null);
  const secondsLeft = useCountdown(lockedUntil);

  const signedIn = Boolean(session.data);
  // A fresh install has no user to sign in as: create the owner first.
  const needsSetup = !signedIn && setupStatus.data?.needsSetup === true;
  useEffect(() => {
    if (signedIn) router.replace(next);
    else if (needsSetup) router.replace("/setup");
  }, [signedIn, needsSetup, next, router]);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    signIn.mutate(
      { email: email.trim(), password },
      {
        onSuccess: () => router.replace(next),
        onError: (error) => {
          if (isApiError(error, 429)) setLockedUntil(Date.now() + (error.retryAfterSeconds ?? 30) * 1000);
        },
      },
    );
  }

  // If the setup check fails, show the form anyway: signing in is still the likely way forward.
  if (session.isPending || signedIn || setupStatus.isPending || needsSetup) return <LoginSkeleton />;

  const rateLimited = isApiError(signIn.error, 429);
  const error = rateLimited
    ? secondsLeft > 0
      ? `Too many attempts, try again in ${secondsLeft} s`
      : null
    : signIn.error && errorMessage(signIn.error);
  const pending = signIn.isPending || signIn.isSuccess;

  return (
    <Card>
      <CardHeader>
        <CardTitle className="text-xl">Sign in</CardTitle>
        <CardDescription>Welcome back. Sign in to your workspace.</CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-5">
        {passwordReset && (
          <Alert variant="info">
            <CircleCheck aria-hidden="true" />
            <AlertDescription>Your password was changed. Sign in with the new one.</AlertDescription>
          </Alert>
        )}
        {health.data?.demo === true && (
          <Alert variant="info">
            <AlertTitle>Demo workspace</AlertTitle>
            <AlertDescription>
              <p>
                Demo: <span className="font-mono text-foreground">{DEMO_EMAIL}</span> /{" "}
                <span className="font-mono text-foreground">{DEMO_PASSWORD}</span>
              </p>
              <Button
                variant="link"
                size="sm"
                className="h-auto p-0"
                onClick={() => {
                  setEmail(DEMO_EMAIL);
                  setPassword(DEMO_PASSWORD);
                }}
              >
                Fill in the demo login
              </Button>
            </AlertDescription>
          </Alert>
        )}
        <form onSubmit={onSubmit} className="flex flex-col gap-4" aria-describedby={error ? "login-error" : undefined}>
          <div className="flex flex-col gap-2">
            <Label htmlFor="email">Email</Label>
            <Input
              id="email"
              type="email"
              autoComplete="username"
              required
              autoFocus
              value={email}
              onChange={(event) => setEmail(event.target.value)}
              aria-invalid={Boolean(error) || undefined}
            />
          </div>
          <div className="flex flex-col gap-2">
            <div className="flex items-center justify-between gap-2">
              <Label htmlFor="password">Password</Label>
              <Link
                href="/forgot-password"
                className="rounded-sm text-xs text-muted-foreground underline-offset-4 outline-none hover:text-foreground hover:underline focus-visible:ring-[3px] focus-visible:ring-ring/50"
              >
                Forgot password?
              </Link>
            </div>
            <Input
              id="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(event) => setPassword(event.target.value)}
              aria-invalid={Boolean(error) || undefined}
            />
          </div>
          {error && (
            <Alert variant="destructive" id="login-error">
              <TriangleAlert aria-hidden="true" />
              <AlertDescription>{error}</AlertDescription>
            </Alert>
          )}
          <Button type="submit" className="mt-1 w-full" disabled={pending || secondsLeft > 0}>
            {pending ? "Signing in…" : "Sign in"}
          </Button>
        </form>
      </CardContent>
    </Card>
  );
}

export function LoginSkeleton() {
  return (
    <Card role="status" aria-label="Loading">
      <CardHeader>
        <Skeleton className="h-6 w-24" />
        <Skeleton className="h-4 w-56" />
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        <Skeleton className="h-9 w-full" />
        <Skeleton className="h-9 w-full" />
        <Skeleton className="h-9 w-full" />
      </CardContent>
    </Card>
  );
}
