"use client";

import { CreateFaqEntryInput, type FaqEntryDto, KNOWLEDGE_LIMITS, type KnowledgeSourceDto } from "@tandem/contracts";
import { Download, MessageCircleQuestion, Upload } from "lucide-react";
import { useId, useRef, useState } from "react";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { EmptyState } from "@/components/empty-state";
import { TableSkeleton } from "@/components/table-skeleton";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import { fieldErrors } from "@/features/chatbots/crud-queries";
import { NativeSelect } from "@/features/chatbots/native-select";
import { errorMessage } from "@/lib/api";
import { issuesByField } from "./create-source-dialog";
import { type ImportSummary, parseTags, refusedImport, summarizeImport } from "./format";
import {
  faqExportUrl,
  useCreateFaqEntry,
  useDeleteFaqEntry,
  useFaqEntries,
  useImportFaq,
  useUpdateFaqEntry,
} from "./queries";
import { StatusBadge } from "./status";

/** An FAQ source's entries: added, edited and deleted in place; imported from and exported to CSV. */
export function FaqEditor({ source, canManage }: { source: KnowledgeSourceDto; canManage: boolean }) {
  const entries = useFaqEntries(source.id);
  const rows = entries.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <div className="flex flex-col gap-6">
      {canManage && <FaqImportCard sourceId={source.id} />}
      <Card className="gap-0 pb-0">
        <CardHeader className="flex flex-row flex-wrap items-center justify-between gap-2 pb-4">
          <CardTitle>Entries</CardTitle>
          <Button variant="outline" size="sm" asChild>
            <a href={faqExportUrl(source.id)} download>
              <Download aria-hidden="true" />
              Export CSV
            </a>
          </Button>
        </CardHeader>
        <CardContent className="border-t px-0">
          {canManage && <FaqEntryForm sourceId={source.id} />}
          {entries.isError ? (
            <div className="p-4">
              <Alert variant="destructive">
                <AlertDescription>{errorMessage(entries.error)}</AlertDescription>
              </Alert>
            </div>
          ) : entries.isPending ? (
            <TableSkeleton rows={3} />
          ) : rows.length === 0 ? (
            <EmptyState
              icon={MessageCircleQuestion}
              title="No entries yet"
              description={canManage ? "Add a question and its answer, or import a CSV file." : undefined}
            />
          ) : (
            <ul aria-label="FAQ entries" className="divide-y border-t">
              {rows.map((entry) => (
                <FaqEntryRow key={entry.id} entry={entry} canManage={canManage} />
              ))}
            </ul>
          )}
          {entries.hasNextPage && (
            <div className="flex justify-center border-t p-3">
              <Button variant="outline" onClick={() => entries.fetchNextPage()} disabled={entries.isFetchingNextPage}>
                {entries.isFetchingNextPage ? "Loading…" : "Show more"}
              </Button>
            </div>
          )}
        </CardContent>
      </Card>
    </div>
  );
}

interface EntryForm {
  question: string;
  answer: string;
  category: string;
  tags: string;
}

const EMPTY: EntryForm = { question: "", answer: "", category: "", tags: "" };

const toInput = (form: EntryForm) => ({
  question: form.question,
  answer: form.answer,
  category: form.category.trim() || null,
  tags: parseTags(form.tags),
});

/** Adds an entry (no `entry`) or edits one in place. */
function FaqEntryForm({ sourceId, entry, onDone }: { sourceId: string; entry?: FaqEntryDto; onDone?: () => void }) {
  const [form, setForm] = useState<EntryForm>(
    entry
      ? { question: entry.question, answer: entry.answer, category: entry.category ?? "", tags: entry.tags.join(", ") }
      : EMPTY,
  );
  const [errors, setErrors] = useState<Record<string, string>>({});
  const create = useCreateFaqEntry(sourceId);
  const update = useUpdateFaqEntry(sourceId);
  const mutation = entry ? update : create;
  const id = useId();

  const set = (key: keyof EntryForm) => (event: { target: { value: string } }) => {
    setForm((f) => ({ ...f, [key]: event.target.value }));
    setErrors((e) => ({ ...e, [key]: "" }));
  };

  function submit() {
    const parsed = CreateFaqEntryInput.safeParse(toInput(form));
    if (!parsed.success) return setErrors(issuesByField(parsed.error.issues));
    const onError = (cause: unknown) => setErrors(fieldErrors(cause));
    if (entry) update.mutate({ id: entry.id, ...parsed.data }, { onSuccess: () => onDone?.(), onError });
    else
      create.mutate(parsed.data, {
        onSuccess: () => {
          setForm(EMPTY);
          setErrors({});
        },
        onError,
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
  const label = entry ? "Edit entry" : "New entry";

  return (
    <form
      aria-label={label}
      className="flex flex-col gap-3 px-4 py-4 sm:px-6"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <div className="flex flex-col gap-1.5">
        <Label htmlFor={`${id}-question`}>Question</Label>
        <Input
          id={`${id}-question`}
          value={form.question}
          maxLength={KNOWLEDGE_LIMITS.faqQuestion}
          onChange={set("question")}
          {...aria("question")}
        />
        {err("question")}
      </div>
      <div className="flex flex-col gap-1.5">
        <Label htmlFor={`${id}-answer`}>Answer</Label>
        <Textarea
          id={`${id}-answer`}
          value={form.answer}
          rows={3}
          maxLength={KNOWLEDGE_LIMITS.faqAnswer}
          onChange={set("answer")}
          {...aria("answer")}
        />
        {err("answer")}
      </div>
      <div className="grid gap-3 sm:grid-cols-2">
        <div className="flex flex-col gap-1.5">
          <Label htmlFor={`${id}-category`}>Category (optional)</Label>
          <Input id={`${id}-category`} value={form.category} onChange={set("category")} {...aria("category")} />
          {err("category")}
        </div>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor={`${id}-tags`}>Tags (optional)</Label>
          <Input id={`${id}-tags`} value={form.tags} onChange={set("tags")} placeholder="returns, refunds" />
          {err("tags") ?? err("tags.0")}
        </div>
      </div>
      {mutation.error && Object.keys(fieldErrors(mutation.error)).length === 0 && (
        <p className="text-sm text-destructive">{errorMessage(mutation.error)}</p>
      )}
      <div className="flex justify-end gap-2">
        {entry && (
          <Button type="button" variant="outline" onClick={onDone}>
            Cancel
          </Button>
        )}
        <Button type="submit" disabled={mutation.isPending}>
          {mutation.isPending ? "Saving…" : entry ? "Save entry" : "Add entry"}
        </Button>
      </div>
    </form>
  );
}

function FaqEntryRow({ entry, canManage }: { entry: FaqEntryDto; canManage: boolean }) {
  const [editing, setEditing] = useState(false);
  const remove = useDeleteFaqEntry(entry.sourceId);
  if (editing) {
    return (
      <li className="bg-muted/30">
        <FaqEntryForm sourceId={entry.sourceId} entry={entry} onDone={() => setEditing(false)} />
      </li>
    );
  }
  return (
    <li className="flex flex-col gap-1.5 px-4 py-3 sm:px-6" data-testid="faq-entry">
      <div className="flex flex-wrap items-start gap-2">
        <p className="min-w-0 flex-1 break-words font-medium">{entry.question}</p>
        <StatusBadge status={entry.status} />
      </div>
      <p className="whitespace-pre-wrap break-words text-sm text-muted-foreground">{entry.answer}</p>
      {(entry.category || entry.tags.length > 0) && (
        <p className="text-xs text-muted-foreground">
          {[entry.category, ...entry.tags.map((t) => `#${t}`)].filter(Boolean).join(" · ")}
        </p>
      )}
      {canManage && (
        <div className="-ml-2 flex gap-1">
          <Button variant="ghost" size="sm" onClick={() => setEditing(true)} aria-label={`Edit “${entry.question}”`}>
            Edit
          </Button>
          <ConfirmDialog
            trigger={
              <Button variant="ghost" size="sm" aria-label={`Delete “${entry.question}”`}>
                Delete
              </Button>
            }
            title="Delete this entry?"
            description={`“${entry.question}” will no longer be used to answer.`}
            confirmLabel="Delete"
            pendingLabel="Deleting…"
            onConfirm={() => remove.mutateAsync(entry.id)}
          />
        </div>
      )}
    </li>
  );
}

/** CSV import: a file with `question` and `answer` columns (and `category`, `tags`); bad lines listed. */
function FaqImportCard({ sourceId }: { sourceId: string }) {
  const [file, setFile] = useState<File | null>(null);
  const [mode, setMode] = useState<"append" | "replace">("append");
  const [summary, setSummary] = useState<ImportSummary | null>(null);
  const importFaq = useImportFaq(sourceId);
  const input = useRef<HTMLInputElement>(null);
  const id = useId();

  function run() {
    if (!file) return;
    setSummary(null);
    importFaq.mutate(
      { file, mode },
      {
        onSuccess: (result) => {
          setSummary(summarizeImport(result, mode));
          setFile(null);
          if (input.current) input.current.value = "";
        },
        onError: (cause) => setSummary(refusedImport(cause)),
      },
    );
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle>Import from CSV</CardTitle>
        <CardDescription>
          A header row naming <code>question</code> and <code>answer</code> columns, optionally <code>category</code>{" "}
          and <code>tags</code> (separated by <code>;</code>). Lines with problems are listed and skipped.
        </CardDescription>
      </CardHeader>
      <CardContent>
        <form
          className="flex flex-col gap-4"
          onSubmit={(event) => {
            event.preventDefault();
            run();
          }}
        >
          <div className="grid gap-4 sm:grid-cols-2">
            <div className="flex min-w-0 flex-col gap-1.5">
              <Label htmlFor={`${id}-file`}>CSV file</Label>
              <Input
                ref={input}
                id={`${id}-file`}
                type="file"
                accept=".csv,text/csv"
                onChange={(event) => setFile(event.target.files?.[0] ?? null)}
              />
            </div>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor={`${id}-mode`}>Entries already here</Label>
              <NativeSelect
                id={`${id}-mode`}
                value={mode}
                onChange={(e) => setMode(e.target.value as "append" | "replace")}
              >
                <option value="append">Keep them and add these</option>
                <option value="replace">Replace them (only if every line is valid)</option>
              </NativeSelect>
            </div>
          </div>
          <Button type="submit" className="self-end" disabled={!file || importFaq.isPending}>
            <Upload aria-hidden="true" />
            {importFaq.isPending ? "Importing…" : "Import"}
          </Button>
        </form>
        {importFaq.isError && !summary && (
          <Alert variant="destructive" className="mt-4">
            <AlertDescription>{errorMessage(importFaq.error)}</AlertDescription>
          </Alert>
        )}
        {summary && <ImportResult summary={summary} />}
      </CardContent>
    </Card>
  );
}

function ImportResult({ summary }: { summary: ImportSummary }) {
  return (
    <Alert
      variant={summary.kind === "error" ? "destructive" : "default"}
      className="mt-4"
      data-testid="faq-import-result"
    >
      <AlertTitle>{summary.headline}</AlertTitle>
      {summary.errors.length > 0 && (
        <AlertDescription>
          <ul aria-label="Lines with problems" className="flex flex-col gap-0.5">
            {summary.errors.map((error) => (
              <li key={`${error.line}:${error.message}`} className="break-words">
                Line {error.line}: {error.message}
              </li>
            ))}
          </ul>
          {summary.moreErrors > 0 && <p>…and {summary.moreErrors.toLocaleString("en")} more.</p>}
        </AlertDescription>
      )}
    </Alert>
  );
}
