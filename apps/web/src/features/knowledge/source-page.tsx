"use client";

import { type KnowledgeSourceDto, UpdateKnowledgeSourceInput } from "@tandem/contracts";
import { RefreshCw } from "lucide-react";
import Link from "next/link";
import { useParams, useRouter } from "next/navigation";
import { useId, useState } from "react";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { Notice, useNotice } from "@/components/notice";
import { PageHeader } from "@/components/page-header";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Skeleton } from "@/components/ui/skeleton";
import { can } from "@/features/auth/permissions";
import { useCurrentUser } from "@/features/auth/queries";
import { fieldErrors, useChatbots } from "@/features/chatbots/crud-queries";
import { NativeSelect } from "@/features/chatbots/native-select";
import { errorMessage, isApiError } from "@/lib/api";
import { formatDateTime } from "@/lib/format";
import { issuesByField, UrlFields, type UrlFieldValues } from "./create-source-dialog";
import { DocumentsTable } from "./documents-table";
import { FaqEditor } from "./faq-editor";
import { TYPE_LABELS } from "./format";
import { countsLabel, ownerLabel, useChatbotNames } from "./knowledge-page";
import { useDeleteSource, useKnowledgeSource, useSyncSource, useUpdateSource } from "./queries";
import { isBusy, ProgressBar, StatusBadge } from "./status";
import { TextDocumentForm } from "./text-document-form";
import { UploadZone } from "./upload-zone";

/** `/knowledge/sources/{id}`: a source's documents (or FAQ entries), with upload, editing and settings. */
export function SourcePage() {
  const me = useCurrentUser();
  const manage = can(me, "knowledge.manage");
  const { id } = useParams<{ id: string }>();
  const source = useKnowledgeSource(id);
  const names = useChatbotNames();

  if (isApiError(source.error, 404)) {
    return (
      <Alert variant="destructive">
        <AlertDescription>
          This source does not exist or was deleted.{" "}
          <Link href="/knowledge" className="underline underline-offset-4">
            All knowledge
          </Link>
        </AlertDescription>
      </Alert>
    );
  }
  const data = source.data;
  return (
    <div className="flex flex-col gap-6">
      <nav aria-label="Breadcrumb" className="text-sm text-muted-foreground">
        <Link href="/knowledge" className="hover:text-foreground hover:underline">
          Knowledge
        </Link>
      </nav>
      <PageHeader
        title={data?.name ?? "Source"}
        description={data ? `${TYPE_LABELS[data.type]} · ${ownerLabel(data, names)} · ${countsLabel(data)}` : undefined}
        actions={
          data && (
            <>
              <StatusBadge status={data.status} />
              {!manage && <Badge variant="outline">Read-only</Badge>}
            </>
          )
        }
      />
      {source.isError && (
        <Alert variant="destructive">
          <AlertDescription>{errorMessage(source.error)}</AlertDescription>
        </Alert>
      )}
      {!data ? (
        <Skeleton className="h-64 w-full" role="status" aria-label="Loading" />
      ) : (
        <>
          {isBusy(data.status) && <ProgressBar value={data.progress} label="Ingest progress" className="max-w-md" />}
          {data.error && (
            <Alert variant="destructive">
              <AlertDescription>{data.error}</AlertDescription>
            </Alert>
          )}
          {data.type === "url" && <UrlSourceCard source={data} canManage={manage} />}
          {data.type === "document" && manage && <UploadZone sourceId={data.id} />}
          {data.type === "text" && manage && <TextDocumentForm sourceId={data.id} />}
          {data.type === "faq" ? (
            <FaqEditor source={data} canManage={manage} />
          ) : (
            <DocumentsTable source={data} canManage={manage} />
          )}
          <SourceSettingsCard source={data} canManage={manage} />
        </>
      )}
    </div>
  );
}

function UrlSourceCard({ source, canManage }: { source: KnowledgeSourceDto; canManage: boolean }) {
  const sync = useSyncSource(source.id);
  const { notice, show, clear } = useNotice();
  return (
    <Card>
      <CardHeader className="flex flex-row flex-wrap items-start justify-between gap-2">
        <div className="flex min-w-0 flex-col gap-1.5">
          <CardTitle>Web pages</CardTitle>
          <CardDescription className="break-all">
            {source.url?.mode === "sitemap"
              ? `Every page of ${source.url.url}, up to ${source.url.maxPages} pages, sitemaps ${source.url.maxDepth} deep.`
              : `The page ${source.url?.url ?? ""}.`}{" "}
            {source.lastSyncedAt ? `Fetched ${formatDateTime(source.lastSyncedAt)}.` : "Not fetched yet."}
          </CardDescription>
        </div>
        {canManage && (
          <Button
            variant="outline"
            disabled={sync.isPending || isBusy(source.status)}
            onClick={() =>
              sync.mutate(undefined, {
                onSuccess: () => show({ kind: "success", message: "Fetching the pages again." }),
                onError: (cause) => show({ kind: "error", message: errorMessage(cause) }),
              })
            }
          >
            <RefreshCw aria-hidden="true" className={isBusy(source.status) ? "motion-safe:animate-spin" : undefined} />
            {isBusy(source.status) ? "Syncing…" : "Sync now"}
          </Button>
        )}
      </CardHeader>
      <CardContent>
        <Notice notice={notice} onDismiss={clear} />
      </CardContent>
    </Card>
  );
}

interface SettingsForm extends UrlFieldValues {
  name: string;
  chatbotId: string;
  category: string;
}

function toSettingsForm(source: KnowledgeSourceDto): SettingsForm {
  return {
    name: source.name,
    chatbotId: source.chatbotId ?? "",
    category: source.category ?? "",
    url: source.url?.url ?? "",
    mode: source.url?.mode ?? "page",
    maxPages: String(source.url?.maxPages ?? ""),
    maxDepth: String(source.url?.maxDepth ?? ""),
  };
}

const num = (value: string): number | string => (value.trim() === "" ? value : Number(value));

/** Name, owner, default category and (web pages) the address; deleting the source. */
function SourceSettingsCard({ source, canManage }: { source: KnowledgeSourceDto; canManage: boolean }) {
  const [form, setForm] = useState(() => toSettingsForm(source));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const update = useUpdateSource(source.id);
  const remove = useDeleteSource(source.id);
  const chatbots = useChatbots();
  const router = useRouter();
  const { notice, show, clear } = useNotice();
  const id = useId();
  const bots = chatbots.data?.pages.flatMap((p) => p.data) ?? [];

  const set = (field: keyof SettingsForm) => (event: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [field]: event.target.value }));

  function save() {
    const input = {
      name: form.name,
      chatbotId: form.chatbotId || null,
      category: form.category.trim() || null,
      ...(source.type === "url"
        ? { url: { url: form.url, mode: form.mode, maxPages: num(form.maxPages), maxDepth: num(form.maxDepth) } }
        : {}),
    };
    const parsed = UpdateKnowledgeSourceInput.safeParse(input);
    if (!parsed.success) return setErrors(issuesByField(parsed.error.issues));
    setErrors({});
    update.mutate(parsed.data, {
      onSuccess: (saved) => {
        setForm(toSettingsForm(saved));
        show({
          kind: "success",
          message: source.type === "url" ? "Saved. Sync now to fetch the pages from the new address." : "Saved.",
        });
      },
      onError: (cause) => {
        const fields = fieldErrors(cause);
        setErrors(fields);
        if (Object.keys(fields).length === 0) show({ kind: "error", message: errorMessage(cause) });
      },
    });
  }

  const err = (key: string) =>
    errors[key] ? (
      <p id={`${id}-${key}-error`} className="text-xs text-destructive">
        {errors[key]}
      </p>
    ) : null;
  const aria = (key: string) => ({
    "aria-invalid": Boolean(errors[key]),
    "aria-describedby": errors[key] ? `${id}-${key}-error` : undefined,
  });

  return (
    <Card>
      <CardHeader>
        <CardTitle>Source settings</CardTitle>
        <CardDescription>Documents keep their own category when they have one.</CardDescription>
      </CardHeader>
      <CardContent>
        <form
          className="flex flex-col gap-4"
          onSubmit={(event) => {
            event.preventDefault();
            save();
          }}
          noValidate
        >
          <Notice notice={notice} onDismiss={clear} />
          <fieldset disabled={!canManage} className="grid gap-4 sm:grid-cols-2">
            <div className="flex flex-col gap-1.5">
              <Label htmlFor={`${id}-name`}>Name</Label>
              <Input id={`${id}-name`} value={form.name} onChange={set("name")} {...aria("name")} />
              {err("name")}
            </div>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor={`${id}-owner`}>Used by</Label>
              <NativeSelect id={`${id}-owner`} value={form.chatbotId} onChange={set("chatbotId")}>
                <option value="">Every chatbot (shared)</option>
                {bots.map((bot) => (
                  <option key={bot.id} value={bot.id}>
                    Only {bot.name}
                  </option>
                ))}
              </NativeSelect>
              {err("chatbotId")}
            </div>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor={`${id}-category`}>Default category</Label>
              <Input id={`${id}-category`} value={form.category} onChange={set("category")} {...aria("category")} />
              {err("category")}
            </div>
            {source.type === "url" && (
              <div className="sm:col-span-2">
                <UrlFields form={form} set={set} err={err} aria={aria} id={id} />
              </div>
            )}
          </fieldset>
          {canManage && (
            <div className="flex flex-wrap justify-between gap-2">
              <ConfirmDialog
                trigger={
                  <Button type="button" variant="outline" className="text-destructive">
                    Delete source
                  </Button>
                }
                title={`Delete “${source.name}”?`}
                description="Its documents, passages and embeddings are removed; chatbots stop answering from them. Answers already sent keep their quoted sources."
                confirmLabel="Delete"
                pendingLabel="Deleting…"
                onConfirm={async () => {
                  await remove.mutateAsync();
                  router.push("/knowledge");
                }}
              />
              <Button type="submit" disabled={update.isPending}>
                {update.isPending ? "Saving…" : "Save settings"}
              </Button>
            </div>
          )}
        </form>
      </CardContent>
    </Card>
  );
}
