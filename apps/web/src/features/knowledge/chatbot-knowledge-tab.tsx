"use client";

import {
  type ChatbotDto,
  ChatbotDto as ChatbotSchema,
  KNOWLEDGE_SOURCE_TYPES,
  type KnowledgeSourceType,
  PROVIDER_LABELS,
  RETRIEVAL_DEFAULTS,
  UpdateChatbotInput,
} from "@tandem/contracts";
import { useQuery } from "@tanstack/react-query";
import { DatabaseZap, TriangleAlert } from "lucide-react";
import Link from "next/link";
import { useId, useState } from "react";
import { Notice, useNotice } from "@/components/notice";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { chatbotCrudKeys, fieldErrors, useCredentials, useUpdateChatbot } from "@/features/chatbots/crud-queries";
import { NativeSelect } from "@/features/chatbots/native-select";
import { api, errorMessage } from "@/lib/api";
import { TYPE_LABELS } from "./format";
import { useKnowledgeSources } from "./queries";
import {
  describeEmbeddingKey,
  EMBEDDING_PROVIDERS,
  type EmbeddingProvider,
  isReembedding,
  type RetrievalForm,
  toRetrievalForm,
  toRetrievalPatch,
} from "./retrieval-form";
import { RetrievalTest } from "./retrieval-test";
import { ProgressBar } from "./status";

/**
 * The chatbot page's Knowledge tab: which sources it searches (filters), how many passages and how
 * close a vector match must be, its embedding model and the state of its vectors, and retrieval
 * testing. While vectors are being computed the chatbot is refetched every few seconds.
 */
export function ChatbotKnowledgeTab({
  chatbot,
  canManage,
  canProviders,
}: {
  chatbot: ChatbotDto;
  canManage: boolean;
  canProviders: boolean;
}) {
  const embedding = chatbot.retrieval.embeddingStatus.state;
  // A second observer of the chatbot query that polls only while its vectors are being computed.
  const live = useQuery({
    queryKey: chatbotCrudKeys.one(chatbot.id),
    queryFn: ({ signal }) => api.get(`/api/v1/chatbots/${encodeURIComponent(chatbot.id)}`, ChatbotSchema, signal),
    refetchInterval: embedding === "pending" || embedding === "processing" ? 3000 : false,
  });
  const bot = live.data ?? chatbot;
  return (
    <div className="flex min-w-0 flex-col gap-6">
      {!bot.retrieval.vectorSearchAvailable && (
        <Alert data-testid="no-pgvector">
          <DatabaseZap aria-hidden="true" />
          <AlertTitle>This database has no pgvector: retrieval uses full-text search only</AlertTitle>
          <AlertDescription>
            Embedding settings are kept but not used until the database has the pgvector extension.
          </AlertDescription>
        </Alert>
      )}
      <KnowledgeSettingsForm chatbot={bot} canManage={canManage} canProviders={canProviders} />
      {canManage && <RetrievalTest chatbot={bot} />}
    </div>
  );
}

function KnowledgeSettingsForm({
  chatbot,
  canManage,
  canProviders,
}: {
  chatbot: ChatbotDto;
  canManage: boolean;
  canProviders: boolean;
}) {
  const [form, setForm] = useState<RetrievalForm>(() => toRetrievalForm(chatbot));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const update = useUpdateChatbot(chatbot.id);
  const sources = useKnowledgeSources({ chatbotId: chatbot.id });
  const credentials = useCredentials(canProviders);
  const { notice, show, clear } = useNotice();
  const id = useId();
  const sourceRows = sources.data?.pages.flatMap((p) => p.data) ?? [];
  const kindCredentials = (credentials.data?.data ?? []).filter((c) => c.kind === form.embeddingProvider);

  const set = (key: keyof RetrievalForm) => (event: { target: { value: string } }) => {
    setForm((f) => ({ ...f, [key]: event.target.value }));
    setErrors((e) => ({ ...e, [key]: "" }));
  };
  const toggle = (key: "sourceIds" | "types", value: string) =>
    setForm((f) => ({
      ...f,
      [key]: f[key].includes(value as never) ? f[key].filter((v) => v !== value) : [...f[key], value],
    }));

  function save() {
    const patch = toRetrievalPatch(form, chatbot);
    if ("problems" in patch) return setErrors(patch.problems);
    const parsed = UpdateChatbotInput.safeParse(patch.input);
    if (!parsed.success) {
      const next: Record<string, string> = {};
      for (const issue of parsed.error.issues) next[issue.path.map(String).join(".")] ??= issue.message;
      return setErrors(next);
    }
    setErrors({});
    update.mutate(parsed.data, {
      onSuccess: (saved) => {
        setForm(toRetrievalForm(saved));
        show({ kind: "success", message: "Saved. The next answer searches with these settings." });
      },
      onError: (cause) => {
        const fields = fieldErrors(cause);
        if (Object.keys(fields).length > 0) setErrors(fields);
        show({ kind: "error", message: errorMessage(cause) });
      },
    });
  }

  const err = (key: string) => {
    const message = errors[key] ?? errors[`retrieval.${key}`] ?? errors[`retrieval.embedding.${key}`];
    return message ? (
      <p id={`${id}-${key}-error`} className="text-xs text-destructive">
        {message}
      </p>
    ) : null;
  };
  const reembedding = isReembedding(chatbot.retrieval);

  return (
    <form
      className="flex flex-col gap-6"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        save();
      }}
    >
      <Notice notice={notice} onDismiss={clear} />
      <fieldset disabled={!canManage} className="flex min-w-0 flex-col gap-6">
        <Card>
          <CardHeader>
            <CardTitle>What it searches</CardTitle>
            <CardDescription>
              Its own sources and the shared ones. Leave a filter empty to use everything; a passage must match every
              filter that is set.
            </CardDescription>
          </CardHeader>
          <CardContent className="flex flex-col gap-5">
            <fieldset className="flex flex-col gap-2">
              <legend className="mb-1.5 text-sm font-medium">Sources</legend>
              {sources.isPending ? (
                <p className="text-sm text-muted-foreground">Loading…</p>
              ) : sourceRows.length === 0 ? (
                <p className="text-sm text-muted-foreground">
                  No knowledge yet.{" "}
                  <Link href="/knowledge" className="underline underline-offset-4">
                    Add sources
                  </Link>
                </p>
              ) : (
                <ul className="grid gap-1.5 sm:grid-cols-2" aria-label="Sources it searches">
                  {sourceRows.map((source) => (
                    <li key={source.id}>
                      <label className="flex items-start gap-2 text-sm">
                        <input
                          type="checkbox"
                          className="mt-0.5 accent-primary"
                          checked={form.sourceIds.includes(source.id)}
                          onChange={() => toggle("sourceIds", source.id)}
                        />
                        <span className="min-w-0 break-words">
                          {source.name}{" "}
                          <span className="text-muted-foreground">
                            ({TYPE_LABELS[source.type]}
                            {source.chatbotId ? ", only this chatbot" : ", shared"})
                          </span>
                        </span>
                      </label>
                    </li>
                  ))}
                </ul>
              )}
              <p className="text-xs text-muted-foreground">None ticked: every source it can use.</p>
            </fieldset>
            <fieldset className="flex flex-col gap-2">
              <legend className="mb-1.5 text-sm font-medium">Source types</legend>
              <div className="flex flex-wrap gap-x-4 gap-y-1.5">
                {KNOWLEDGE_SOURCE_TYPES.map((type) => (
                  <label key={type} className="flex items-center gap-2 text-sm">
                    <input
                      type="checkbox"
                      className="accent-primary"
                      checked={form.types.includes(type)}
                      onChange={() => toggle("types", type)}
                    />
                    {TYPE_LABELS[type as KnowledgeSourceType]}
                  </label>
                ))}
              </div>
            </fieldset>
            <div className="grid gap-4 sm:grid-cols-3">
              {(
                [
                  ["categories", "Categories", "shipping, returns"],
                  ["documentTypes", "Document types", "policy, manual"],
                  ["tags", "Tags", "2026, wholesale"],
                ] as const
              ).map(([key, label, placeholder]) => (
                <div key={key} className="flex flex-col gap-1.5">
                  <Label htmlFor={`${id}-${key}`}>{label}</Label>
                  <Input
                    id={`${id}-${key}`}
                    value={form[key]}
                    onChange={set(key)}
                    placeholder={placeholder}
                    aria-describedby={`${id}-comma-hint`}
                  />
                  {err(key)}
                </div>
              ))}
            </div>
            <p id={`${id}-comma-hint`} className="-mt-3 text-xs text-muted-foreground">
              Separate several with commas.
            </p>
            {err("knowledgeFilters")}
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Retrieval</CardTitle>
            <CardDescription>
              Full-text search always; vector search too when an embedding model is set. The two rankings are fused; the
              threshold applies to the vector similarity only.
            </CardDescription>
          </CardHeader>
          <CardContent className="grid gap-4 sm:grid-cols-2">
            <div className="flex flex-col gap-1.5">
              <Label htmlFor={`${id}-threshold`}>Similarity threshold</Label>
              <Input
                id={`${id}-threshold`}
                inputMode="decimal"
                value={form.similarityThreshold}
                onChange={set("similarityThreshold")}
                placeholder={String(RETRIEVAL_DEFAULTS.similarityThreshold)}
              />
              <p className="text-xs text-muted-foreground">0 to 1: vector matches below it are dropped.</p>
              {err("similarityThreshold")}
            </div>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor={`${id}-max-results`}>Passages per answer</Label>
              <Input
                id={`${id}-max-results`}
                inputMode="numeric"
                value={form.maxResults}
                onChange={set("maxResults")}
                placeholder={String(RETRIEVAL_DEFAULTS.maxResults)}
              />
              <p className="text-xs text-muted-foreground">1 to 20: put into the prompt and shown as sources.</p>
              {err("maxResults")}
            </div>
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Embedding model</CardTitle>
            <CardDescription>
              Computes the vectors of the passages and of each question. Changing it re-embeds in the background.
            </CardDescription>
          </CardHeader>
          <CardContent className="flex flex-col gap-4">
            <EmbeddingStatusLine chatbot={chatbot} reembedding={reembedding} />
            <div className="grid gap-4 sm:grid-cols-2">
              <div className="flex flex-col gap-1.5">
                <Label htmlFor={`${id}-embedding-provider`}>Provider</Label>
                <NativeSelect
                  id={`${id}-embedding-provider`}
                  value={form.embeddingProvider}
                  onChange={(e) =>
                    setForm((f) => ({
                      ...f,
                      embeddingProvider: e.target.value as EmbeddingProvider | "",
                      credentialId: "",
                    }))
                  }
                >
                  <option value="">None: full-text search only</option>
                  {EMBEDDING_PROVIDERS.map((kind) => (
                    <option key={kind} value={kind}>
                      {PROVIDER_LABELS[kind]}
                    </option>
                  ))}
                </NativeSelect>
                {err("provider")}
              </div>
              {form.embeddingProvider && (
                <>
                  <div className="flex flex-col gap-1.5">
                    <Label htmlFor={`${id}-embedding-credential`}>Credential</Label>
                    <NativeSelect
                      id={`${id}-embedding-credential`}
                      value={form.credentialId}
                      onChange={set("credentialId")}
                    >
                      <option value="">The workspace&apos;s {PROVIDER_LABELS[form.embeddingProvider]} key</option>
                      {kindCredentials.map((c) => (
                        <option key={c.id} value={c.id}>
                          {c.name}
                          {c.apiKeyHint ? ` (${c.apiKeyHint})` : ""}
                        </option>
                      ))}
                      {form.credentialId && !kindCredentials.some((c) => c.id === form.credentialId) && (
                        <option value={form.credentialId}>The credential chosen before</option>
                      )}
                    </NativeSelect>
                    {err("credentialId")}
                  </div>
                  <div className="flex flex-col gap-1.5">
                    <Label htmlFor={`${id}-embedding-model`}>Embedding model</Label>
                    <Input
                      id={`${id}-embedding-model`}
                      value={form.embeddingModel}
                      onChange={set("embeddingModel")}
                      placeholder={
                        form.embeddingProvider === "GEMINI" ? "text-embedding-004" : "text-embedding-3-small"
                      }
                    />
                    {err("model")}
                  </div>
                  <div className="flex flex-col gap-1.5">
                    <Label htmlFor={`${id}-embedding-dimensions`}>Dimensions (optional)</Label>
                    <Input
                      id={`${id}-embedding-dimensions`}
                      inputMode="numeric"
                      value={form.dimensions}
                      onChange={set("dimensions")}
                      placeholder="The model's own"
                    />
                    {err("dimensions")}
                  </div>
                </>
              )}
            </div>
          </CardContent>
        </Card>
      </fieldset>
      {canManage && (
        <Button type="submit" className="self-end" disabled={update.isPending}>
          {update.isPending ? "Saving…" : "Save knowledge settings"}
        </Button>
      )}
    </form>
  );
}

function EmbeddingStatusLine({ chatbot, reembedding }: { chatbot: ChatbotDto; reembedding: boolean }) {
  const { embeddingStatus: status, activeEmbedding: active, embedding } = chatbot.retrieval;
  if (status.state === "off") {
    return (
      <p className="text-sm text-muted-foreground" data-testid="embedding-status">
        No embedding model: answers come from full-text search.
      </p>
    );
  }
  const counts = `${status.embedded.toLocaleString("en")} of ${status.total.toLocaleString("en")} passages embedded`;
  return (
    <div className="flex flex-col gap-2" data-testid="embedding-status">
      <p className="text-sm">
        {status.state === "ready" &&
          `Ready with ${embedding?.model ?? describeEmbeddingKey(active?.model ?? "")}: ${counts}.`}
        {(status.state === "pending" || status.state === "processing") &&
          (reembedding
            ? `Re-embedding with ${embedding?.model}… the old vectors (${describeEmbeddingKey(active?.model ?? "")}) serve until done. ${counts}.`
            : `Embedding with ${embedding?.model}… ${counts}.`)}
        {status.state === "failed" && `Embedding with ${embedding?.model} failed. ${counts}.`}
      </p>
      {(status.state === "pending" || status.state === "processing") && status.total > 0 && (
        <ProgressBar value={(status.embedded / status.total) * 100} label="Embedding progress" className="max-w-md" />
      )}
      {status.error && (
        <p className="flex items-start gap-1.5 text-sm text-destructive">
          <TriangleAlert className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
          {status.error}
        </p>
      )}
    </div>
  );
}
