"use client";

import type { ChannelDto } from "@tandem/contracts";
import { KeyRound, RotateCw, TriangleAlert, X } from "lucide-react";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useState } from "react";
import { Notice, useNotice } from "@/components/notice";
import { PageHeader } from "@/components/page-header";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { ForbiddenState } from "@/features/auth/forbidden-state";
import { can } from "@/features/auth/permissions";
import { useCurrentUser } from "@/features/auth/queries";
import { errorMessage, isApiError } from "@/lib/api";
import { ChannelCard } from "./channel-card";
import { MessengerIcon } from "./channel-icon";
import { ConnectManualDialog, type ManualConnectTarget } from "./connect-manual-dialog";
import { LineSection } from "./line-card";
import { MessengerWebhookPanel } from "./messenger-webhook-panel";
import { OAUTH_ERROR_PARAM, OAUTH_PARAM, oauthErrorMessage, startFacebookLogin } from "./oauth";
import { OAuthPagesDialog } from "./oauth-pages-dialog";
import { CHANNELS_POLL_MS, useChannels, useMessengerWebhookSetup } from "./queries";
import { ReconnectBanner } from "./reconnect-banner";

export function ChannelsPage() {
  const me = useCurrentUser();
  const allowed = can(me, "channels.manage");
  const channels = useChannels(allowed);
  const webhookSetup = useMessengerWebhookSetup(allowed);
  const { notice, show, clear } = useNotice();
  const [manual, setManual] = useState<{ open: boolean; target: ManualConnectTarget }>({ open: false, target: {} });

  // The way back from Facebook Login: `?oauth=<id>` to pick Pages, `?oauthError=<code>` when it failed.
  const searchParams = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const oauth = searchParams.get(OAUTH_PARAM);
  const oauthError = searchParams.get(OAUTH_ERROR_PARAM);
  const clearOAuthParams = () => router.replace(pathname, { scroll: false });

  if (!allowed || isApiError(channels.error, 403)) return <ForbiddenState />;

  // LINE channels have their own card (one per chatbot), below.
  const all = channels.data?.data ?? [];
  const list = all.filter((c) => c.type !== "line");
  const needReconnect = list.filter((c) => c.status === "reconnect_needed");

  function onManualConnected(channel: ChannelDto) {
    setManual((m) => ({ ...m, open: false }));
    show({ kind: "success", message: `${channel.name} is connected.` });
  }

  function onOAuthConnected(connected: ChannelDto[]) {
    clearOAuthParams();
    const names = connected.map((c) => c.name).join(", ");
    show({ kind: "success", message: connected.length === 1 ? `${names} is connected.` : `Connected: ${names}.` });
  }

  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title="Channels"
        description={`Where customers reach ${me.workspace.name}. Connect Facebook Pages and LINE Official Accounts so their conversations arrive in the inbox, answered by the chatbot and your team.`}
        actions={
          <>
            <Button variant="outline" onClick={() => setManual({ open: true, target: {} })}>
              <KeyRound aria-hidden="true" />
              Connect manually
            </Button>
            <Button onClick={startFacebookLogin}>
              <MessengerIcon className="size-4 fill-current" />
              Continue with Facebook
            </Button>
          </>
        }
      />
      <Notice notice={notice} onDismiss={clear} />

      {oauthError && (
        <Alert variant="destructive" className="pr-10">
          <TriangleAlert aria-hidden="true" />
          <AlertTitle>Connecting with Facebook did not work</AlertTitle>
          <AlertDescription>{oauthErrorMessage(oauthError)}</AlertDescription>
          <button
            type="button"
            onClick={clearOAuthParams}
            className="absolute top-2.5 right-2.5 rounded-sm p-0.5 text-muted-foreground outline-none hover:text-foreground focus-visible:ring-[3px] focus-visible:ring-ring/50"
          >
            <X className="size-4" aria-hidden="true" />
            <span className="sr-only">Dismiss</span>
          </button>
        </Alert>
      )}

      <ReconnectBanner
        channels={needReconnect}
        onPasteToken={(channel) =>
          setManual({
            open: true,
            target: { pageId: channel.externalId ?? undefined, pageName: channel.name, reconnect: true },
          })
        }
      />

      <section aria-labelledby="connected-channels" className="flex flex-col gap-3">
        <div className="flex items-baseline justify-between gap-4">
          <h2 id="connected-channels" className="font-semibold">
            Connected channels
          </h2>
          {channels.data && list.length > 0 && (
            <p className="text-xs text-muted-foreground">
              Webhook status refreshes every {CHANNELS_POLL_MS / 1000} seconds.
            </p>
          )}
        </div>

        {channels.isError && !channels.data ? (
          <Alert variant="destructive">
            <TriangleAlert aria-hidden="true" />
            <AlertTitle>Could not load the channels</AlertTitle>
            <AlertDescription>
              {errorMessage(channels.error)}
              <Button size="sm" variant="outline" className="mt-1" onClick={() => channels.refetch()}>
                <RotateCw aria-hidden="true" />
                Try again
              </Button>
            </AlertDescription>
          </Alert>
        ) : !channels.data ? (
          <ChannelsSkeleton />
        ) : all.length === 0 ? (
          <NoChannels />
        ) : list.length === 0 ? (
          <p className="text-sm text-muted-foreground">No Facebook Page connected yet.</p>
        ) : (
          <>
            {channels.isError && (
              <p role="status" className="text-xs text-destructive">
                Could not refresh the status: {errorMessage(channels.error)} Showing the last known state.
              </p>
            )}
            {list.map((channel) => (
              <ChannelCard key={channel.id} channel={channel} onNotice={show} />
            ))}
          </>
        )}
      </section>

      <LineSection onNotice={show} />

      {webhookSetup.data && (
        <MessengerWebhookPanel
          setup={webhookSetup.data}
          onConnectPage={(pageId) => setManual({ open: true, target: { pageId } })}
        />
      )}

      <ConnectManualDialog
        open={manual.open}
        target={manual.target}
        onOpenChange={(open) => setManual((m) => ({ ...m, open }))}
        onConnected={onManualConnected}
      />
      <OAuthPagesDialog oauth={oauth} channels={list} onClose={clearOAuthParams} onConnected={onOAuthConnected} />
    </div>
  );
}

/** What connecting does, and the two ways to do it (the buttons are in the page header). */
function NoChannels() {
  return (
    <Card className="items-center gap-5 px-6 py-10 text-center">
      <div className="grid size-12 place-items-center rounded-full bg-[#0866ff]/10">
        <MessengerIcon className="size-6" />
      </div>
      <div className="flex max-w-lg flex-col gap-2">
        <p className="font-medium">No channels connected yet</p>
        <p className="text-sm text-muted-foreground">
          Connect a Facebook Page and every message customers send it on Messenger appears in the inbox within a second.
          The chatbot answers first; anyone on your team can take over, and replies go back to the customer on
          Messenger.
        </p>
      </div>
      <ul className="grid w-full max-w-2xl grid-cols-2 gap-3 text-left text-sm">
        <li className="rounded-lg border bg-muted/30 p-4">
          <p className="font-medium">Continue with Facebook</p>
          <p className="mt-1 text-muted-foreground">
            Log in with a Facebook account that manages the Page, then pick the Pages to connect. Recommended.
          </p>
        </li>
        <li className="rounded-lg border bg-muted/30 p-4">
          <p className="font-medium">Connect manually</p>
          <p className="mt-1 text-muted-foreground">
            Paste the Page ID and a Page access token, e.g. from a system user in Meta Business Suite.
          </p>
        </li>
      </ul>
    </Card>
  );
}

function ChannelsSkeleton() {
  return (
    <div className="flex flex-col gap-3" role="status" aria-label="Loading channels">
      {["first", "second"].map((key) => (
        <Card key={key} className="gap-0 py-0">
          <div className="flex items-center gap-4 p-5">
            <Skeleton className="size-10 rounded-lg" />
            <div className="flex flex-1 flex-col gap-2">
              <Skeleton className="h-4 w-56" />
              <Skeleton className="h-3 w-96" />
            </div>
            <Skeleton className="h-8 w-28" />
          </div>
          <div className="flex items-center justify-between border-t px-5 py-4">
            <Skeleton className="h-4 w-64" />
            <Skeleton className="h-8 w-72" />
          </div>
        </Card>
      ))}
    </div>
  );
}
