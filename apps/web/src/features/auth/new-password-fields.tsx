"use client";

import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";

export const MIN_PASSWORD = 8;

/** What is wrong with a new password and its confirmation, or null. */
export function passwordProblem(password: string, confirm: string): string | null {
  if (password.length < MIN_PASSWORD) return `The new password needs at least ${MIN_PASSWORD} characters.`;
  if (password !== confirm) return "The two passwords are not the same.";
  return null;
}

/** "New password" and "Confirm new password", shared by the reset page and the profile page. */
export function NewPasswordFields({
  idPrefix,
  password,
  confirm,
  onPassword,
  onConfirm,
  problem,
  autoFocus,
}: {
  idPrefix: string;
  password: string;
  confirm: string;
  onPassword: (value: string) => void;
  onConfirm: (value: string) => void;
  /** Shown under the fields once the person tried to submit. */
  problem: string | null;
  autoFocus?: boolean;
}) {
  const hintId = `${idPrefix}-password-hint`;
  return (
    <>
      <div className="flex flex-col gap-2">
        <Label htmlFor={`${idPrefix}-new-password`}>New password</Label>
        <Input
          id={`${idPrefix}-new-password`}
          type="password"
          autoComplete="new-password"
          required
          minLength={MIN_PASSWORD}
          maxLength={200}
          autoFocus={autoFocus}
          value={password}
          onChange={(event) => onPassword(event.target.value)}
          aria-invalid={Boolean(problem) || undefined}
          aria-describedby={hintId}
        />
      </div>
      <div className="flex flex-col gap-2">
        <Label htmlFor={`${idPrefix}-confirm-password`}>Confirm new password</Label>
        <Input
          id={`${idPrefix}-confirm-password`}
          type="password"
          autoComplete="new-password"
          required
          maxLength={200}
          value={confirm}
          onChange={(event) => onConfirm(event.target.value)}
          aria-invalid={Boolean(problem) || undefined}
          aria-describedby={hintId}
        />
        <p id={hintId} className={problem ? "text-xs text-destructive" : "text-xs text-muted-foreground"}>
          {problem ?? `At least ${MIN_PASSWORD} characters.`}
        </p>
      </div>
    </>
  );
}
