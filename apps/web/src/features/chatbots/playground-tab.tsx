"use client";

import {
  PLAYGROUND_LIMITS,
  type PlaygroundAnswer,
  type PlaygroundCompareResult,
  type PlaygroundSource,
  PROVIDER_LABELS,
} from "@tandem/contracts";
import { Columns2, MessageSquarePlus, Send } from "lucide-react";
import { useRef, useState } from "react";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Switch } from "@/components/ui/switch";
import { Textarea } from "@/components/ui/textarea";
import { ProductCards } from "@/features/inbox/product-cards";
import { errorMessage } from "@/lib/api";
import { cn } from "@/lib/utils";
import { useCredentials } from "./crud-queries";
import { NativeSelect } from "./native-select";
import { EMPTY_OVERRIDES, type OverrideDraft, toOverrides } from "./playground-input";
import {
  streamPlaygroundChat,
  useComparePlayground,
  useCreatePlaygroundSession,
  useEndPlaygroundSession,
  usePromptHistory,
} from "./queries";

interface Turn {
  id: number;
  question: string;
  streamed: string;
  sources: PlaygroundSource[];
  answer: PlaygroundAnswer | null;
  error: string | null;
  startedAt: number;
  firstTokenMs: number | null;
}

export function PlaygroundTab({ chatbotId }: { chatbotId: string }) {
  const [compare, setCompare] = useState(false);
  const [draft, setDraft] = useState<OverrideDraft>(EMPTY_OVERRIDES);
  const [draftB, setDraftB] = useState<OverrideDraft>(EMPTY_OVERRIDES);

  return (
    <div className="flex min-w-0 flex-col gap-4">
      <div className="flex items-center gap-2">
        <Switch id="compare-mode" checked={compare} onCheckedChange={setCompare} />
        <Label htmlFor="compare-mode" className="flex items-center gap-1.5">
          <Columns2 className="size-4" aria-hidden="true" />
          Compare two configurations
        </Label>
      </div>
      <p className="text-sm text-muted-foreground">
        Answers as the live bot would, with these overrides. Nothing here changes the chatbot or reaches a customer.
      </p>
      {compare ? (
        <CompareView chatbotId={chatbotId} a={draft} b={draftB} onA={setDraft} onB={setDraftB} />
      ) : (
        <div className="grid min-w-0 gap-4 lg:grid-cols-[minmax(0,1fr)_20rem]">
          <ChatView chatbotId={chatbotId} draft={draft} />
          <Card className="h-fit">
            <CardHeader>
              <CardTitle>Overrides</CardTitle>
            </CardHeader>
            <CardContent>
              <OverridesForm chatbotId={chatbotId} value={draft} onChange={setDraft} idPrefix="ov" />
            </CardContent>
          </Card>
        </div>
      )}
    </div>
  );
}

function OverridesForm({
  chatbotId,
  value,
  onChange,
  idPrefix,
}: {
  chatbotId: string;
  value: OverrideDraft;
  onChange: (next: OverrideDraft) => void;
  idPrefix: string;
}) {
  const history = usePromptHistory(chatbotId);
  const credentials = useCredentials(true);
  const versions = history.data?.pages.flatMap((p) => p.data) ?? [];
  const set = (field: keyof OverrideDraft) => (event: { target: { value: string } }) =>
    onChange({ ...value, [field]: event.target.value });
  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-col gap-1.5">
        <Label htmlFor={`${idPrefix}-version`}>Prompt version</Label>
        <NativeSelect id={`${idPrefix}-version`} value={value.promptVersionId} onChange={set("promptVersionId")}>
          <option value="">Live prompt</option>
          {versions.map((v) => (
            <option key={v.versionId} value={v.versionId}>
              Version {v.version}
              {v.live ? " (live)" : ""}
            </option>
          ))}
        </NativeSelect>
      </div>
      <div className="flex flex-col gap-1.5">
        <Label htmlFor={`${idPrefix}-prompt`}>System prompt</Label>
        <Textarea
          id={`${idPrefix}-prompt`}
          value={value.systemPrompt}
          onChange={set("systemPrompt")}
          rows={4}
          maxLength={PLAYGROUND_LIMITS.systemPromptLength}
          placeholder="Leave empty to use the prompt version"
          className="font-mono text-xs"
        />
      </div>
      <div className="flex flex-col gap-1.5">
        <Label htmlFor={`${idPrefix}-credential`}>Provider credential</Label>
        <NativeSelect id={`${idPrefix}-credential`} value={value.credentialId} onChange={set("credentialId")}>
          <option value="">The chatbot&apos;s own</option>
          {(credentials.data?.data ?? []).map((c) => (
            <option key={c.id} value={c.id}>
              {c.name} ({PROVIDER_LABELS[c.kind]})
            </option>
          ))}
        </NativeSelect>
      </div>
      <div className="flex flex-col gap-1.5">
        <Label htmlFor={`${idPrefix}-model`}>Model</Label>
        <Input id={`${idPrefix}-model`} value={value.model} onChange={set("model")} placeholder="The chatbot's model" />
      </div>
      <div className="grid grid-cols-2 gap-2">
        <div className="flex flex-col gap-1.5">
          <Label htmlFor={`${idPrefix}-temperature`}>Temperature</Label>
          <Input
            id={`${idPrefix}-temperature`}
            value={value.temperature}
            onChange={set("temperature")}
            inputMode="decimal"
            placeholder="0–2"
          />
        </div>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor={`${idPrefix}-max-tokens`}>Max tokens</Label>
          <Input
            id={`${idPrefix}-max-tokens`}
            value={value.maxTokens}
            onChange={set("maxTokens")}
            inputMode="numeric"
            placeholder="Default"
          />
        </div>
      </div>
    </div>
  );
}

function ChatView({ chatbotId, draft }: { chatbotId: string; draft: OverrideDraft }) {
  const [sessionId, setSessionId] = useState<string | null>(null);
  const [turns, setTurns] = useState<Turn[]>([]);
  const [message, setMessage] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const abort = useRef<AbortController | null>(null);
  const createSession = useCreatePlaygroundSession(chatbotId);
  const endSession = useEndPlaygroundSession(chatbotId);
  const nextId = useRef(1);

  const update = (id: number, patch: (turn: Turn) => Partial<Turn>) =>
    setTurns((current) => current.map((t) => (t.id === id ? { ...t, ...patch(t) } : t)));

  async function send() {
    const question = message.trim();
    if (!question || busy) return;
    const parsed = toOverrides(draft);
    if ("problem" in parsed) {
      setError(parsed.problem);
      return;
    }
    setError(null);
    setBusy(true);
    try {
      let id = sessionId;
      if (!id) {
        id = (await createSession.mutateAsync(undefined)).id;
        setSessionId(id);
      }
      const turnId = nextId.current++;
      const startedAt = performance.now();
      setTurns((current) => [
        ...current,
        { id: turnId, question, streamed: "", sources: [], answer: null, error: null, startedAt, firstTokenMs: null },
      ]);
      setMessage("");
      abort.current = new AbortController();
      try {
        const answer = await streamPlaygroundChat(
          chatbotId,
          { sessionId: id, message: question, overrideConfig: parsed.overrides },
          {
            onDelta: (text) =>
              update(turnId, (t) => ({
                streamed: t.streamed + text,
                firstTokenMs: t.firstTokenMs ?? Math.round(performance.now() - t.startedAt),
              })),
            onSources: (sources) => update(turnId, () => ({ sources })),
          },
          abort.current.signal,
        );
        update(turnId, () => ({ answer, sources: answer.sources }));
      } catch (cause) {
        if (cause instanceof DOMException && cause.name === "AbortError") return;
        update(turnId, () => ({ error: errorMessage(cause) }));
      }
    } catch (cause) {
      setError(errorMessage(cause));
    } finally {
      setBusy(false);
      abort.current = null;
    }
  }

  function newSession() {
    abort.current?.abort();
    if (sessionId) endSession.mutate(sessionId);
    setSessionId(null);
    setTurns([]);
    setError(null);
  }

  return (
    <Card className="min-w-0">
      <CardHeader className="flex flex-row flex-wrap items-center justify-between gap-2">
        <CardTitle>Chat</CardTitle>
        <Button variant="outline" size="sm" onClick={newSession} disabled={turns.length === 0 && !sessionId}>
          <MessageSquarePlus aria-hidden="true" />
          New session
        </Button>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        <ol className="flex flex-col gap-4" aria-label="Playground conversation" data-testid="playground-turns">
          {turns.length === 0 && <li className="text-sm text-muted-foreground">Ask something a customer would ask.</li>}
          {turns.map((turn) => (
            <li key={turn.id} className="flex flex-col gap-2">
              <p className="ml-auto max-w-[85%] rounded-lg bg-primary px-3 py-2 text-sm text-primary-foreground">
                {turn.question}
              </p>
              <AnswerBlock turn={turn} />
            </li>
          ))}
        </ol>
        {error && (
          <Alert variant="destructive">
            <AlertDescription>{error}</AlertDescription>
          </Alert>
        )}
        <form
          className="flex items-end gap-2"
          onSubmit={(event) => {
            event.preventDefault();
            void send();
          }}
        >
          <Label htmlFor="playground-message" className="sr-only">
            Message
          </Label>
          <Textarea
            id="playground-message"
            value={message}
            onChange={(e) => setMessage(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter" && !e.shiftKey) {
                e.preventDefault();
                void send();
              }
            }}
            rows={2}
            maxLength={PLAYGROUND_LIMITS.messageLength}
            placeholder="Type a message"
            className="min-h-0 flex-1"
          />
          <Button type="submit" disabled={busy || message.trim() === ""} aria-label="Send">
            <Send aria-hidden="true" />
          </Button>
        </form>
      </CardContent>
    </Card>
  );
}

function AnswerBlock({ turn }: { turn: Turn }) {
  const text = turn.answer ? turn.answer.response : turn.streamed;
  return (
    <div className="flex max-w-[85%] flex-col gap-1.5" data-testid="playground-answer">
      <p
        className={cn("whitespace-pre-wrap rounded-lg bg-muted px-3 py-2 text-sm", !text && "text-muted-foreground")}
        aria-busy={!turn.answer && !turn.error}
      >
        {text || (turn.error ? "No answer." : "…")}
      </p>
      {turn.answer && turn.answer.products.length > 0 && (
        <ProductCards messageId={turn.answer.messageId} cards={turn.answer.products} />
      )}
      {turn.error && <p className="text-xs text-destructive">{turn.error}</p>}
      {turn.answer && <AnswerFacts answer={turn.answer} firstTokenMs={turn.firstTokenMs} />}
    </div>
  );
}

function AnswerFacts({
  answer,
  firstTokenMs,
}: {
  answer: Omit<PlaygroundAnswer, "messageId">;
  firstTokenMs?: number | null;
}) {
  const { usage, config } = answer;
  return (
    <div className="flex flex-col gap-1 text-xs text-muted-foreground" data-testid="answer-facts">
      {answer.handoff && (
        <p className="text-destructive">
          Would hand over to a person ({answer.handoff.reason.replaceAll("_", " ")}): {answer.handoff.note}
        </p>
      )}
      <p>
        {config.model} · temperature {config.temperature} · {usage.promptTokens + usage.completionTokens} tokens (
        {usage.promptTokens} in, {usage.completionTokens} out) · search {usage.vectorSearchTime} ms · model{" "}
        {usage.llmResponseTime} ms{firstTokenMs != null ? ` · first words after ${firstTokenMs} ms` : ""}
      </p>
      {answer.sources.length > 0 && (
        <ul className="flex flex-wrap gap-1" aria-label="Sources">
          {answer.sources.map((source) => (
            <li key={source.chunkId}>
              <Badge variant="outline" title={source.content}>
                {source.metadata.title ?? source.chunkId} · {source.similarity.toFixed(2)}
              </Badge>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function CompareView({
  chatbotId,
  a,
  b,
  onA,
  onB,
}: {
  chatbotId: string;
  a: OverrideDraft;
  b: OverrideDraft;
  onA: (d: OverrideDraft) => void;
  onB: (d: OverrideDraft) => void;
}) {
  const [message, setMessage] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [results, setResults] = useState<PlaygroundCompareResult[] | null>(null);
  const compare = useComparePlayground(chatbotId);

  async function run() {
    const pa = toOverrides(a);
    const pb = toOverrides(b);
    if ("problem" in pa) return setError(`A: ${pa.problem}`);
    if ("problem" in pb) return setError(`B: ${pb.problem}`);
    setError(null);
    try {
      const response = await compare.mutateAsync({ message: message.trim(), configs: [pa.overrides, pb.overrides] });
      setResults(response.results);
    } catch (cause) {
      setError(errorMessage(cause));
    }
  }

  return (
    <div className="flex min-w-0 flex-col gap-4">
      <form
        className="flex flex-col gap-2 sm:flex-row sm:items-end"
        onSubmit={(event) => {
          event.preventDefault();
          void run();
        }}
      >
        <div className="flex flex-1 flex-col gap-1.5">
          <Label htmlFor="compare-message">Question</Label>
          <Input
            id="compare-message"
            value={message}
            onChange={(e) => setMessage(e.target.value)}
            maxLength={PLAYGROUND_LIMITS.messageLength}
            placeholder="Asked to both configurations"
          />
        </div>
        <Button type="submit" disabled={compare.isPending || message.trim() === ""}>
          {compare.isPending ? "Asking…" : "Compare"}
        </Button>
      </form>
      {error && (
        <Alert variant="destructive">
          <AlertDescription>{error}</AlertDescription>
        </Alert>
      )}
      <div className="grid min-w-0 gap-4 md:grid-cols-2">
        {[
          { label: "A", value: a, onChange: onA },
          { label: "B", value: b, onChange: onB },
        ].map((side, index) => (
          <Card key={side.label} className="min-w-0">
            <CardHeader>
              <CardTitle>Configuration {side.label}</CardTitle>
            </CardHeader>
            <CardContent className="flex flex-col gap-4">
              <OverridesForm
                chatbotId={chatbotId}
                value={side.value}
                onChange={side.onChange}
                idPrefix={`cmp-${side.label}`}
              />
              {results?.[index] && (
                <div className="flex flex-col gap-1.5" data-testid={`compare-result-${side.label}`}>
                  {results[index].answer ? (
                    <>
                      <p className="whitespace-pre-wrap rounded-lg bg-muted px-3 py-2 text-sm">
                        {results[index].answer.response || "(nothing would be sent)"}
                      </p>
                      {results[index].answer.products.length > 0 && (
                        <ProductCards messageId={`compare-${side.label}`} cards={results[index].answer.products} />
                      )}
                      <AnswerFacts answer={results[index].answer} />
                    </>
                  ) : (
                    <p className="text-sm text-destructive">{results[index].error?.message ?? "No answer."}</p>
                  )}
                </div>
              )}
            </CardContent>
          </Card>
        ))}
      </div>
    </div>
  );
}
