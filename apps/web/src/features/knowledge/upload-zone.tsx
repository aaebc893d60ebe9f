"use client";

import { KNOWLEDGE_LIMITS, KNOWLEDGE_UPLOAD_ACCEPT, UploadDocumentsFields } from "@tandem/contracts";
import { CircleAlert, CircleCheck, FileUp, Loader2 } from "lucide-react";
import { type DragEvent, useId, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { errorMessage } from "@/lib/api";
import { formatBytes } from "@/lib/format";
import { cn } from "@/lib/utils";
import { parseTags } from "./format";
import { useKnowledgeLimits, useUploadDocuments } from "./queries";
import { ACCEPTED_EXTENSIONS, checkFiles } from "./upload-check";

interface Row {
  key: string;
  name: string;
  size: number;
  state: "refused" | "waiting" | "uploading" | "uploaded" | "failed";
  message: string | null;
}

/** Files sent at the same time; each goes in its own request, so each gets its own answer. */
const PARALLEL = 2;

/**
 * Drop several files (or choose them): each is checked before sending (type, size against the
 * server's limit), then uploaded on its own; the list shows each file's outcome, the server's
 * message for a 413 or 415. The documents then appear in the table below and move to ready live.
 */
export function UploadZone({ sourceId }: { sourceId: string }) {
  const limits = useKnowledgeLimits();
  const upload = useUploadDocuments(sourceId);
  const [rows, setRows] = useState<Row[]>([]);
  const [dragging, setDragging] = useState(false);
  const [fields, setFields] = useState({ category: "", documentType: "", tags: "" });
  const [fieldError, setFieldError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const id = useId();
  const nextKey = useRef(0);
  const busy = rows.some((r) => r.state === "waiting" || r.state === "uploading");

  const patch = (key: string, next: Partial<Row>) =>
    setRows((current) => current.map((r) => (r.key === key ? { ...r, ...next } : r)));

  async function send(files: File[]) {
    if (files.length === 0) return;
    const parsed = UploadDocumentsFields.safeParse({
      category: fields.category.trim() || undefined,
      documentType: fields.documentType.trim() || undefined,
      tags: fields.tags.trim() ? parseTags(fields.tags) : undefined,
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      setFieldError(`${String(issue?.path[0] ?? "Field")}: ${issue?.message ?? "invalid"}`);
      return;
    }
    setFieldError(null);
    const checked = checkFiles(files, limits).map((check) => ({
      check,
      row: {
        key: `f${nextKey.current++}`,
        name: check.file.name,
        size: check.file.size,
        state: check.ok ? "waiting" : "refused",
        message: check.ok ? null : check.problem,
      } satisfies Row,
    }));
    setRows((current) => [...checked.map((c) => c.row), ...current]);

    const queue = checked.filter((c) => c.check.ok);
    const worker = async () => {
      for (let item = queue.shift(); item; item = queue.shift()) {
        patch(item.row.key, { state: "uploading" });
        try {
          await upload.mutateAsync({ files: [item.check.file], fields: parsed.data });
          patch(item.row.key, { state: "uploaded", message: null });
        } catch (cause) {
          patch(item.row.key, { state: "failed", message: errorMessage(cause) });
        }
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
  }

  function onDrop(event: DragEvent<HTMLDivElement>) {
    event.preventDefault();
    setDragging(false);
    void send(Array.from(event.dataTransfer.files));
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle>Upload documents</CardTitle>
        <CardDescription>
          {ACCEPTED_EXTENSIONS.join(", ")} (images are read by OCR), up to {formatBytes(limits.maxFileBytes)} each; PDFs
          are read up to {limits.maxPdfPages.toLocaleString("en")} pages.
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        <div className="grid gap-4 sm:grid-cols-3">
          <div className="flex flex-col gap-1.5">
            <Label htmlFor={`${id}-category`}>Category (optional)</Label>
            <Input
              id={`${id}-category`}
              value={fields.category}
              maxLength={KNOWLEDGE_LIMITS.category}
              onChange={(e) => setFields((f) => ({ ...f, category: e.target.value }))}
              placeholder="shipping"
            />
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor={`${id}-type`}>Document type (optional)</Label>
            <Input
              id={`${id}-type`}
              value={fields.documentType}
              maxLength={KNOWLEDGE_LIMITS.documentType}
              onChange={(e) => setFields((f) => ({ ...f, documentType: e.target.value }))}
              placeholder="policy"
            />
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor={`${id}-tags`}>Tags (optional)</Label>
            <Input
              id={`${id}-tags`}
              value={fields.tags}
              onChange={(e) => setFields((f) => ({ ...f, tags: e.target.value }))}
              placeholder="returns, refunds"
            />
          </div>
        </div>
        {fieldError && <p className="text-sm text-destructive">{fieldError}</p>}
        {/* biome-ignore lint/a11y/noStaticElementInteractions: the drop target; the button inside is the keyboard path */}
        <div
          data-testid="upload-dropzone"
          onDragOver={(event) => {
            event.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={onDrop}
          className={cn(
            "flex flex-col items-center gap-3 rounded-lg border-2 border-dashed px-4 py-8 text-center transition-colors",
            dragging ? "border-primary bg-primary/5" : "border-border",
          )}
        >
          <FileUp className="size-6 text-muted-foreground" aria-hidden="true" />
          <p className="text-sm text-muted-foreground">Drop files here, or</p>
          <Button type="button" variant="outline" onClick={() => input.current?.click()}>
            Choose files
          </Button>
          <input
            ref={input}
            id={`${id}-files`}
            type="file"
            multiple
            accept={KNOWLEDGE_UPLOAD_ACCEPT}
            aria-label="Files to upload"
            className="sr-only"
            tabIndex={-1}
            onChange={(event) => {
              const files = Array.from(event.target.files ?? []);
              event.target.value = "";
              void send(files);
            }}
          />
        </div>
        {rows.length > 0 && (
          <ul aria-label="Uploads" aria-busy={busy} className="flex flex-col divide-y rounded-md border">
            {rows.map((row) => (
              <li
                key={row.key}
                className="flex items-start gap-2 px-3 py-2 text-sm"
                data-testid="upload-row"
                data-state={row.state}
              >
                <UploadIcon state={row.state} />
                <div className="min-w-0 flex-1">
                  <p className="break-all font-medium">{row.name}</p>
                  <p className={cn("text-xs", row.message ? "text-destructive" : "text-muted-foreground")}>
                    {formatBytes(row.size)} · {row.message ?? STATE_TEXT[row.state]}
                  </p>
                </div>
              </li>
            ))}
          </ul>
        )}
        {rows.length > 0 && !busy && (
          <Button type="button" variant="ghost" size="sm" className="self-end" onClick={() => setRows([])}>
            Clear list
          </Button>
        )}
      </CardContent>
    </Card>
  );
}

const STATE_TEXT: Record<Row["state"], string> = {
  refused: "not sent",
  waiting: "waiting",
  uploading: "uploading…",
  uploaded: "uploaded: being read",
  failed: "failed",
};

function UploadIcon({ state }: { state: Row["state"] }) {
  if (state === "uploaded") return <CircleCheck className="mt-0.5 size-4 shrink-0 text-success" aria-hidden="true" />;
  if (state === "refused" || state === "failed")
    return <CircleAlert className="mt-0.5 size-4 shrink-0 text-destructive" aria-hidden="true" />;
  return (
    <Loader2 className="mt-0.5 size-4 shrink-0 text-muted-foreground motion-safe:animate-spin" aria-hidden="true" />
  );
}
