"use client";

import { CreateTextDocumentInput, KNOWLEDGE_LIMITS } from "@tandem/contracts";
import { useId, useState } from "react";
import { Notice, useNotice } from "@/components/notice";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import { fieldErrors } from "@/features/chatbots/crud-queries";
import { errorMessage } from "@/lib/api";
import { issuesByField } from "./create-source-dialog";
import { parseTags } from "./format";
import { useCreateTextDocument } from "./queries";

const EMPTY = { title: "", content: "", category: "", documentType: "", tags: "" };

/** A document typed or pasted in: it is chunked and indexed like an uploaded file. */
export function TextDocumentForm({ sourceId }: { sourceId: string }) {
  const [form, setForm] = useState(EMPTY);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const create = useCreateTextDocument(sourceId);
  const { notice, show, clear } = useNotice();
  const id = useId();

  const set = (key: keyof typeof EMPTY) => (event: { target: { value: string } }) => {
    setForm((f) => ({ ...f, [key]: event.target.value }));
    setErrors((e) => ({ ...e, [key]: "" }));
  };

  function submit() {
    const parsed = CreateTextDocumentInput.safeParse({
      title: form.title,
      content: form.content,
      category: form.category.trim() || undefined,
      documentType: form.documentType.trim() || undefined,
      tags: form.tags.trim() ? parseTags(form.tags) : undefined,
    });
    if (!parsed.success) return setErrors(issuesByField(parsed.error.issues));
    create.mutate(parsed.data, {
      onSuccess: (doc) => {
        setForm(EMPTY);
        setErrors({});
        show({ kind: "success", message: `Added “${doc.title}”: it is being indexed.` });
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
        <CardTitle>Add text</CardTitle>
        <CardDescription>Markdown headings (#, ##) become the heading path of each passage.</CardDescription>
      </CardHeader>
      <CardContent>
        <form
          className="flex flex-col gap-4"
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            submit();
          }}
        >
          <Notice notice={notice} onDismiss={clear} />
          <div className="flex flex-col gap-1.5">
            <Label htmlFor={`${id}-title`}>Title</Label>
            <Input
              id={`${id}-title`}
              value={form.title}
              maxLength={KNOWLEDGE_LIMITS.name}
              onChange={set("title")}
              {...aria("title")}
            />
            {err("title")}
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor={`${id}-content`}>Text</Label>
            <Textarea
              id={`${id}-content`}
              value={form.content}
              rows={8}
              maxLength={KNOWLEDGE_LIMITS.textLength}
              onChange={set("content")}
              {...aria("content")}
            />
            {err("content")}
          </div>
          <div className="grid gap-4 sm:grid-cols-3">
            <div className="flex flex-col gap-1.5">
              <Label htmlFor={`${id}-category`}>Category (optional)</Label>
              <Input id={`${id}-category`} value={form.category} onChange={set("category")} {...aria("category")} />
              {err("category")}
            </div>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor={`${id}-type`}>Document type (optional)</Label>
              <Input
                id={`${id}-type`}
                value={form.documentType}
                onChange={set("documentType")}
                {...aria("documentType")}
              />
              {err("documentType")}
            </div>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor={`${id}-tags`}>Tags (optional)</Label>
              <Input id={`${id}-tags`} value={form.tags} onChange={set("tags")} placeholder="returns, refunds" />
              {err("tags") ?? err("tags.0")}
            </div>
          </div>
          <Button type="submit" className="self-end" disabled={create.isPending}>
            {create.isPending ? "Adding…" : "Add text"}
          </Button>
        </form>
      </CardContent>
    </Card>
  );
}
