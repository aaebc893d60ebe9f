"use client";

import type { MessengerWebhookSetup } from "@tandem/contracts";
import { CircleCheck, KeyRound, RefreshCw, TriangleAlert } from "lucide-react";
import { CopyField } from "@/components/copy-field";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { errorMessage } from "@/lib/api";
import { formatDateTime } from "@/lib/format";
import { cn } from "@/lib/utils";
import { useTestWebhookVerification } from "./queries";
import { verificationStatus } from "./webhook-health";

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
      <Verification setup={setup} />
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

/**
 * Meta's verification handshake: when it last passed (Meta's "Verify and save", or the test below),
 * the last failure and why, and a button that plays the handshake against the callback URL now.
 */
function Verification({ setup }: { setup: MessengerWebhookSetup }) {
  const test = useTestWebhookVerification();
  const status = verificationStatus(setup.verification);
  const verdict = test.data;
  return (
    <section aria-labelledby="webhook-verification-title" className="flex flex-col gap-2 border-t pt-3">
      <div className="flex items-center justify-between gap-3">
        <div className="flex min-w-0 flex-col gap-0.5">
          <h4 id="webhook-verification-title" className="text-sm font-medium">
            Verification
          </h4>
          <p className="text-xs text-muted-foreground" data-testid="webhook-last-verified">
            {status.text}
          </p>
          {status.attempt && (
            <p className="text-xs text-muted-foreground" data-testid="webhook-refused-attempt">
              {status.attempt}
            </p>
          )}
        </div>
        <Button
          size="sm"
          variant="outline"
          disabled={test.isPending || !setup.verifyTokenConfigured}
          onClick={() => test.mutate()}
        >
          <RefreshCw aria-hidden="true" className={cn(test.isPending && "animate-spin")} />
          {test.isPending ? "Testing…" : "Test verification"}
        </Button>
      </div>
      <div aria-live="polite" className="text-xs">
        {verdict && (
          <p className={cn("flex items-start gap-1.5", verdict.ok ? "text-muted-foreground" : "text-destructive")}>
            {verdict.ok ? (
              <CircleCheck className="mt-0.5 size-3.5 shrink-0 text-success" aria-hidden="true" />
            ) : (
              <TriangleAlert className="mt-0.5 size-3.5 shrink-0" aria-hidden="true" />
            )}
            <span>
              {verdict.ok ? "Verification passed: " : "Verification failed: "}
              {verdict.message}
            </span>
          </p>
        )}
        {test.error && <p className="text-destructive">{errorMessage(test.error)}</p>}
      </div>
    </section>
  );
}
