"use client";

import type { ChannelDto, ConnectMessengerOAuthPagesResponse, MessengerOAuthPageDto } from "@tandem/contracts";
import { CircleCheck, TriangleAlert } from "lucide-react";
import { type FormEvent, useState } from "react";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
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
import { Skeleton } from "@/components/ui/skeleton";
import { errorMessage, isApiError } from "@/lib/api";
import { cn } from "@/lib/utils";
import { MessengerIcon } from "./channel-icon";
import { oauthErrorMessage, startFacebookLogin } from "./oauth";
import { useConnectMessengerOAuthPages, useMessengerOAuthPages } from "./queries";

type PageErrors = ConnectMessengerOAuthPagesResponse["errors"];

/**
 * After Facebook Login: the Pages the person manages, to pick which to connect. Pages connected
 * already are marked; picking one again refreshes its token (the way out of "reconnect needed").
 */
export function OAuthPagesDialog({
  oauth,
  channels,
  onClose,
  onConnected,
}: {
  oauth: string | null;
  channels: ChannelDto[];
  onClose: () => void;
  onConnected: (connected: ChannelDto[]) => void;
}) {
  return (
    <Dialog open={Boolean(oauth)} onOpenChange={(open) => !open && onClose()}>
      <DialogContent className="sm:max-w-xl">
        {oauth && <PagePicker oauth={oauth} channels={channels} onConnected={onConnected} />}
      </DialogContent>
    </Dialog>
  );
}

function PagePicker({
  oauth,
  channels,
  onConnected,
}: {
  oauth: string;
  channels: ChannelDto[];
  onConnected: (connected: ChannelDto[]) => void;
}) {
  const pages = useMessengerOAuthPages(oauth);
  const connect = useConnectMessengerOAuthPages();
  const [picked, setPicked] = useState<Set<string> | null>(null);
  const [pageErrors, setPageErrors] = useState<PageErrors>([]);
  const [connectedNames, setConnectedNames] = useState<string[]>([]);

  const needsReconnect = new Set(
    channels.filter((c) => c.status === "reconnect_needed" && c.externalId).map((c) => c.externalId),
  );
  // Until the person changes it: every Page not connected yet, and those waiting for a fresh token.
  const selected =
    picked ??
    new Set((pages.data?.data ?? []).filter((p) => !p.connected || needsReconnect.has(p.id)).map((p) => p.id));

  function toggle(id: string, on: boolean) {
    const next = new Set(selected);
    if (on) next.add(id);
    else next.delete(id);
    setPicked(next);
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (selected.size === 0) return;
    setPageErrors([]);
    connect.mutate(
      { oauth, pageIds: [...selected] },
      {
        onSuccess: (result) => {
          if (result.errors.length === 0) {
            onConnected(result.data);
            return;
          }
          setPageErrors(result.errors);
          setConnectedNames((names) => [...names, ...result.data.map((c) => c.name)]);
          // What worked is done; what failed stays selected to try again.
          setPicked(new Set(result.errors.map((e) => e.pageId)));
        },
      },
    );
  }

  const header = (
    <DialogHeader>
      <DialogTitle className="flex items-center gap-2">
        <MessengerIcon className="size-5" />
        Choose the Pages to connect
      </DialogTitle>
      <DialogDescription>
        These are the Pages your Facebook account gave Tandem access to. Each one you connect sends its Messenger
        conversations to the inbox, where the chatbot and your team can answer them.
      </DialogDescription>
    </DialogHeader>
  );

  if (pages.isPending) {
    return (
      <div className="grid gap-4">
        {header}
        <div className="flex flex-col gap-2" role="status" aria-label="Loading your Pages">
          <Skeleton className="h-14 w-full" />
          <Skeleton className="h-14 w-full" />
        </div>
      </div>
    );
  }

  if (pages.isError) {
    const expired = isApiError(pages.error) && pages.error.code === "oauth_session_expired";
    return (
      <div className="grid gap-4">
        {header}
        <Alert variant="destructive">
          <TriangleAlert aria-hidden="true" />
          <AlertTitle>Could not load your Pages</AlertTitle>
          <AlertDescription>
            {isApiError(pages.error) && pages.error.code.startsWith("oauth_")
              ? oauthErrorMessage(pages.error.code)
              : errorMessage(pages.error)}
          </AlertDescription>
        </Alert>
        <DialogFooter>
          <DialogClose asChild>
            <Button variant="outline">Close</Button>
          </DialogClose>
          {expired ? (
            <Button onClick={startFacebookLogin}>Continue with Facebook again</Button>
          ) : (
            <Button onClick={() => pages.refetch()}>Try again</Button>
          )}
        </DialogFooter>
      </div>
    );
  }

  const list = pages.data.data;
  if (list.length === 0) {
    return (
      <div className="grid gap-4">
        {header}
        <Alert variant="warning">
          <TriangleAlert aria-hidden="true" />
          <AlertTitle>No Pages to connect</AlertTitle>
          <AlertDescription>
            Your Facebook account manages no Pages, or none was selected during the login. Continue with Facebook again
            and tick the Pages Tandem may use.
          </AlertDescription>
        </Alert>
        <DialogFooter>
          <DialogClose asChild>
            <Button variant="outline">Close</Button>
          </DialogClose>
          <Button onClick={startFacebookLogin}>Continue with Facebook again</Button>
        </DialogFooter>
      </div>
    );
  }

  const errorsByPage = new Map(pageErrors.map((e) => [e.pageId, e]));
  return (
    <form onSubmit={onSubmit} className="grid gap-4">
      {header}
      <fieldset className="flex max-h-[50vh] flex-col gap-2 overflow-y-auto">
        <legend className="sr-only">Pages</legend>
        {list.map((page) => (
          <PageOption
            key={page.id}
            page={page}
            checked={selected.has(page.id)}
            needsReconnect={needsReconnect.has(page.id)}
            error={errorsByPage.get(page.id)?.message}
            onChange={(on) => toggle(page.id, on)}
          />
        ))}
      </fieldset>
      {connectedNames.length > 0 && (
        <Alert variant="info">
          <CircleCheck aria-hidden="true" />
          <AlertDescription className="text-foreground">Connected: {connectedNames.join(", ")}.</AlertDescription>
        </Alert>
      )}
      {pageErrors.length > 0 && (
        <Alert variant="destructive">
          <TriangleAlert aria-hidden="true" />
          <AlertDescription>
            {pageErrors.length === 1
              ? "One Page could not be connected; the reason is shown next to it."
              : `${pageErrors.length} Pages could not be connected; the reasons are shown next to them.`}
          </AlertDescription>
        </Alert>
      )}
      {connect.error && (
        <Alert variant="destructive">
          <TriangleAlert aria-hidden="true" />
          <AlertDescription>
            {isApiError(connect.error) && connect.error.code.startsWith("oauth_")
              ? oauthErrorMessage(connect.error.code)
              : errorMessage(connect.error)}
          </AlertDescription>
        </Alert>
      )}
      <DialogFooter>
        <DialogClose asChild>
          <Button variant="outline">{pageErrors.length > 0 ? "Close" : "Cancel"}</Button>
        </DialogClose>
        <Button type="submit" disabled={selected.size === 0 || connect.isPending}>
          {connect.isPending
            ? "Connecting…"
            : selected.size === 1
              ? "Connect 1 Page"
              : `Connect ${selected.size} Pages`}
        </Button>
      </DialogFooter>
    </form>
  );
}

function PageOption({
  page,
  checked,
  needsReconnect,
  error,
  onChange,
}: {
  page: MessengerOAuthPageDto;
  checked: boolean;
  needsReconnect: boolean;
  error: string | undefined;
  onChange: (checked: boolean) => void;
}) {
  const id = `oauth-page-${page.id}`;
  const note = needsReconnect
    ? "Needs reconnecting: connect it again to refresh its token."
    : page.connected
      ? "Already connected. Select it to refresh its token."
      : null;
  return (
    <div
      className={cn(
        "flex items-start gap-3 rounded-lg border px-3 py-2.5 transition-colors has-[:checked]:border-primary/40 has-[:checked]:bg-primary/5",
        error && "border-destructive/40",
      )}
    >
      <input
        id={id}
        type="checkbox"
        checked={checked}
        onChange={(event) => onChange(event.target.checked)}
        aria-describedby={error || note ? `${id}-note` : undefined}
        className="mt-0.5 size-4 shrink-0 accent-primary focus-visible:outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50"
      />
      <div className="flex min-w-0 flex-1 flex-col gap-0.5">
        <label htmlFor={id} className="flex cursor-pointer flex-wrap items-center gap-2 text-sm font-medium">
          {page.name}
          {needsReconnect ? (
            <Badge className="border-transparent bg-warning/15 text-amber-800">Reconnect needed</Badge>
          ) : page.connected ? (
            <Badge variant="accent">Connected</Badge>
          ) : null}
        </label>
        <span className="font-mono text-xs text-muted-foreground">Page ID {page.id}</span>
        {(error || note) && (
          <span id={`${id}-note`} className={cn("text-xs", error ? "text-destructive" : "text-muted-foreground")}>
            {error ?? note}
          </span>
        )}
      </div>
    </div>
  );
}
