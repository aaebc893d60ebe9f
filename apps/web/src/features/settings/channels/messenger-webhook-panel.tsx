"use client";

import type { MessengerWebhookSetup } from "@tandem/contracts";
import { CircleCheck, KeyRound, TriangleAlert } from "lucide-react";
import { CopyField } from "@/components/copy-field";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { formatDateTime } from "@/lib/format";
import { cn } from "@/lib/utils";

/**
 * The app-level half of Messenger's webhook: one callback for every Page of this server. Shows what
 * to enter in the Meta App Dashboard, whether this server can verify Meta's calls, and Pages that send
 * events although nobody connected them (so their customers' messages go nowhere).
 */
export function MessengerWebhookPanel({
  setup,
  onConnectPage,
}: {
  setup: MessengerWebhookSetup;
  onConnectPage: (pageId: string) => void;
}) {
  return (
    <Card className="gap-4 px-5 py-4" role="group" aria-labelledby="messenger-webhook-title">
      <div className="flex flex-col gap-1">
        <h3 id="messenger-webhook-title" className="font-semibold">
          Facebook webhook
        </h3>
        <p className="text-xs text-muted-foreground">
          One callback for every Page on this server. In the Meta App Dashboard, under Messenger → Webhooks, enter this
          URL and the server's verify token.
        </p>
      </div>
      <div className="grid grid-cols-[minmax(0,1fr)_auto] items-end gap-6">
        <CopyField label="Callback URL" value={setup.callbackUrl} mono />
        <ul className="flex flex-col gap-1 pb-1.5 text-xs" aria-label="Webhook configuration">
          <Check ok={setup.verifyTokenConfigured} good="Verify token set" bad="WEBHOOK_VERIFY_TOKEN is not set" />
          <Check
            ok={setup.appSecretConfigured}
            good="App Secret set: signatures are checked"
            bad="FB_APP_SECRET is not set: events are refused"
          />
        </ul>
      </div>
      {setup.unconnectedPages.length > 0 && (
        <section
          aria-labelledby="unconnected-pages-title"
          className="flex flex-col gap-2 rounded-md bg-warning/10 px-3 py-3"
        >
          <h4 id="unconnected-pages-title" className="flex items-center gap-2 text-sm font-medium">
            <TriangleAlert className="size-4 text-warning" aria-hidden="true" />
            Events for Pages that are not connected
          </h4>
          <p className="text-xs text-muted-foreground">
            Facebook sends these Pages' messages to this server, but no workspace has connected them, so nobody sees
            them. Connect the Page, or remove the app from it in the Page's settings. (Last 7 days.)
          </p>
          <ul className="flex flex-col gap-1.5">
            {setup.unconnectedPages.map((page) => (
              <li
                key={page.pageId}
                className="flex items-center justify-between gap-3 rounded-md border bg-background px-3 py-1.5 text-xs"
              >
                <span>
                  Page <span className="font-mono text-foreground">{page.pageId}</span>: {page.events.toLocaleString()}{" "}
                  {page.events === 1 ? "event" : "events"}, last {formatDateTime(page.lastEventAt)}
                </span>
                <Button size="sm" variant="outline" onClick={() => onConnectPage(page.pageId)}>
                  <KeyRound aria-hidden="true" />
                  Connect this Page
                </Button>
              </li>
            ))}
          </ul>
        </section>
      )}
    </Card>
  );
}

function Check({ ok, good, bad }: { ok: boolean; good: string; bad: string }) {
  const Icon = ok ? CircleCheck : TriangleAlert;
  return (
    <li className={cn("flex items-center gap-1.5", ok ? "text-muted-foreground" : "text-destructive")}>
      <Icon className={cn("size-3.5", ok ? "text-success" : "text-destructive")} aria-hidden="true" />
      {ok ? good : bad}
    </li>
  );
}
