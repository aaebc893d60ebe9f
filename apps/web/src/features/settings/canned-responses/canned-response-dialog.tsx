"use client";

import { CANNED_LIMITS, CANNED_VARIABLES, type CannedResponseDto, CreateCannedResponseInput } from "@tandem/contracts";
import { TriangleAlert } from "lucide-react";
import { type FormEvent, type ReactElement, useId, useRef, useState } from "react";
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
import { Textarea } from "@/components/ui/textarea";
import { useCreateCannedResponse, useUpdateCannedResponse } from "@/features/canned-responses/queries";
import { errorMessage, isApiError } from "@/lib/api";

type Field = "shortcut" | "title" | "text";
type FieldErrors = Partial<Record<Field, string>>;

/** The server's field errors (400 `details`, 409 on the shortcut), by field. */
function serverFieldErrors(error: unknown): FieldErrors {
  if (!isApiError(error) || !Array.isArray(error.details)) return {};
  const out: FieldErrors = {};
  for (const detail of error.details as { path?: string; message?: string }[]) {
    if (detail.path === "shortcut" || detail.path === "title" || detail.path === "text") {
      out[detail.path] ??= detail.message ?? "Invalid";
    }
  }
  return out;
}

/** Create a canned response, or edit `reply`. Checks the fields as the server does before sending. */
export function CannedResponseDialog({ reply, trigger }: { reply?: CannedResponseDto; trigger: ReactElement }) {
  const [open, setOpen] = useState(false);
  const [values, setValues] = useState({ shortcut: "", title: "", text: "" });
  const [errors, setErrors] = useState<FieldErrors>({});
  const create = useCreateCannedResponse();
  const update = useUpdateCannedResponse();
  const mutation = reply ? update : create;
  const textRef = useRef<HTMLTextAreaElement>(null);
  const id = useId();

  function onOpenChange(next: boolean) {
    setOpen(next);
    if (next) {
      setValues(
        reply
          ? { shortcut: reply.shortcut, title: reply.title, text: reply.text }
          : { shortcut: "", title: "", text: "" },
      );
      setErrors({});
      create.reset();
      update.reset();
    }
  }

  function set(field: Field, value: string) {
    setValues((v) => ({ ...v, [field]: value }));
    if (errors[field]) setErrors((e) => ({ ...e, [field]: undefined }));
  }

  function insertVariable(name: string) {
    const el = textRef.current;
    const token = `{${name}}`;
    const start = el?.selectionStart ?? values.text.length;
    const end = el?.selectionEnd ?? values.text.length;
    set("text", values.text.slice(0, start) + token + values.text.slice(end));
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(start + token.length, start + token.length);
    });
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const parsed = CreateCannedResponseInput.safeParse(values);
    if (!parsed.success) {
      const next: FieldErrors = {};
      for (const issue of parsed.error.issues) next[issue.path[0] as Field] ??= issue.message;
      setErrors(next);
      return;
    }
    const onError = (cause: unknown) => setErrors(serverFieldErrors(cause));
    const onSuccess = () => setOpen(false);
    if (reply) update.mutate({ id: reply.id, ...parsed.data }, { onSuccess, onError });
    else create.mutate(parsed.data, { onSuccess, onError });
  }

  const fieldError = (field: Field) =>
    errors[field] ? (
      <p id={`${id}-${field}-error`} className="text-xs text-destructive">
        {errors[field]}
      </p>
    ) : null;
  const describedBy = (field: Field, hint?: string) =>
    [errors[field] ? `${id}-${field}-error` : null, hint].filter(Boolean).join(" ") || undefined;
  const otherError = mutation.error && Object.keys(serverFieldErrors(mutation.error)).length === 0;

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogTrigger asChild>{trigger}</DialogTrigger>
      <DialogContent className="max-h-[100dvh] overflow-y-auto sm:max-w-lg">
        <form onSubmit={onSubmit} className="grid gap-4" noValidate>
          <DialogHeader>
            <DialogTitle>{reply ? `Edit “/${reply.shortcut}”` : "New canned response"}</DialogTitle>
            <DialogDescription>
              Everyone in the workspace can insert it by typing <kbd className="font-mono">/</kbd> and its shortcut in
              the composer.
            </DialogDescription>
          </DialogHeader>
          <div className="flex flex-col gap-2">
            <Label htmlFor={`${id}-shortcut`}>Shortcut</Label>
            <div className="flex items-center gap-1">
              <span className="font-mono text-sm text-muted-foreground" aria-hidden="true">
                /
              </span>
              <Input
                id={`${id}-shortcut`}
                value={values.shortcut}
                maxLength={CANNED_LIMITS.shortcutLength}
                autoCapitalize="none"
                autoCorrect="off"
                spellCheck={false}
                placeholder="returns"
                className="font-mono"
                aria-invalid={Boolean(errors.shortcut)}
                aria-describedby={describedBy("shortcut", `${id}-shortcut-hint`)}
                onChange={(event) => set("shortcut", event.target.value.toLowerCase())}
              />
            </div>
            <p id={`${id}-shortcut-hint`} className="text-xs text-muted-foreground">
              Lowercase letters, digits, “-” and “_”, up to {CANNED_LIMITS.shortcutLength}.
            </p>
            {fieldError("shortcut")}
          </div>
          <div className="flex flex-col gap-2">
            <Label htmlFor={`${id}-title`}>Title</Label>
            <Input
              id={`${id}-title`}
              value={values.title}
              maxLength={CANNED_LIMITS.titleLength}
              placeholder="Return policy"
              aria-invalid={Boolean(errors.title)}
              aria-describedby={describedBy("title")}
              onChange={(event) => set("title", event.target.value)}
            />
            {fieldError("title")}
          </div>
          <div className="flex flex-col gap-2">
            <Label htmlFor={`${id}-text`}>Text</Label>
            <Textarea
              id={`${id}-text`}
              ref={textRef}
              rows={6}
              value={values.text}
              maxLength={CANNED_LIMITS.textLength}
              placeholder="Hi {contact_first_name}, you can return any item within 30 days…"
              aria-invalid={Boolean(errors.text)}
              aria-describedby={describedBy("text", `${id}-text-hint`)}
              onChange={(event) => set("text", event.target.value)}
            />
            <div id={`${id}-text-hint`} className="flex flex-wrap items-center gap-1 text-xs text-muted-foreground">
              <span>Insert a variable:</span>
              {Object.entries(CANNED_VARIABLES).map(([name, meaning]) => (
                <Button
                  key={name}
                  type="button"
                  variant="outline"
                  size="sm"
                  className="h-7 font-mono text-xs"
                  title={meaning}
                  onClick={() => insertVariable(name)}
                >
                  {`{${name}}`}
                </Button>
              ))}
              <span className="ml-auto tabular-nums">
                {values.text.length.toLocaleString()} / {CANNED_LIMITS.textLength.toLocaleString()}
              </span>
            </div>
            {fieldError("text")}
          </div>
          {otherError && (
            <Alert variant="destructive">
              <TriangleAlert aria-hidden="true" />
              <AlertDescription>{errorMessage(mutation.error)}</AlertDescription>
            </Alert>
          )}
          <DialogFooter>
            <DialogClose asChild>
              <Button variant="outline">Cancel</Button>
            </DialogClose>
            <Button type="submit" disabled={mutation.isPending}>
              {mutation.isPending ? "Saving…" : reply ? "Save changes" : "Create"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
