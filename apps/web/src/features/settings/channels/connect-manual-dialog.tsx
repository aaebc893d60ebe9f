"use client";

import { type ChannelDto, ConnectMessengerPageInput } from "@tandem/contracts";
import { TriangleAlert } from "lucide-react";
import { type FormEvent, type ReactNode, useState } from "react";
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
} from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { errorMessage } from "@/lib/api";
import { useConnectMessengerPage } from "./queries";

export interface ManualConnectTarget {
  /** Filled in: a Page to reconnect, or one that sends events nobody connected. */
  pageId?: string;
  pageName?: string;
  /** The Page was connected and needs a new token. */
  reconnect?: boolean;
}

type Field = "pageId" | "pageAccessToken" | "pageName";

const FIELD_HINTS: Record<Field, string> = {
  pageId: "Enter the numeric Page ID (5 to 30 digits), found in the Page's About → Page transparency.",
  pageAccessToken: "Paste the whole Page access token (at least 10 characters).",
  pageName: "Keep the name under 200 characters.",
};

/**
 * Connect a Page by pasting its id and a Page access token (e.g. from the Graph API Explorer or a
 * system user). The server checks the token with Facebook; its refusal is shown as is.
 */
export function ConnectManualDialog({
  open,
  target,
  onOpenChange,
  onConnected,
}: {
  open: boolean;
  target: ManualConnectTarget;
  onOpenChange: (open: boolean) => void;
  onConnected: (channel: ChannelDto) => void;
}) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent>
        {/* Remounted on every opening, so the form starts from the target each time. */}
        {open && <ManualForm target={target} onConnected={onConnected} />}
      </DialogContent>
    </Dialog>
  );
}

function ManualForm({
  target,
  onConnected,
}: {
  target: ManualConnectTarget;
  onConnected: (channel: ChannelDto) => void;
}) {
  const [pageId, setPageId] = useState(target.pageId ?? "");
  const [token, setToken] = useState("");
  const [pageName, setPageName] = useState(target.pageName ?? "");
  const [invalid, setInvalid] = useState<Partial<Record<Field, string>>>({});
  const connect = useConnectMessengerPage();
  const reconnecting = Boolean(target.reconnect);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const parsed = ConnectMessengerPageInput.safeParse({
      pageId,
      pageAccessToken: token,
      pageName: pageName.trim() || undefined,
    });
    if (!parsed.success) {
      const errors: Partial<Record<Field, string>> = {};
      for (const issue of parsed.error.issues) {
        const field = issue.path[0] as Field;
        if (field in FIELD_HINTS) errors[field] ??= FIELD_HINTS[field];
      }
      setInvalid(errors);
      return;
    }
    setInvalid({});
    connect.mutate(parsed.data, {
      onSuccess: (channel) => {
        setToken("");
        onConnected(channel);
      },
    });
  }

  return (
    <form onSubmit={onSubmit} className="grid gap-4" noValidate>
      <DialogHeader>
        <DialogTitle>
          {reconnecting ? `Reconnect ${target.pageName ?? "the Page"}` : "Connect a Page manually"}
        </DialogTitle>
        <DialogDescription>
          {reconnecting
            ? "Paste a new Page access token. The old one is replaced and the Page works again."
            : "Use the Page's ID and a Page access token with the pages_messaging permission. Tandem checks the token with Facebook and subscribes to the Page's messages."}
        </DialogDescription>
      </DialogHeader>
      <FormField id="manual-page-id" label="Page ID" error={invalid.pageId}>
        <Input
          id="manual-page-id"
          inputMode="numeric"
          autoComplete="off"
          required
          maxLength={30}
          value={pageId}
          onChange={(event) => setPageId(event.target.value)}
          placeholder="109876543210001"
          aria-invalid={invalid.pageId ? true : undefined}
          aria-describedby={invalid.pageId ? "manual-page-id-error" : undefined}
        />
      </FormField>
      <FormField
        id="manual-page-token"
        label="Page access token"
        error={invalid.pageAccessToken}
        hint="Stored encrypted. Only its last characters are shown afterwards."
      >
        <Input
          id="manual-page-token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          required
          maxLength={1000}
          value={token}
          onChange={(event) => setToken(event.target.value)}
          placeholder="EAAG…"
          aria-invalid={invalid.pageAccessToken ? true : undefined}
          aria-describedby={
            invalid.pageAccessToken ? "manual-page-token-error manual-page-token-hint" : "manual-page-token-hint"
          }
        />
      </FormField>
      <FormField
        id="manual-page-name"
        label="Name (optional)"
        error={invalid.pageName}
        hint="Defaults to the Page's name on Facebook."
      >
        <Input
          id="manual-page-name"
          autoComplete="off"
          maxLength={200}
          value={pageName}
          onChange={(event) => setPageName(event.target.value)}
          aria-invalid={invalid.pageName ? true : undefined}
          aria-describedby={invalid.pageName ? "manual-page-name-error manual-page-name-hint" : "manual-page-name-hint"}
        />
      </FormField>
      {connect.error && (
        <Alert variant="destructive">
          <TriangleAlert aria-hidden="true" />
          <AlertDescription>{errorMessage(connect.error)}</AlertDescription>
        </Alert>
      )}
      <DialogFooter>
        <DialogClose asChild>
          <Button variant="outline">Cancel</Button>
        </DialogClose>
        <Button type="submit" disabled={connect.isPending}>
          {connect.isPending ? "Checking with Facebook…" : reconnecting ? "Reconnect Page" : "Connect Page"}
        </Button>
      </DialogFooter>
    </form>
  );
}

function FormField({
  id,
  label,
  error,
  hint,
  children,
}: {
  id: string;
  label: string;
  error?: string | undefined;
  hint?: string;
  children: ReactNode;
}) {
  return (
    <div className="flex flex-col gap-2">
      <Label htmlFor={id}>{label}</Label>
      {children}
      {error && (
        <p id={`${id}-error`} className="text-xs text-destructive">
          {error}
        </p>
      )}
      {hint && (
        <p id={`${id}-hint`} className="text-xs text-muted-foreground">
          {hint}
        </p>
      )}
    </div>
  );
}
