"use client";

import {
  KNOWLEDGE_LIMITS,
  type KnowledgeDocumentDto,
  type KnowledgeSourceDto,
  UpdateKnowledgeDocumentInput,
} from "@tandem/contracts";
import { FileText, RotateCw, TriangleAlert } from "lucide-react";
import Link from "next/link";
import { type FormEvent, type ReactElement, useId, useState } from "react";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { EmptyState } from "@/components/empty-state";
import { TableSkeleton } from "@/components/table-skeleton";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
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
import { fieldErrors } from "@/features/chatbots/crud-queries";
import { errorMessage } from "@/lib/api";
import { formatBytes } from "@/lib/format";
import { issuesByField } from "./create-source-dialog";
import { parseTags } from "./format";
import { useDeleteDocument, useReingestDocument, useSourceDocuments, useUpdateDocument } from "./queries";
import { isBusy, ProgressBar, StatusBadge } from "./status";

/** The documents (or fetched pages) of a source, each with its status, progress, problems and actions. */
export function DocumentsTable({ source, canManage }: { source: KnowledgeSourceDto; canManage: boolean }) {
  const documents = useSourceDocuments(source.id);
  const rows = documents.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <Card className="gap-0 pb-0">
      <CardHeader className="pb-4">
        <CardTitle>{source.type === "url" ? "Pages" : "Documents"}</CardTitle>
      </CardHeader>
      <CardContent className="border-t px-0">
        {documents.isError ? (
          <div className="p-4">
            <Alert variant="destructive">
              <AlertDescription>{errorMessage(documents.error)}</AlertDescription>
            </Alert>
          </div>
        ) : documents.isPending ? (
          <TableSkeleton rows={2} />
        ) : rows.length === 0 ? (
          <EmptyState
            icon={FileText}
            title={source.type === "url" ? "No pages fetched yet" : "No documents yet"}
            description={
              source.type === "url"
                ? "Sync the source to fetch its pages."
                : canManage
                  ? "Upload files or add text above."
                  : undefined
            }
          />
        ) : (
          <ul aria-label="Documents" className="divide-y">
            {rows.map((doc) => (
              <DocumentRow key={doc.id} doc={doc} canManage={canManage} />
            ))}
          </ul>
        )}
        {documents.hasNextPage && (
          <div className="flex justify-center border-t p-3">
            <Button variant="outline" onClick={() => documents.fetchNextPage()} disabled={documents.isFetchingNextPage}>
              {documents.isFetchingNextPage ? "Loading…" : "Show more"}
            </Button>
          </div>
        )}
      </CardContent>
    </Card>
  );
}

export function documentFacts(doc: KnowledgeDocumentDto): string {
  const parts: string[] = [];
  if (doc.sizeBytes > 0) parts.push(formatBytes(doc.sizeBytes));
  if (doc.pages != null) parts.push(`${doc.pages.toLocaleString("en")} ${doc.pages === 1 ? "page" : "pages"}`);
  if (doc.language) parts.push(doc.language);
  parts.push(`${doc.chunkCount.toLocaleString("en")} ${doc.chunkCount === 1 ? "passage" : "passages"}`);
  return parts.join(" · ");
}

function DocumentRow({ doc, canManage }: { doc: KnowledgeDocumentDto; canManage: boolean }) {
  const reingest = useReingestDocument(doc.id);
  const remove = useDeleteDocument(doc);
  const busy = isBusy(doc.status);
  return (
    <li className="flex flex-col gap-2 px-4 py-3 sm:px-6" data-testid="knowledge-document" data-document-id={doc.id}>
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
        <Link
          href={`/knowledge/documents/${encodeURIComponent(doc.id)}`}
          className="min-w-0 break-all font-medium underline-offset-4 hover:underline"
        >
          {doc.title}
        </Link>
        <StatusBadge status={doc.status} />
      </div>
      <p className="text-sm text-muted-foreground">
        {documentFacts(doc)}
        {doc.sourceUrl && (
          <>
            {" · "}
            <a href={doc.sourceUrl} target="_blank" rel="noreferrer noopener" className="break-all underline">
              {doc.sourceUrl}
            </a>
          </>
        )}
      </p>
      <DocumentLabels doc={doc} />
      {busy && <ProgressBar value={doc.progress} label={`${doc.title}: progress`} className="max-w-md" />}
      {doc.error && <p className="break-words text-sm text-destructive">{doc.error}</p>}
      {doc.warnings.length > 0 && (
        <ul aria-label="Warnings" className="flex flex-col gap-0.5 text-sm text-warning">
          {doc.warnings.map((warning) => (
            <li key={warning} className="flex items-start gap-1.5 break-words">
              <TriangleAlert className="mt-0.5 size-3.5 shrink-0" aria-hidden="true" />
              {warning}
            </li>
          ))}
        </ul>
      )}
      {canManage && (
        <div className="-ml-2 flex flex-wrap gap-1">
          <EditDocumentDialog
            doc={doc}
            trigger={
              <Button variant="ghost" size="sm" aria-label={`Edit ${doc.title}`}>
                Edit
              </Button>
            }
          />
          <Button
            variant="ghost"
            size="sm"
            aria-label={`Re-ingest ${doc.title}`}
            disabled={busy || reingest.isPending}
            onClick={() => reingest.mutate()}
          >
            <RotateCw aria-hidden="true" />
            Re-ingest
          </Button>
          <ConfirmDialog
            trigger={
              <Button variant="ghost" size="sm" aria-label={`Delete ${doc.title}`}>
                Delete
              </Button>
            }
            title={`Delete “${doc.title}”?`}
            description="Its passages and embeddings are removed; chatbots stop answering from it. Answers already sent keep their quoted sources."
            confirmLabel="Delete"
            pendingLabel="Deleting…"
            onConfirm={() => remove.mutateAsync()}
          />
        </div>
      )}
      {reingest.isError && <p className="text-sm text-destructive">{errorMessage(reingest.error)}</p>}
    </li>
  );
}

export function DocumentLabels({ doc }: { doc: Pick<KnowledgeDocumentDto, "category" | "documentType" | "tags"> }) {
  if (!doc.category && !doc.documentType && doc.tags.length === 0) return null;
  return (
    <ul aria-label="Labels" className="flex flex-wrap gap-1">
      {doc.documentType && (
        <li>
          <Badge variant="outline">Type: {doc.documentType}</Badge>
        </li>
      )}
      {doc.category && (
        <li>
          <Badge variant="outline">Category: {doc.category}</Badge>
        </li>
      )}
      {doc.tags.map((tag) => (
        <li key={tag}>
          <Badge variant="secondary">#{tag}</Badge>
        </li>
      ))}
    </ul>
  );
}

/** Title, category, type and tags of one document; they apply to retrieval filters at once. */
export function EditDocumentDialog({ doc, trigger }: { doc: KnowledgeDocumentDto; trigger: ReactElement }) {
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState({ title: "", category: "", documentType: "", tags: "" });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const update = useUpdateDocument(doc.id);
  const id = useId();

  function onOpenChange(next: boolean) {
    setOpen(next);
    if (next) {
      setForm({
        title: doc.title,
        category: doc.category ?? "",
        documentType: doc.documentType ?? "",
        tags: doc.tags.join(", "),
      });
      setErrors({});
      update.reset();
    }
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const parsed = UpdateKnowledgeDocumentInput.safeParse({
      title: form.title,
      category: form.category.trim() || null,
      documentType: form.documentType.trim() || null,
      tags: parseTags(form.tags),
    });
    if (!parsed.success) return setErrors(issuesByField(parsed.error.issues));
    update.mutate(parsed.data, { onSuccess: () => setOpen(false), onError: (cause) => setErrors(fieldErrors(cause)) });
  }

  const field = (key: "title" | "category" | "documentType" | "tags", label: string, max?: number) => (
    <div className="flex flex-col gap-1.5">
      <Label htmlFor={`${id}-${key}`}>{label}</Label>
      <Input
        id={`${id}-${key}`}
        value={form[key]}
        maxLength={max}
        onChange={(e) => setForm((f) => ({ ...f, [key]: e.target.value }))}
        aria-invalid={Boolean(errors[key])}
        aria-describedby={errors[key] ? `${id}-${key}-error` : undefined}
      />
      {errors[key] && (
        <p id={`${id}-${key}-error`} className="text-xs text-destructive">
          {errors[key]}
        </p>
      )}
    </div>
  );
  const tagError = Object.entries(errors).find(([k]) => k.startsWith("tags."))?.[1];

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogTrigger asChild>{trigger}</DialogTrigger>
      <DialogContent className="max-h-[100dvh] overflow-y-auto sm:max-w-lg">
        <form onSubmit={onSubmit} className="grid gap-4" noValidate>
          <DialogHeader>
            <DialogTitle>Edit document</DialogTitle>
            <DialogDescription>Chatbots filter by category, type and tags (their Knowledge tab).</DialogDescription>
          </DialogHeader>
          {field("title", "Title", KNOWLEDGE_LIMITS.name)}
          {field("category", "Category", KNOWLEDGE_LIMITS.category)}
          {field("documentType", "Document type", KNOWLEDGE_LIMITS.documentType)}
          {field("tags", "Tags, separated by commas")}
          {tagError && <p className="text-xs text-destructive">{tagError}</p>}
          {update.error && Object.keys(fieldErrors(update.error)).length === 0 && (
            <Alert variant="destructive">
              <AlertDescription>{errorMessage(update.error)}</AlertDescription>
            </Alert>
          )}
          <DialogFooter>
            <DialogClose asChild>
              <Button variant="outline">Cancel</Button>
            </DialogClose>
            <Button type="submit" disabled={update.isPending}>
              {update.isPending ? "Saving…" : "Save"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
