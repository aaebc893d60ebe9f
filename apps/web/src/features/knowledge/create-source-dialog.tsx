"use client";

import { CreateKnowledgeSourceInput, KNOWLEDGE_LIMITS } from "@tandem/contracts";
import { TriangleAlert } from "lucide-react";
import { useRouter } from "next/navigation";
import { type FormEvent, type ReactElement, useId, useState } from "react";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
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
import { fieldErrors, useChatbots } from "@/features/chatbots/crud-queries";
import { NativeSelect } from "@/features/chatbots/native-select";
import { errorMessage } from "@/lib/api";
import { useCreateSource } from "./queries";

type CreatableType = CreateKnowledgeSourceInput["type"];

const TYPES: { value: CreatableType; label: string; help: string }[] = [
  {
    value: "document",
    label: "Documents",
    help: "Upload PDF, Word, text, Markdown, HTML, CSV or images (read by OCR).",
  },
  { value: "faq", label: "FAQ", help: "Questions and answers, typed in or imported from a CSV file." },
  { value: "text", label: "Text", help: "Text typed or pasted in." },
  { value: "url", label: "Web pages", help: "One page, or every page of a sitemap; fetched again on demand." },
];

interface Form {
  name: string;
  type: CreatableType;
  chatbotId: string;
  category: string;
  url: string;
  mode: "page" | "sitemap";
  maxPages: string;
  maxDepth: string;
}

const EMPTY: Form = {
  name: "",
  type: "document",
  chatbotId: "",
  category: "",
  url: "",
  mode: "page",
  maxPages: String(KNOWLEDGE_LIMITS.url.maxPages.default),
  maxDepth: String(KNOWLEDGE_LIMITS.url.maxDepth.default),
};

/** A blank number field stays a string, so zod names it instead of reading 0. */
const num = (value: string): number | string => (value.trim() === "" ? value : Number(value));

export function toCreateInput(form: Form) {
  return {
    name: form.name,
    type: form.type,
    chatbotId: form.chatbotId || null,
    ...(form.category.trim() ? { category: form.category } : {}),
    ...(form.type === "url"
      ? {
          url: {
            url: form.url,
            mode: form.mode,
            maxPages: num(form.maxPages),
            maxDepth: num(form.maxDepth),
          },
        }
      : {}),
  };
}

/** The first problem of each field, keyed `name`, `url.url`, `url.maxPages`… */
export function issuesByField(issues: readonly { path: readonly PropertyKey[]; message: string }[]) {
  const out: Record<string, string> = {};
  for (const issue of issues) {
    const key = issue.path.map(String).join(".") || "form";
    out[key] ??= issue.message;
  }
  return out;
}

/** A new source: its type, who owns it (every chatbot or one), and for web pages where to fetch them. */
export function CreateSourceDialog({ trigger }: { trigger: ReactElement }) {
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState<Form>(EMPTY);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const create = useCreateSource();
  const chatbots = useChatbots();
  const router = useRouter();
  const id = useId();
  const bots = chatbots.data?.pages.flatMap((p) => p.data) ?? [];

  function onOpenChange(next: boolean) {
    setOpen(next);
    if (next) {
      setForm(EMPTY);
      setErrors({});
      create.reset();
    }
  }

  const set =
    <K extends keyof Form>(field: K) =>
    (event: { target: { value: string } }) => {
      setForm((f) => ({ ...f, [field]: event.target.value as Form[K] }));
      setErrors((e) => ({ ...e, [field === "url" ? "url.url" : field]: "" }));
    };

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const parsed = CreateKnowledgeSourceInput.safeParse(toCreateInput(form));
    if (!parsed.success) {
      setErrors(issuesByField(parsed.error.issues));
      return;
    }
    create.mutate(parsed.data, {
      onSuccess: (source) => {
        setOpen(false);
        router.push(`/knowledge/sources/${encodeURIComponent(source.id)}`);
      },
      onError: (cause) => setErrors(fieldErrors(cause)),
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
  const otherError = create.error && Object.keys(fieldErrors(create.error)).length === 0;

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogTrigger asChild>{trigger}</DialogTrigger>
      <DialogContent className="max-h-[100dvh] overflow-y-auto sm:max-w-lg">
        <form onSubmit={onSubmit} className="grid gap-4" noValidate>
          <DialogHeader>
            <DialogTitle>New knowledge source</DialogTitle>
            <DialogDescription>Add its documents, entries or pages on the next page.</DialogDescription>
          </DialogHeader>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor={`${id}-name`}>Name</Label>
            <Input
              id={`${id}-name`}
              value={form.name}
              onChange={set("name")}
              maxLength={KNOWLEDGE_LIMITS.name}
              placeholder="Return policy"
              {...aria("name")}
            />
            {err("name")}
          </div>
          <fieldset className="flex flex-col gap-2">
            <legend className="mb-1.5 text-sm font-medium">Type</legend>
            {TYPES.map((t) => (
              <label
                key={t.value}
                className="flex cursor-pointer items-start gap-2 rounded-md border px-3 py-2 text-sm has-[:checked]:border-primary has-[:checked]:bg-primary/5"
              >
                <input
                  type="radio"
                  name={`${id}-type`}
                  value={t.value}
                  checked={form.type === t.value}
                  onChange={() => setForm((f) => ({ ...f, type: t.value }))}
                  className="mt-0.5 accent-primary"
                />
                <span className="flex flex-col">
                  <span className="font-medium">{t.label}</span>
                  <span className="text-muted-foreground">{t.help}</span>
                </span>
              </label>
            ))}
          </fieldset>
          <div className="grid gap-4 sm:grid-cols-2">
            <div className="flex flex-col gap-1.5">
              <Label htmlFor={`${id}-owner`}>Used by</Label>
              <NativeSelect
                id={`${id}-owner`}
                value={form.chatbotId}
                onChange={set("chatbotId")}
                {...aria("chatbotId")}
              >
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
              <Label htmlFor={`${id}-category`}>Category (optional)</Label>
              <Input
                id={`${id}-category`}
                value={form.category}
                onChange={set("category")}
                maxLength={KNOWLEDGE_LIMITS.category}
                placeholder="shipping"
                {...aria("category")}
              />
              {err("category")}
            </div>
          </div>
          {form.type === "url" && <UrlFields form={form} set={set} err={err} aria={aria} id={id} />}
          {otherError && (
            <Alert variant="destructive">
              <TriangleAlert aria-hidden="true" />
              <AlertDescription>{errorMessage(create.error)}</AlertDescription>
            </Alert>
          )}
          <DialogFooter>
            <DialogClose asChild>
              <Button variant="outline">Cancel</Button>
            </DialogClose>
            <Button type="submit" disabled={create.isPending}>
              {create.isPending ? "Creating…" : "Create source"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}

export interface UrlFieldValues {
  url: string;
  mode: "page" | "sitemap";
  maxPages: string;
  maxDepth: string;
}

/** Address, page or sitemap, and the sitemap's limits; error keys are `url.url`, `url.maxPages`… */
export function UrlFields<F extends UrlFieldValues>({
  form,
  set,
  err,
  aria,
  id,
}: {
  form: F;
  set: (field: keyof UrlFieldValues) => (event: { target: { value: string } }) => void;
  err: (key: string) => ReactElement | null;
  aria: (key: string) => { "aria-invalid": boolean; "aria-describedby": string | undefined };
  id: string;
}) {
  const L = KNOWLEDGE_LIMITS.url;
  return (
    <div className="grid gap-4 sm:grid-cols-2">
      <div className="flex flex-col gap-1.5 sm:col-span-2">
        <Label htmlFor={`${id}-url`}>Address</Label>
        <Input
          id={`${id}-url`}
          type="url"
          inputMode="url"
          value={form.url}
          onChange={set("url")}
          placeholder="https://help.example.com/shipping"
          {...aria("url.url")}
        />
        {err("url.url") ?? err("url")}
      </div>
      <div className="flex flex-col gap-1.5 sm:col-span-2">
        <Label htmlFor={`${id}-mode`}>What to fetch</Label>
        <NativeSelect id={`${id}-mode`} value={form.mode} onChange={set("mode")}>
          <option value="page">This page only</option>
          <option value="sitemap">Every page of this sitemap (sitemap.xml)</option>
        </NativeSelect>
      </div>
      {form.mode === "sitemap" && (
        <>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor={`${id}-max-pages`}>Max pages</Label>
            <Input
              id={`${id}-max-pages`}
              inputMode="numeric"
              value={form.maxPages}
              onChange={set("maxPages")}
              {...aria("url.maxPages")}
            />
            <p className="text-xs text-muted-foreground">1 to {L.maxPages.max}</p>
            {err("url.maxPages")}
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor={`${id}-max-depth`}>Sitemap depth</Label>
            <Input
              id={`${id}-max-depth`}
              inputMode="numeric"
              value={form.maxDepth}
              onChange={set("maxDepth")}
              {...aria("url.maxDepth")}
            />
            <p className="text-xs text-muted-foreground">Nested sitemap indexes followed: 0 to {L.maxDepth.max}</p>
            {err("url.maxDepth")}
          </div>
        </>
      )}
    </div>
  );
}
