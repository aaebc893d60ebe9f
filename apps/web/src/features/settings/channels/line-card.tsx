"use client";

import { ConfigureLineInput, type LineStatus, type LineWebhookTestResult } from "@tandem/contracts";
import { CircleCheck, FlaskConical, KeyRound, RotateCw, Send, TriangleAlert, Unplug } from "lucide-react";
import { type FormEvent, type ReactNode, useState } from "react";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { CopyField } from "@/components/copy-field";
import type { NoticeValue } from "@/components/notice";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { errorMessage, isApiError } from "@/lib/api";
import { formatDateTime } from "@/lib/format";
import { cn } from "@/lib/utils";
import { Fact } from "./channel-card";
import { LineIcon } from "./channel-icon";
import { ChannelStatusBadge } from "./channel-status";
import {
  useConfigureLine,
  useLineChatbots,
  useLineStatus,
  useSetLineWebhookEndpoint,
  useTestLineWebhook,
} from "./line-queries";
import { useDisconnectChannel } from "./queries";

type Notify = (notice: NoticeValue) => void;

/**
 * LINE Official Account on Settings → Channels: one LINE channel per chatbot. Not connected: the
 * three credentials of its Messaging API channel. Connected: its health (token, status, webhook URL
 * against LINE's, quota), setting and testing the webhook URL on LINE, new credentials, disconnect.
 */
export function LineSection({ onNotice }: { onNotice: Notify }) {
  const chatbots = useLineChatbots();
  const [picked, setPicked] = useState<string | null>(null);
  const list = chatbots.data?.data ?? [];
  const chatbotId = picked ?? list[0]?.chatbotId ?? null;

  return (
    <section aria-labelledby="line-title" className="flex flex-col gap-3">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h2 id="line-title" className="flex items-center gap-2 font-semibold">
          <LineIcon className="size-5" />
          LINE Official Account
        </h2>
        {list.length > 1 && (
          <Select value={chatbotId ?? undefined} onValueChange={setPicked}>
            <SelectTrigger size="sm" aria-label="Chatbot" className="w-full sm:w-64">
              <SelectValue />
            </SelectTrigger>
            <SelectContent>
              {list.map((bot) => (
                <SelectItem key={bot.chatbotId} value={bot.chatbotId}>
                  {bot.name}
                  {bot.channel ? ` · ${bot.channel.name}` : ""}
                </SelectItem>
              ))}
            </SelectContent>
          </Select>
        )}
      </div>
      {chatbots.isError ? (
        <LoadError error={chatbots.error} retry={() => chatbots.refetch()} what="the chatbots" />
      ) : !chatbots.data ? (
        <Skeleton className="h-40 w-full rounded-xl" />
      ) : !chatbotId ? (
        <Card className="px-5 py-4 text-sm text-muted-foreground">
          This workspace has no chatbot yet. A LINE channel answers through a chatbot: save the bot settings first.
        </Card>
      ) : (
        <LineChatbotCard key={chatbotId} chatbotId={chatbotId} onNotice={onNotice} />
      )}
    </section>
  );
}

function LineChatbotCard({ chatbotId, onNotice }: { chatbotId: string; onNotice: Notify }) {
  const status = useLineStatus(chatbotId);
  if (status.isError && !status.data) {
    return <LoadError error={status.error} retry={() => status.refetch()} what="the LINE status" />;
  }
  if (!status.data) return <Skeleton className="h-40 w-full rounded-xl" role="status" aria-label="Loading LINE" />;
  if (!status.data.connected || !status.data.channel) {
    return (
      <Card className="gap-4 px-5 py-5" role="group" aria-labelledby="line-connect-title">
        <div className="flex flex-col gap-1">
          <h3 id="line-connect-title" className="font-medium">
            Connect a LINE Official Account
          </h3>
          <p className="text-sm text-muted-foreground">
            Customers who chat with your LINE account appear in the inbox; the chatbot answers and your team can take
            over.
          </p>
        </div>
        <LineCredentialsForm
          chatbotId={chatbotId}
          onDone={(name) =>
            onNotice({ kind: "success", message: `${name} is connected. Set the webhook URL on LINE.` })
          }
        />
      </Card>
    );
  }
  return <LineConnected status={status.data} refreshing={status.isFetching} onNotice={onNotice} />;
}

function LineConnected({
  status,
  refreshing,
  onNotice,
}: {
  status: LineStatus;
  refreshing: boolean;
  onNotice: Notify;
}) {
  const channel = status.channel!;
  const [editing, setEditing] = useState(false);
  const healthy = channel.status === "active" && status.token?.state !== "rejected";
  const reason = channel.statusReason ?? (status.token?.state === "unavailable" ? status.token.message : null) ?? null;
  const titleId = `line-${channel.id}-name`;

  return (
    <Card className="gap-0 py-0" role="group" aria-labelledby={titleId} data-testid="line-card">
      <div className="flex flex-col gap-4 p-5 sm:flex-row sm:items-start">
        <div className="flex min-w-0 flex-1 items-start gap-4">
          <span className="grid size-10 shrink-0 place-items-center rounded-lg border bg-background">
            <LineIcon className="size-5" />
          </span>
          <div className="flex min-w-0 flex-col gap-1.5">
            <div className="flex flex-wrap items-center gap-2">
              <h3 id={titleId} className="truncate font-semibold">
                {channel.name}
              </h3>
              <ChannelStatusBadge status={channel.status} />
            </div>
            <dl className="flex flex-wrap gap-x-5 gap-y-1 text-xs text-muted-foreground">
              {status.basicId && <Fact label="LINE ID">{status.basicId}</Fact>}
              {status.lineChannelId && (
                <Fact label="Channel ID">
                  <span className="font-mono text-foreground">{status.lineChannelId}</span>
                </Fact>
              )}
              {channel.secretHints.channelSecret && (
                <Fact label="Secret">
                  <span className="font-mono text-foreground">{channel.secretHints.channelSecret}</span>
                </Fact>
              )}
              {channel.secretHints.channelAccessToken && (
                <Fact label="Token">
                  <span className="font-mono text-foreground">{channel.secretHints.channelAccessToken}</span>
                </Fact>
              )}
            </dl>
          </div>
        </div>
        <div className="flex shrink-0 flex-wrap items-center gap-2">
          <Button size="sm" variant="outline" onClick={() => setEditing((v) => !v)} aria-expanded={editing}>
            <KeyRound aria-hidden="true" />
            Update credentials
          </Button>
          <DisconnectLine id={channel.id} name={channel.name} onNotice={onNotice} />
        </div>
      </div>

      <div className="flex items-start gap-2.5 px-5 pb-4" data-line-ok={healthy}>
        <span
          aria-hidden="true"
          className={cn(
            "mt-1.5 size-2.5 shrink-0 rounded-full ring-4",
            healthy ? "bg-success ring-success/15" : "bg-destructive ring-destructive/15",
          )}
        />
        <div className="flex min-w-0 flex-col gap-0.5">
          <p className={cn("text-sm font-medium", healthy ? "text-success" : "text-destructive")}>
            <span className="sr-only">LINE status: </span>
            {healthy
              ? "Connected: LINE accepts the token"
              : channel.status === "active" || channel.status === "reconnect_needed"
                ? "Reconnect needed: LINE refuses the token, update the credentials"
                : "Not working"}
          </p>
          {reason && <p className="text-xs text-muted-foreground">{reason}</p>}
          <p className="text-xs text-muted-foreground">
            {channel.webhook.lastEventAt
              ? `Last event ${formatDateTime(channel.webhook.lastEventAt)}`
              : "No event received yet"}
            {` · ${channel.webhook.eventsReceived.toLocaleString()} received · ${channel.webhook.eventsFailed.toLocaleString()} failed · ${channel.webhook.signatureRejections.toLocaleString()} signature rejections`}
          </p>
        </div>
      </div>

      {editing && (
        <div className="border-t px-5 py-4">
          <LineCredentialsForm
            chatbotId={status.chatbotId}
            current={{ channelId: status.lineChannelId ?? "", hints: channel.secretHints }}
            onDone={(name) => {
              setEditing(false);
              onNotice({ kind: "success", message: `${name}: the credentials are updated.` });
            }}
          />
        </div>
      )}

      <div className="grid gap-5 border-t bg-muted/30 px-5 py-4 lg:grid-cols-[minmax(0,1fr)_16rem]">
        <LineWebhook status={status} />
        <LineQuota status={status} refreshing={refreshing} />
      </div>
    </Card>
  );
}

function LineWebhook({ status }: { status: LineStatus }) {
  const setEndpoint = useSetLineWebhookEndpoint(status.chatbotId);
  const test = useTestLineWebhook(status.chatbotId);
  const { webhook } = status;
  const onLine = webhook.line;
  const view = webhook.error
    ? { ok: false, text: `LINE's webhook setting could not be read: ${webhook.error}` }
    : !onLine
      ? null
      : !onLine.endpoint
        ? { ok: false, text: "Not set on LINE yet." }
        : !onLine.matches
          ? { ok: false, text: `LINE has a different URL: ${onLine.endpoint}` }
          : !onLine.active
            ? { ok: false, text: 'Set on LINE, but "Use webhook" is off in the LINE Developers Console.' }
            : { ok: true, text: "Matches the URL set on LINE." };

  return (
    <div className="flex min-w-0 flex-col gap-3">
      <CopyField label="Webhook URL" value={webhook.expectedUrl} mono />
      {view && (
        <p
          className={cn("flex items-start gap-1.5 text-xs", view.ok ? "text-success" : "text-amber-800")}
          data-testid="line-webhook-view"
        >
          {view.ok ? (
            <CircleCheck className="mt-px size-3.5 shrink-0" aria-hidden="true" />
          ) : (
            <TriangleAlert className="mt-px size-3.5 shrink-0" aria-hidden="true" />
          )}
          <span className="min-w-0 break-all">{view.text}</span>
        </p>
      )}
      {webhook.problem && <p className="text-xs text-destructive">{webhook.problem}</p>}
      <div className="flex flex-wrap gap-2">
        <Button
          size="sm"
          disabled={setEndpoint.isPending || Boolean(webhook.problem)}
          onClick={() => setEndpoint.mutate()}
        >
          <Send aria-hidden="true" />
          {setEndpoint.isPending ? "Setting…" : "Set on LINE"}
        </Button>
        <Button size="sm" variant="outline" disabled={test.isPending} onClick={() => test.mutate()}>
          <FlaskConical aria-hidden="true" />
          {test.isPending ? "Testing…" : "Test"}
        </Button>
      </div>
      {setEndpoint.error && <p className="text-xs text-destructive">{errorMessage(setEndpoint.error)}</p>}
      {test.error && <p className="text-xs text-destructive">{errorMessage(test.error)}</p>}
      {test.data && <TestVerdict result={test.data} />}
    </div>
  );
}

function TestVerdict({ result }: { result: LineWebhookTestResult }) {
  return (
    <p
      role="status"
      className={cn("text-xs", result.success ? "text-success" : "text-destructive")}
      data-testid="line-webhook-test"
    >
      {result.success
        ? `LINE reached the webhook (HTTP ${result.statusCode}).`
        : `LINE's test failed: ${result.reason}${result.statusCode ? ` (HTTP ${result.statusCode})` : ""}${result.detail && result.detail !== String(result.statusCode) ? ` — ${result.detail}` : ""}.`}
    </p>
  );
}

function LineQuota({ status, refreshing }: { status: LineStatus; refreshing: boolean }) {
  const quota = status.quota;
  const share = quota?.limit ? Math.min(1, quota.used / quota.limit) : 0;
  return (
    <div className="flex flex-col gap-2" data-testid="line-quota">
      <p className="text-sm font-medium">Push messages this month</p>
      {quota ? (
        <>
          <p className="text-2xl font-semibold tabular-nums">
            {quota.used.toLocaleString()}
            <span className="text-sm font-normal text-muted-foreground">
              {quota.limit === null ? " · no limit" : ` / ${quota.limit.toLocaleString()}`}
            </span>
          </p>
          {quota.limit !== null && (
            <div className="h-1.5 w-full overflow-hidden rounded-full bg-muted" aria-hidden="true">
              <div
                className={cn("h-full rounded-full", share >= 0.9 ? "bg-destructive" : "bg-[#06c755]")}
                style={{ width: `${share * 100}%` }}
              />
            </div>
          )}
          <p className="text-xs text-muted-foreground">Replies are free; pushes (e.g. agent answers) count.</p>
        </>
      ) : (
        <p className="text-xs text-muted-foreground">{status.quotaError ?? "Unavailable."}</p>
      )}
      <p className="text-xs text-muted-foreground">
        Checked {formatDateTime(status.checkedAt)}
        {refreshing ? " · refreshing…" : ""}
      </p>
    </div>
  );
}

type Field = "channelId" | "channelSecret" | "channelAccessToken";

/**
 * The three credentials. Secrets are never shown again: on an update, empty fields keep the stored
 * ones (their hints are the placeholders).
 */
function LineCredentialsForm({
  chatbotId,
  current,
  onDone,
}: {
  chatbotId: string;
  current?: { channelId: string; hints: Record<string, string> };
  onDone: (name: string) => void;
}) {
  const [channelId, setChannelId] = useState(current?.channelId ?? "");
  const [secret, setSecret] = useState("");
  const [token, setToken] = useState("");
  const [invalid, setInvalid] = useState<Partial<Record<Field, string>>>({});
  const configure = useConfigureLine(chatbotId);
  const updating = Boolean(current);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const parsed = ConfigureLineInput.safeParse({
      channelId,
      channelSecret: secret.trim() || undefined,
      channelAccessToken: token.trim() || undefined,
    });
    const errors: Partial<Record<Field, string>> = {};
    if (!parsed.success) {
      for (const issue of parsed.error.issues) errors[issue.path[0] as Field] ??= issue.message;
    }
    if (!updating && !secret.trim()) errors.channelSecret ??= "Required";
    if (!updating && !token.trim()) errors.channelAccessToken ??= "Required";
    setInvalid(errors);
    if (!parsed.success || Object.keys(errors).length > 0) return;
    configure.mutate(parsed.data, {
      onSuccess: (channel) => {
        setSecret("");
        setToken("");
        onDone(channel.name);
      },
    });
  }

  return (
    <form onSubmit={onSubmit} className="grid gap-4" noValidate aria-label="LINE credentials">
      <div className="grid gap-4 md:grid-cols-3">
        <FormField id={`line-channel-id-${chatbotId}`} label="Channel ID" error={invalid.channelId}>
          <Input
            id={`line-channel-id-${chatbotId}`}
            inputMode="numeric"
            autoComplete="off"
            maxLength={20}
            value={channelId}
            onChange={(event) => setChannelId(event.target.value)}
            placeholder="2000000001"
            aria-invalid={invalid.channelId ? true : undefined}
          />
        </FormField>
        <FormField id={`line-channel-secret-${chatbotId}`} label="Channel secret" error={invalid.channelSecret}>
          <Input
            id={`line-channel-secret-${chatbotId}`}
            type="password"
            autoComplete="new-password"
            spellCheck={false}
            maxLength={64}
            value={secret}
            onChange={(event) => setSecret(event.target.value)}
            placeholder={current?.hints.channelSecret ? `Keep ${current.hints.channelSecret}` : "32 hex characters"}
            aria-invalid={invalid.channelSecret ? true : undefined}
          />
        </FormField>
        <FormField
          id={`line-channel-token-${chatbotId}`}
          label="Channel access token"
          error={invalid.channelAccessToken}
        >
          <Input
            id={`line-channel-token-${chatbotId}`}
            type="password"
            autoComplete="new-password"
            spellCheck={false}
            maxLength={1000}
            value={token}
            onChange={(event) => setToken(event.target.value)}
            placeholder={current?.hints.channelAccessToken ? `Keep ${current.hints.channelAccessToken}` : "Long-lived"}
            aria-invalid={invalid.channelAccessToken ? true : undefined}
          />
        </FormField>
      </div>
      <p className="text-xs text-muted-foreground">
        Where to find these: in the{" "}
        <a
          href="https://developers.line.biz/console/"
          target="_blank"
          rel="noreferrer"
          className="underline underline-offset-2"
        >
          LINE Developers Console
        </a>
        , your Messaging API channel — Channel ID and Channel secret on the Basic settings tab, a long-lived channel
        access token on the Messaging API tab. Step by step: <code>docs/line.md</code>. Stored encrypted; only their
        last characters are shown afterwards.
      </p>
      {configure.error && (
        <Alert variant="destructive">
          <TriangleAlert aria-hidden="true" />
          <AlertDescription>{errorMessage(configure.error)}</AlertDescription>
        </Alert>
      )}
      <div>
        <Button type="submit" disabled={configure.isPending}>
          {configure.isPending ? "Checking with LINE…" : updating ? "Save credentials" : "Connect LINE"}
        </Button>
      </div>
    </form>
  );
}

function DisconnectLine({ id, name, onNotice }: { id: string; name: string; onNotice: Notify }) {
  const disconnect = useDisconnectChannel();
  return (
    <ConfirmDialog
      trigger={
        <Button size="sm" variant="ghost" className="text-muted-foreground hover:text-destructive">
          <Unplug aria-hidden="true" />
          Disconnect
        </Button>
      }
      title={`Disconnect ${name}?`}
      description="Tandem deletes the stored secret and token. Customers' new LINE messages will no longer arrive; past conversations stay in the inbox. Turn off the webhook in the LINE Developers Console too. You can connect the account again at any time."
      confirmLabel="Disconnect"
      pendingLabel="Disconnecting…"
      onConfirm={async () => {
        await disconnect.mutateAsync(id);
        onNotice({ kind: "success", message: `${name} is disconnected.` });
      }}
    />
  );
}

function LoadError({ error, retry, what }: { error: unknown; retry: () => void; what: string }) {
  return (
    <Alert variant="destructive">
      <TriangleAlert aria-hidden="true" />
      <AlertTitle>Could not load {what}</AlertTitle>
      <AlertDescription>
        {errorMessage(error)}
        {!isApiError(error, 403) && (
          <Button size="sm" variant="outline" className="mt-1" onClick={retry}>
            <RotateCw aria-hidden="true" />
            Try again
          </Button>
        )}
      </AlertDescription>
    </Alert>
  );
}

function FormField({
  id,
  label,
  error,
  children,
}: {
  id: string;
  label: string;
  error?: string | undefined;
  children: ReactNode;
}) {
  return (
    <div className="flex min-w-0 flex-col gap-2">
      <Label htmlFor={id}>{label}</Label>
      {children}
      {error && <p className="text-xs text-destructive">{error}</p>}
    </div>
  );
}
