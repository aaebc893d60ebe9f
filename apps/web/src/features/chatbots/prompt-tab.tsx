"use client";

import { PROMPT_LIMITS, PROMPT_PRESETS, type PromptDto } from "@tandem/contracts";
import { Sparkles, TriangleAlert } from "lucide-react";
import { useEffect, useMemo, useState } from "react";
import { Notice, useNotice } from "@/components/notice";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Skeleton } from "@/components/ui/skeleton";
import { Textarea } from "@/components/ui/textarea";
import { useBotSettings } from "@/features/settings/provider/queries";
import { errorMessage } from "@/lib/api";
import { formatDateTime } from "@/lib/format";
import { DiffView } from "./diff-view";
import { GenerateDialog } from "./generate-dialog";
import { splitTemplate, unknownVariables } from "./line-diff";
import { METHOD_LABELS } from "./methods";
import { conflictCurrent, etagOf, usePrompt, useSavePrompt } from "./queries";

const VARIABLE_HELP: Record<string, string> = {
  brand_name: "the brand the bot speaks for",
  tone: "how it should sound",
  do_list: "what it should do",
  dont_list: "what it must not do",
  policy_snippets: "short policies it may quote",
  knowledge: "knowledge retrieved for the customer's question",
  short_memory: "the conversation's rolling summary",
  last_n_messages: "the latest messages",
  shopify_metadata: "the connected Shopify store: name, website, currency (empty without one)",
  products: "the products the question is about, with current price and stock per variant",
  facebook_metadata: "the Facebook Page's name, category and about text (Messenger only)",
};

export function PromptTab({
  chatbotId,
  canManage,
  canReadBrand,
}: {
  chatbotId: string;
  canManage: boolean;
  canReadBrand: boolean;
}) {
  const prompt = usePrompt(chatbotId);
  if (prompt.isError) {
    return (
      <Alert variant="destructive">
        <AlertDescription>{errorMessage(prompt.error)}</AlertDescription>
      </Alert>
    );
  }
  if (!prompt.data) {
    return (
      <div className="flex flex-col gap-4" role="status" aria-label="Loading">
        <Skeleton className="h-72 w-full" />
        <Skeleton className="h-40 w-full" />
      </div>
    );
  }
  return <PromptEditor chatbotId={chatbotId} live={prompt.data} canManage={canManage} canReadBrand={canReadBrand} />;
}

function PromptEditor({
  chatbotId,
  live,
  canManage,
  canReadBrand,
}: {
  chatbotId: string;
  live: PromptDto;
  canManage: boolean;
  canReadBrand: boolean;
}) {
  // The version the editor started from: its ETag goes in If-Match, so a colleague's newer save is a 409.
  const [base, setBase] = useState<PromptDto>(live);
  const [text, setText] = useState(live.text);
  const [note, setNote] = useState("");
  const [conflict, setConflict] = useState<PromptDto | null>(null);
  const [showCompare, setShowCompare] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const save = useSavePrompt(chatbotId);
  const { notice, show, clear } = useNotice();
  const dirty = text !== base.text;

  // A version saved elsewhere in this page (an applied draft, a rollback): follow it while nothing is edited.
  useEffect(() => {
    if (live.versionId !== base.versionId && !dirty) {
      setBase(live);
      setText(live.text);
    }
  }, [live, base.versionId, dirty]);

  const unknown = unknownVariables(text, live.variables);

  async function onSave() {
    setError(null);
    if (unknown.length > 0) {
      setError(`Unknown variable${unknown.length > 1 ? "s" : ""}: ${unknown.map((v) => `{${v}}`).join(", ")}.`);
      return;
    }
    try {
      const saved = await save.mutateAsync({ text, note: note.trim(), ifMatch: etagOf(base) });
      setBase(saved);
      setText(saved.text);
      setNote("");
      setConflict(null);
      setShowCompare(false);
      show({ kind: "success", message: `Saved as version ${saved.version}. It is live from the next reply.` });
    } catch (cause) {
      const current = conflictCurrent(cause);
      if (current) {
        setConflict(current);
        setShowCompare(false);
      } else setError(errorMessage(cause));
    }
  }

  function reloadTheirs() {
    if (!conflict) return;
    setBase(conflict);
    setText(conflict.text);
    setConflict(null);
    setShowCompare(false);
  }

  function keepMine() {
    if (!conflict) return;
    // Explicit: the next Save replaces their version (still a new version; theirs stays in the history).
    setBase(conflict);
    setConflict(null);
    setShowCompare(false);
    show({ kind: "success", message: "Your text is kept. Save again to make it the live version." });
  }

  return (
    <div className="grid min-w-0 gap-6 lg:grid-cols-[minmax(0,1fr)_18rem]">
      <div className="flex min-w-0 flex-col gap-4">
        <Notice notice={notice} onDismiss={clear} />
        {conflict && (
          <Alert variant="destructive" data-testid="prompt-conflict">
            <TriangleAlert aria-hidden="true" />
            <AlertTitle>Someone saved a newer version</AlertTitle>
            <AlertDescription className="flex flex-col gap-3">
              <p>
                {conflict.author?.name ?? "Someone"} saved version {conflict.version}
                {conflict.createdAt ? ` at ${formatDateTime(conflict.createdAt)}` : ""} while you were editing. Nothing
                of yours was saved.
              </p>
              <div className="flex flex-wrap gap-2">
                <Button size="sm" variant="outline" onClick={() => setShowCompare((v) => !v)}>
                  {showCompare ? "Hide comparison" : "Compare with mine"}
                </Button>
                <Button size="sm" variant="outline" onClick={reloadTheirs}>
                  Reload their version
                </Button>
                <Button size="sm" variant="ghost" onClick={keepMine}>
                  Keep mine
                </Button>
              </div>
              {showCompare && (
                <DiffView
                  before={conflict.text}
                  after={text}
                  beforeLabel={`Version ${conflict.version} (theirs)`}
                  afterLabel="your text"
                />
              )}
            </AlertDescription>
          </Alert>
        )}
        <Card>
          <CardHeader>
            <CardTitle className="flex flex-wrap items-center gap-2">
              System prompt
              {base.version !== null && <Badge variant="accent">Live: version {base.version}</Badge>}
              {base.method && <Badge variant="outline">{METHOD_LABELS[base.method]}</Badge>}
            </CardTitle>
            <CardDescription>
              {base.createdAt
                ? `Saved ${formatDateTime(base.createdAt)}${base.author?.name ? ` by ${base.author.name}` : ""}.`
                : "No version saved yet."}{" "}
              {text === "" && "An empty prompt uses the built-in template."}
            </CardDescription>
          </CardHeader>
          <CardContent className="flex flex-col gap-4">
            <div className="flex flex-col gap-2">
              <Label htmlFor="prompt-text">Prompt</Label>
              <Textarea
                id="prompt-text"
                value={text}
                onChange={(event) => setText(event.target.value)}
                readOnly={!canManage}
                maxLength={PROMPT_LIMITS.textLength}
                rows={16}
                className="font-mono text-sm"
                placeholder={live.defaultTemplate}
                aria-invalid={unknown.length > 0}
                aria-describedby="prompt-text-help"
              />
              <p id="prompt-text-help" className="text-xs text-muted-foreground">
                {text.length.toLocaleString("en")} / {PROMPT_LIMITS.textLength.toLocaleString("en")} characters
                {unknown.length > 0 && (
                  <span className="text-destructive"> · not allowed: {unknown.map((v) => `{${v}}`).join(", ")}</span>
                )}
              </p>
            </div>
            {canManage && (
              <>
                <div className="flex flex-col gap-2">
                  <Label htmlFor="prompt-note">Note (optional)</Label>
                  <Input
                    id="prompt-note"
                    value={note}
                    onChange={(event) => setNote(event.target.value)}
                    maxLength={PROMPT_LIMITS.noteLength}
                    placeholder="What changed, for the history"
                  />
                </div>
                {error && (
                  <Alert variant="destructive">
                    <AlertDescription>{error}</AlertDescription>
                  </Alert>
                )}
                <div className="flex flex-wrap items-center gap-2">
                  <Button onClick={onSave} disabled={!dirty || save.isPending || conflict !== null}>
                    {save.isPending ? "Saving…" : "Save"}
                  </Button>
                  {dirty && (
                    <Button variant="ghost" onClick={() => setText(base.text)} disabled={save.isPending}>
                      Discard changes
                    </Button>
                  )}
                  {text === "" && (
                    <Button variant="outline" onClick={() => setText(live.defaultTemplate)}>
                      Start from the built-in template
                    </Button>
                  )}
                  <DropdownMenu>
                    <DropdownMenuTrigger asChild>
                      <Button variant="outline">Start from a preset</Button>
                    </DropdownMenuTrigger>
                    <DropdownMenuContent align="start">
                      {PROMPT_PRESETS.map((preset) => (
                        <DropdownMenuItem
                          key={preset.id}
                          onSelect={() => setText(preset.text)}
                          className="flex flex-col items-start gap-0.5"
                        >
                          <span>{preset.name}</span>
                          <span className="text-xs text-muted-foreground">{preset.description}</span>
                        </DropdownMenuItem>
                      ))}
                    </DropdownMenuContent>
                  </DropdownMenu>
                  <GenerateDialog
                    chatbotId={chatbotId}
                    trigger={
                      <Button variant="outline">
                        <Sparkles aria-hidden="true" />
                        Generate from files
                      </Button>
                    }
                  />
                </div>
              </>
            )}
          </CardContent>
        </Card>
        <PromptPreview
          chatbotId={chatbotId}
          text={text || live.defaultTemplate}
          variables={live.variables}
          canReadBrand={canReadBrand}
        />
      </div>
      <aside className="flex flex-col gap-3" aria-labelledby="variables-heading">
        <h2 id="variables-heading" className="text-sm font-semibold">
          Template variables
        </h2>
        <p className="text-xs text-muted-foreground">Filled in on every reply. Any other {"{name}"} is refused.</p>
        <ul className="flex flex-col gap-2" data-testid="prompt-variables">
          {live.variables.map((name) => (
            <li key={name} className="flex flex-col gap-0.5">
              <code className="w-fit rounded bg-primary/10 px-1.5 py-0.5 font-mono text-xs text-primary">{`{${name}}`}</code>
              {VARIABLE_HELP[name] && <span className="text-xs text-muted-foreground">{VARIABLE_HELP[name]}</span>}
            </li>
          ))}
        </ul>
      </aside>
    </div>
  );
}

/**
 * The prompt with the brand's variables filled in (the default chatbot's, from bot behaviour) and the
 * per-reply ones left as highlighted placeholders.
 */
function PromptPreview({
  chatbotId,
  text,
  variables,
  canReadBrand,
}: {
  chatbotId: string;
  text: string;
  variables: string[];
  canReadBrand: boolean;
}) {
  const bot = useBotSettings(canReadBrand);
  const values = useMemo(() => {
    const settings = bot.data;
    if (!settings || settings.chatbotId !== chatbotId) return {} as Record<string, string>;
    const v = settings.promptVariables;
    const list = (items: string[]) => items.map((item) => `- ${item}`).join("\n");
    return {
      brand_name: v.brandName,
      tone: v.tone,
      do_list: list(v.doList),
      dont_list: list(v.dontList),
      policy_snippets: v.policySnippets.join("\n\n"),
    } as Record<string, string>;
  }, [bot.data, chatbotId]);

  const parts = splitTemplate(text, variables);
  return (
    <Card>
      <CardHeader>
        <CardTitle>Preview</CardTitle>
        <CardDescription>
          The brand&apos;s variables filled in; those read per reply (knowledge, memory, messages) stay as placeholders.
        </CardDescription>
      </CardHeader>
      <CardContent>
        <pre
          className="max-h-96 overflow-auto whitespace-pre-wrap break-words rounded-md border bg-muted/30 p-3 font-mono text-xs leading-5"
          data-testid="prompt-preview"
        >
          {parts.map((part, index) =>
            part.kind === "text" ? (
              // biome-ignore lint/suspicious/noArrayIndexKey: template parts are positional
              <span key={index}>{part.text}</span>
            ) : (
              <mark
                // biome-ignore lint/suspicious/noArrayIndexKey: template parts are positional
                key={index}
                className={
                  part.known
                    ? "rounded bg-primary/15 px-0.5 text-primary"
                    : "rounded bg-destructive/15 px-0.5 text-destructive line-through"
                }
                title={part.known ? `{${part.name}}` : `{${part.name}} is not an allowed variable`}
              >
                {part.known && values[part.name] ? values[part.name] : `{${part.name}}`}
              </mark>
            ),
          )}
        </pre>
      </CardContent>
    </Card>
  );
}
