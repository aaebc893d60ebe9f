"use client";

import { PROMPT_GENERATION_ACCEPT, PROMPT_GENERATION_LIMITS, type PromptGenerationJobDto } from "@tandem/contracts";
import { CircleCheck, CircleX, LoaderCircle, X } from "lucide-react";
import { type ReactElement, useId, useState } from "react";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import { errorMessage } from "@/lib/api";
import { DiffView } from "./diff-view";
import { latestSteps } from "./generation-steps";
import { conflictCurrent, etagOf, useGenerationJob, usePrompt, useSavePrompt, useStartGeneration } from "./queries";

const MB = 1024 * 1024;

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < MB) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / MB).toFixed(1)} MB`;
}

/** Why a chosen file would be refused, before anything is uploaded; null when it is fine. */
export function fileProblem(file: { name: string; size: number }): string | null {
  const lower = file.name.toLowerCase();
  if (!PROMPT_GENERATION_ACCEPT.some((ext) => lower.endsWith(ext)))
    return "not a PDF, image, DOCX, text or Markdown file";
  if (file.size > PROMPT_GENERATION_LIMITS.maxFileBytes)
    return `larger than ${PROMPT_GENERATION_LIMITS.maxFileBytes / MB} MB`;
  if (file.size === 0) return "empty";
  return null;
}

/**
 * "Generate from files": choose up to ten documents and a brief, watch the job read them and write a
 * draft, then review the draft as a diff against the live prompt, edit it, and apply or discard it.
 */
export function GenerateDialog({ chatbotId, trigger }: { chatbotId: string; trigger: ReactElement }) {
  const [open, setOpen] = useState(false);
  const [jobId, setJobId] = useState<string | null>(null);
  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) setJobId(null);
      }}
    >
      <DialogTrigger asChild>{trigger}</DialogTrigger>
      <DialogContent className="max-h-[calc(100dvh-2rem)] overflow-y-auto sm:max-w-3xl">
        <DialogHeader>
          <DialogTitle>Generate a prompt from files</DialogTitle>
          <DialogDescription>
            The chatbot&apos;s AI provider reads your documents and writes a draft. Nothing changes until you apply it.
          </DialogDescription>
        </DialogHeader>
        {jobId ? (
          <JobView chatbotId={chatbotId} jobId={jobId} onRestart={() => setJobId(null)} onDone={() => setOpen(false)} />
        ) : (
          <UploadForm chatbotId={chatbotId} onStarted={setJobId} />
        )}
      </DialogContent>
    </Dialog>
  );
}

function UploadForm({ chatbotId, onStarted }: { chatbotId: string; onStarted: (jobId: string) => void }) {
  const [files, setFiles] = useState<File[]>([]);
  const [context, setContext] = useState("");
  const [tone, setTone] = useState("");
  const [instructions, setInstructions] = useState("");
  const [error, setError] = useState<string | null>(null);
  const start = useStartGeneration(chatbotId);
  const fileInputId = useId();
  const tooMany = files.length > PROMPT_GENERATION_LIMITS.maxFiles;
  const problems = files.map(fileProblem);
  const blocked = files.length === 0 || tooMany || problems.some(Boolean);

  function addFiles(list: FileList | null) {
    if (!list) return;
    setFiles((current) => [...current, ...Array.from(list)]);
  }

  async function submit() {
    setError(null);
    try {
      const started = await start.mutateAsync({ files, context, tone, additionalInstructions: instructions });
      onStarted(started.jobId);
    } catch (cause) {
      setError(errorMessage(cause));
    }
  }

  return (
    <form
      className="flex flex-col gap-4"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <div className="flex flex-col gap-2">
        <Label htmlFor={fileInputId}>Files</Label>
        <Input
          id={fileInputId}
          type="file"
          multiple
          accept={PROMPT_GENERATION_ACCEPT.join(",")}
          onChange={(event) => {
            addFiles(event.target.files);
            event.target.value = "";
          }}
        />
        <p className="text-xs text-muted-foreground">
          Up to {PROMPT_GENERATION_LIMITS.maxFiles} files, {PROMPT_GENERATION_LIMITS.maxFileBytes / MB} MB each: PDF,
          PNG, JPEG, WebP (read with OCR), DOCX, TXT or Markdown.
        </p>
        {files.length > 0 && (
          <ul className="flex flex-col gap-1" aria-label="Chosen files">
            {files.map((file, index) => (
              <li
                // biome-ignore lint/suspicious/noArrayIndexKey: the same file may be chosen twice
                key={`${file.name}-${index}`}
                className="flex items-center justify-between gap-2 rounded-md border px-3 py-1.5 text-sm"
              >
                <span className="min-w-0 truncate">
                  {file.name}{" "}
                  <span className="text-xs text-muted-foreground">
                    {formatBytes(file.size)} · {file.type || "unknown type"}
                  </span>
                  {problems[index] && (
                    <span className="block text-xs text-destructive">Refused: {problems[index]}</span>
                  )}
                </span>
                <Button
                  type="button"
                  variant="ghost"
                  size="icon-sm"
                  aria-label={`Remove ${file.name}`}
                  onClick={() => setFiles((current) => current.filter((_, i) => i !== index))}
                >
                  <X aria-hidden="true" />
                </Button>
              </li>
            ))}
          </ul>
        )}
        {tooMany && (
          <p className="text-xs text-destructive">
            At most {PROMPT_GENERATION_LIMITS.maxFiles} files: remove {files.length - PROMPT_GENERATION_LIMITS.maxFiles}
            .
          </p>
        )}
      </div>
      <div className="flex flex-col gap-2">
        <Label htmlFor="gen-context">What the chatbot is for (optional)</Label>
        <Textarea
          id="gen-context"
          value={context}
          onChange={(e) => setContext(e.target.value)}
          maxLength={PROMPT_GENERATION_LIMITS.maxContextChars}
          rows={2}
          placeholder="Answers guests of Lotus Spa about treatments, prices and bookings"
        />
      </div>
      <div className="flex flex-col gap-2">
        <Label htmlFor="gen-tone">Tone (optional)</Label>
        <Input
          id="gen-tone"
          value={tone}
          onChange={(e) => setTone(e.target.value)}
          maxLength={PROMPT_GENERATION_LIMITS.maxToneChars}
          placeholder="warm and calm"
        />
      </div>
      <div className="flex flex-col gap-2">
        <Label htmlFor="gen-instructions">Additional instructions (optional)</Label>
        <Textarea
          id="gen-instructions"
          value={instructions}
          onChange={(e) => setInstructions(e.target.value)}
          maxLength={PROMPT_GENERATION_LIMITS.maxInstructionsChars}
          rows={2}
        />
      </div>
      {error && (
        <Alert variant="destructive">
          <AlertDescription>{error}</AlertDescription>
        </Alert>
      )}
      <DialogFooter>
        <Button type="submit" disabled={blocked || start.isPending}>
          {start.isPending ? "Uploading…" : "Generate draft"}
        </Button>
      </DialogFooter>
    </form>
  );
}

const STEP_LABELS: Record<string, string> = {
  upload: "Files received",
  extract: "Reading",
  write: "Writing the prompt",
  retry: "Retrying",
  failed: "Failed",
};

function JobView({
  chatbotId,
  jobId,
  onRestart,
  onDone,
}: {
  chatbotId: string;
  jobId: string;
  onRestart: () => void;
  onDone: () => void;
}) {
  const job = useGenerationJob(chatbotId, jobId);
  if (job.isError) {
    return (
      <Alert variant="destructive">
        <AlertDescription>{errorMessage(job.error)}</AlertDescription>
      </Alert>
    );
  }
  const data = job.data;
  return (
    <div className="flex flex-col gap-4">
      <ol
        className="flex flex-col gap-1 text-sm"
        aria-label="Progress"
        aria-live="polite"
        data-testid="generation-progress"
      >
        {latestSteps(data?.progress ?? []).map((step, index) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: steps are appended in order
          <li key={index} className="flex items-start gap-2">
            {step.status === "done" ? (
              <CircleCheck className="mt-0.5 size-4 shrink-0 text-success" aria-hidden="true" />
            ) : step.status === "failed" ? (
              <CircleX className="mt-0.5 size-4 shrink-0 text-destructive" aria-hidden="true" />
            ) : (
              <LoaderCircle className="mt-0.5 size-4 shrink-0 animate-spin text-muted-foreground" aria-hidden="true" />
            )}
            <span>
              {STEP_LABELS[step.step] ?? step.step}
              {step.file ? ` ${step.file}` : ""}
              {step.message ? <span className="text-muted-foreground"> — {step.message}</span> : null}
            </span>
          </li>
        ))}
        {(!data || data.status === "pending") && (
          <li className="flex items-center gap-2 text-muted-foreground">
            <LoaderCircle className="size-4 animate-spin" aria-hidden="true" /> Waiting to start…
          </li>
        )}
      </ol>
      {data?.status === "failed" && (
        <Alert variant="destructive">
          <AlertTitle>The draft could not be written</AlertTitle>
          <AlertDescription className="flex flex-col gap-2">
            <p>{data.error ?? "The job failed."}</p>
            <Button variant="outline" size="sm" className="w-fit" onClick={onRestart}>
              Try again
            </Button>
          </AlertDescription>
        </Alert>
      )}
      {data?.status === "completed" && data.generatedPrompt !== null && (
        <Review chatbotId={chatbotId} job={data} draft={data.generatedPrompt} onDone={onDone} />
      )}
    </div>
  );
}

function Review({
  chatbotId,
  job,
  draft,
  onDone,
}: {
  chatbotId: string;
  job: PromptGenerationJobDto;
  draft: string;
  onDone: () => void;
}) {
  const [text, setText] = useState(draft);
  const [error, setError] = useState<string | null>(null);
  const live = usePrompt(chatbotId);
  const save = useSavePrompt(chatbotId);
  const liveText = live.data?.text ?? job.livePrompt;
  const warnings = job.files.flatMap((f) => [
    ...(f.error ? [`${f.name}: ${f.error}`] : []),
    ...f.warnings.map((w) => `${f.name}: ${w}`),
  ]);

  async function apply() {
    if (!live.data) return;
    setError(null);
    try {
      await save.mutateAsync({ text, generationJobId: job.jobId, ifMatch: etagOf(live.data) });
      onDone();
    } catch (cause) {
      const current = conflictCurrent(cause);
      setError(
        current
          ? `Someone saved version ${current.version} while you reviewed. The diff now shows it; check it and apply again.`
          : errorMessage(cause),
      );
    }
  }

  return (
    <div className="flex flex-col gap-4" data-testid="generation-review">
      <p className="text-sm text-muted-foreground">
        Written by {job.model ?? "the provider"}
        {job.usage ? ` (${job.usage.promptTokens + job.usage.completionTokens} tokens)` : ""}. Review it against the
        live prompt, edit it if needed, then apply it.
      </p>
      {warnings.length > 0 && (
        <Alert>
          <AlertDescription>
            <ul className="list-disc pl-4">
              {warnings.map((w) => (
                <li key={w}>{w}</li>
              ))}
            </ul>
          </AlertDescription>
        </Alert>
      )}
      <DiffView before={liveText} after={text} beforeLabel="Live prompt" afterLabel="draft" />
      <div className="flex flex-col gap-2">
        <Label htmlFor="gen-draft">Draft</Label>
        <Textarea
          id="gen-draft"
          value={text}
          onChange={(e) => setText(e.target.value)}
          rows={12}
          className="font-mono text-sm"
        />
      </div>
      {error && (
        <Alert variant="destructive">
          <AlertDescription>{error}</AlertDescription>
        </Alert>
      )}
      <DialogFooter>
        <Button variant="ghost" onClick={onDone} disabled={save.isPending}>
          Discard
        </Button>
        <Button onClick={apply} disabled={save.isPending || !live.data || text.trim() === ""}>
          {save.isPending ? "Applying…" : "Apply"}
        </Button>
      </DialogFooter>
    </div>
  );
}
