"use client";

import type { PromptVersionSummary } from "@tandem/contracts";
import { RotateCcw } from "lucide-react";
import { useState } from "react";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { Notice, useNotice } from "@/components/notice";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { errorMessage } from "@/lib/api";
import { formatDateTime } from "@/lib/format";
import { cn } from "@/lib/utils";
import { DiffView } from "./diff-view";
import { METHOD_LABELS } from "./methods";
import { etagOf, usePrompt, usePromptHistory, usePromptVersion, useRollbackPrompt } from "./queries";

/** Every version, newest first; pick one to see its difference from the live one, and roll back to it. */
export function HistoryTab({ chatbotId, canManage }: { chatbotId: string; canManage: boolean }) {
  const history = usePromptHistory(chatbotId);
  const live = usePrompt(chatbotId);
  const [selected, setSelected] = useState<string | null>(null);
  const { notice, show, clear } = useNotice();

  if (history.isError || live.isError) {
    return (
      <Alert variant="destructive">
        <AlertDescription>{errorMessage(history.error ?? live.error)}</AlertDescription>
      </Alert>
    );
  }
  if (!history.data || !live.data) return <Skeleton className="h-72 w-full" role="status" aria-label="Loading" />;

  const versions = history.data.pages.flatMap((page) => page.data);
  const chosen = versions.find((v) => v.versionId === selected) ?? null;

  return (
    <div className="grid min-w-0 gap-6 lg:grid-cols-[22rem_minmax(0,1fr)]">
      <div className="flex min-w-0 flex-col gap-2">
        <Notice notice={notice} onDismiss={clear} />
        {versions.length === 0 ? (
          <p className="text-sm text-muted-foreground">No version yet: the chatbot uses the built-in template.</p>
        ) : (
          <ol className="flex flex-col gap-2" aria-label="Prompt versions" data-testid="prompt-history">
            {versions.map((version) => (
              <li key={version.versionId}>
                <button
                  type="button"
                  onClick={() => setSelected(version.versionId)}
                  aria-pressed={selected === version.versionId}
                  className={cn(
                    "flex w-full flex-col gap-1 rounded-md border p-3 text-left text-sm outline-none transition-colors hover:bg-accent focus-visible:ring-[3px] focus-visible:ring-ring/50",
                    selected === version.versionId && "border-primary bg-primary/5",
                  )}
                >
                  <span className="flex flex-wrap items-center gap-2 font-medium">
                    Version {version.version}
                    {version.live && <Badge variant="accent">Live</Badge>}
                    <Badge variant="outline">{METHOD_LABELS[version.method]}</Badge>
                  </span>
                  <span className="text-xs text-muted-foreground">
                    {version.author?.name ?? "System"} · {formatDateTime(version.createdAt)}
                    {describeOrigin(version)}
                  </span>
                  {version.note && <span className="text-xs">{version.note}</span>}
                </button>
              </li>
            ))}
          </ol>
        )}
        {history.hasNextPage && (
          <Button
            variant="outline"
            size="sm"
            onClick={() => history.fetchNextPage()}
            disabled={history.isFetchingNextPage}
          >
            {history.isFetchingNextPage ? "Loading…" : "Older versions"}
          </Button>
        )}
      </div>
      <div className="min-w-0">
        {chosen ? (
          <VersionDetail
            chatbotId={chatbotId}
            version={chosen}
            liveText={live.data.text}
            liveVersion={live.data.version}
            ifMatch={etagOf(live.data)}
            canManage={canManage}
            onRolledBack={(v) => {
              setSelected(null);
              show({ kind: "success", message: `Rolled back: version ${v} is live.` });
            }}
          />
        ) : (
          <p className="text-sm text-muted-foreground">Choose a version to compare it with the live prompt.</p>
        )}
      </div>
    </div>
  );
}

function describeOrigin(version: PromptVersionSummary): string {
  const meta = version.metadata as { fromVersion?: number; files?: { name: string }[]; source?: string };
  if (version.method === "rollback" && meta.fromVersion) return ` · from version ${meta.fromVersion}`;
  if (version.method === "ai_generated" && meta.files?.length)
    return ` · from ${meta.files.map((f) => f.name).join(", ")}`;
  if (meta.source === "provider_settings") return " · via AI provider settings";
  return "";
}

function VersionDetail({
  chatbotId,
  version,
  liveText,
  liveVersion,
  ifMatch,
  canManage,
  onRolledBack,
}: {
  chatbotId: string;
  version: PromptVersionSummary;
  liveText: string;
  liveVersion: number | null;
  ifMatch: string;
  canManage: boolean;
  onRolledBack: (version: number | null) => void;
}) {
  const detail = usePromptVersion(chatbotId, version.versionId);
  const rollback = useRollbackPrompt(chatbotId);

  return (
    <Card>
      <CardHeader className="flex flex-row flex-wrap items-center justify-between gap-2">
        <CardTitle>Version {version.version}</CardTitle>
        {canManage && !version.live && (
          <ConfirmDialog
            trigger={
              <Button variant="outline" size="sm">
                <RotateCcw aria-hidden="true" />
                Roll back to this version
              </Button>
            }
            title={`Roll back to version ${version.version}?`}
            description={`Its text becomes a new live version${liveVersion ? `, replacing version ${liveVersion}` : ""}, from the next reply on. Nothing is deleted: the history keeps every version.`}
            confirmLabel="Roll back"
            pendingLabel="Rolling back…"
            onConfirm={async () => {
              const saved = await rollback.mutateAsync({ versionId: version.versionId, ifMatch });
              onRolledBack(saved.version);
            }}
          />
        )}
      </CardHeader>
      <CardContent>
        {detail.isError ? (
          <Alert variant="destructive">
            <AlertDescription>{errorMessage(detail.error)}</AlertDescription>
          </Alert>
        ) : detail.data ? (
          version.live ? (
            <pre className="max-h-[28rem] overflow-auto whitespace-pre-wrap break-words rounded-md border bg-muted/30 p-3 font-mono text-xs leading-5">
              {detail.data.text || "(empty: the built-in template)"}
            </pre>
          ) : (
            <DiffView
              before={detail.data.text}
              after={liveText}
              beforeLabel={`Version ${version.version}`}
              afterLabel={`live (version ${liveVersion ?? "—"})`}
            />
          )
        ) : (
          <Skeleton className="h-48 w-full" />
        )}
      </CardContent>
    </Card>
  );
}
