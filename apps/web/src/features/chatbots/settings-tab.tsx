"use client";

import {
  CHATBOT_LIMITS,
  CHATBOT_STATUSES,
  type ChatbotDto,
  type ChatbotStatus,
  PROVIDER_KINDS,
  PROVIDER_LABELS,
  type ProviderKind,
  UpdateChatbotInput,
} from "@tandem/contracts";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Notice, useNotice } from "@/components/notice";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import { errorMessage } from "@/lib/api";
import { fieldErrors, useCredentials, useDeleteChatbot, useUpdateChatbot } from "./crud-queries";
import { NativeSelect } from "./native-select";
import { TranslationsCard } from "./translations-card";

export const STATUS_LABELS: Record<ChatbotStatus, string> = {
  active: "Active",
  testing: "Testing",
  inactive: "Inactive",
};

export const STATUS_HELP: Record<ChatbotStatus, string> = {
  active: "answers customers",
  testing: "answers only in the playground and the widget preview",
  inactive: "answers nobody; people reply",
};

const FIELD_LABELS: Record<string, string> = {
  name: "Name",
  description: "Description",
  status: "Status",
  provider: "Provider",
  credentialId: "Credential",
  model: "Model",
  temperature: "Temperature",
  maxTokens: "Max tokens",
  timeoutMs: "Response timeout",
  language: "Language",
  welcomeMessage: "Welcome message",
  suggestedQuestions: "Suggested questions",
};

interface Form {
  name: string;
  description: string;
  status: ChatbotStatus;
  provider: ProviderKind;
  credentialId: string;
  model: string;
  temperature: string;
  maxTokens: string;
  timeoutSeconds: string;
  language: string;
  welcomeMessage: string;
  suggestedQuestions: string;
}

function toForm(chatbot: ChatbotDto): Form {
  return {
    name: chatbot.name,
    description: chatbot.description ?? "",
    status: chatbot.status,
    provider: chatbot.provider,
    credentialId: chatbot.credential?.id ?? "",
    model: chatbot.model ?? "",
    temperature: String(chatbot.temperature),
    maxTokens: String(chatbot.maxTokens),
    timeoutSeconds: String(chatbot.timeoutMs / 1000),
    language: chatbot.language,
    welcomeMessage: chatbot.welcomeMessage ?? "",
    suggestedQuestions: chatbot.suggestedQuestions.join("\n"),
  };
}

/** A blank number field stays a string, so zod names it ("must be a number") instead of reading 0. */
const num = (value: string): number | string => (value.trim() === "" ? value : Number(value));

function toInput(form: Form) {
  return {
    name: form.name,
    description: form.description.trim() || null,
    status: form.status,
    provider: form.provider,
    credentialId: form.credentialId || null,
    ...(form.model.trim() ? { model: form.model } : {}),
    temperature: num(form.temperature),
    maxTokens: num(form.maxTokens),
    timeoutMs: typeof num(form.timeoutSeconds) === "number" ? Math.round(Number(form.timeoutSeconds) * 1000) : "",
    language: form.language,
    welcomeMessage: form.welcomeMessage.trim() || null,
    suggestedQuestions: form.suggestedQuestions
      .split("\n")
      .map((q) => q.trim())
      .filter(Boolean),
  };
}

export function SettingsTab({ chatbot, canManage }: { chatbot: ChatbotDto; canManage: boolean }) {
  const [form, setForm] = useState<Form>(() => toForm(chatbot));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const update = useUpdateChatbot(chatbot.id);
  const credentials = useCredentials(canManage);
  const { notice, show, clear } = useNotice();
  const kindCredentials = (credentials.data?.data ?? []).filter((c) => c.kind === form.provider);

  const set =
    <K extends keyof Form>(field: K) =>
    (event: { target: { value: string } }) =>
      setForm((current) => ({ ...current, [field]: event.target.value as Form[K] }));

  async function save() {
    setError(null);
    const parsed = UpdateChatbotInput.safeParse(toInput(form));
    if (!parsed.success) {
      const next: Record<string, string> = {};
      for (const issue of parsed.error.issues) {
        const field = String(issue.path[0] ?? "");
        if (field && !next[field]) next[field] = issue.message;
      }
      setErrors(next);
      return;
    }
    setErrors({});
    try {
      const saved = await update.mutateAsync(parsed.data);
      setForm(toForm(saved));
      show({ kind: "success", message: "Saved. The next reply uses these settings." });
    } catch (cause) {
      const fields = fieldErrors(cause);
      setErrors(fields);
      if (Object.keys(fields).length === 0) setError(errorMessage(cause));
    }
  }

  const errorFor = (field: string) =>
    errors[field] ? (
      <p id={`${field}-error`} className="text-xs text-destructive">
        {field === "timeoutMs"
          ? `Response timeout must be between ${CHATBOT_LIMITS.timeoutMs.min / 1000} and ${CHATBOT_LIMITS.timeoutMs.max / 1000} seconds`
          : `${FIELD_LABELS[field] ?? field} ${errors[field]}`}
      </p>
    ) : null;
  const aria = (field: string) => ({
    "aria-invalid": Boolean(errors[field]),
    "aria-describedby": errors[field] ? `${field}-error` : undefined,
  });

  return (
    <div className="flex flex-col gap-6">
      <form
        className="flex flex-col gap-4"
        onSubmit={(event) => {
          event.preventDefault();
          void save();
        }}
      >
        <Notice notice={notice} onDismiss={clear} />
        <fieldset disabled={!canManage} className="flex flex-col gap-4">
          <Card>
            <CardHeader>
              <CardTitle>General</CardTitle>
            </CardHeader>
            <CardContent className="grid gap-4 sm:grid-cols-2">
              <div className="flex flex-col gap-1.5">
                <Label htmlFor="name">Name</Label>
                <Input
                  id="name"
                  value={form.name}
                  onChange={set("name")}
                  maxLength={CHATBOT_LIMITS.name}
                  {...aria("name")}
                />
                {errorFor("name")}
              </div>
              <div className="flex flex-col gap-1.5">
                <Label htmlFor="status">Status</Label>
                <NativeSelect id="status" value={form.status} onChange={set("status")} {...aria("status")}>
                  {CHATBOT_STATUSES.map((s) => (
                    <option key={s} value={s}>
                      {STATUS_LABELS[s]}: {STATUS_HELP[s]}
                    </option>
                  ))}
                </NativeSelect>
                {errorFor("status")}
              </div>
              <div className="flex flex-col gap-1.5 sm:col-span-2">
                <Label htmlFor="description">Description</Label>
                <Textarea
                  id="description"
                  value={form.description}
                  onChange={set("description")}
                  rows={2}
                  maxLength={CHATBOT_LIMITS.description}
                  {...aria("description")}
                />
                {errorFor("description")}
              </div>
              <div className="flex flex-col gap-1.5">
                <Label htmlFor="language">Language</Label>
                <Input
                  id="language"
                  value={form.language}
                  onChange={set("language")}
                  placeholder="en"
                  {...aria("language")}
                />
                {errorFor("language")}
              </div>
            </CardContent>
          </Card>
          <Card>
            <CardHeader>
              <CardTitle>Model</CardTitle>
              <CardDescription>Which provider answers, and how. Changes apply to the next reply.</CardDescription>
            </CardHeader>
            <CardContent className="grid gap-4 sm:grid-cols-2">
              <div className="flex flex-col gap-1.5">
                <Label htmlFor="provider">Provider</Label>
                <NativeSelect
                  id="provider"
                  value={form.provider}
                  onChange={(e) =>
                    setForm((f) => ({ ...f, provider: e.target.value as ProviderKind, credentialId: "" }))
                  }
                  {...aria("provider")}
                >
                  {PROVIDER_KINDS.map((k) => (
                    <option key={k} value={k}>
                      {PROVIDER_LABELS[k]}
                    </option>
                  ))}
                </NativeSelect>
                {errorFor("provider")}
              </div>
              <div className="flex flex-col gap-1.5">
                <Label htmlFor="credentialId">Credential</Label>
                <NativeSelect
                  id="credentialId"
                  value={form.credentialId}
                  onChange={set("credentialId")}
                  disabled={form.provider === "OFFLINE"}
                  {...aria("credentialId")}
                >
                  <option value="">
                    {form.provider === "OFFLINE" ? "None needed" : "The workspace's (Settings → AI provider)"}
                  </option>
                  {kindCredentials.map((c) => (
                    <option key={c.id} value={c.id}>
                      {c.name}
                      {c.apiKeyHint ? ` (${c.apiKeyHint})` : ""}
                    </option>
                  ))}
                  {chatbot.credential && !kindCredentials.some((c) => c.id === chatbot.credential?.id) && (
                    <option value={chatbot.credential.id}>{chatbot.credential.name}</option>
                  )}
                </NativeSelect>
                {errorFor("credentialId")}
              </div>
              <div className="flex flex-col gap-1.5">
                <Label htmlFor="model">Model</Label>
                <Input id="model" value={form.model} onChange={set("model")} {...aria("model")} />
                {errorFor("model")}
              </div>
              <div className="flex flex-col gap-1.5">
                <Label htmlFor="temperature">Temperature</Label>
                <Input
                  id="temperature"
                  value={form.temperature}
                  onChange={set("temperature")}
                  inputMode="decimal"
                  {...aria("temperature")}
                />
                {errorFor("temperature")}
              </div>
              <div className="flex flex-col gap-1.5">
                <Label htmlFor="maxTokens">Max tokens</Label>
                <Input
                  id="maxTokens"
                  value={form.maxTokens}
                  onChange={set("maxTokens")}
                  inputMode="numeric"
                  {...aria("maxTokens")}
                />
                {errorFor("maxTokens")}
              </div>
              <div className="flex flex-col gap-1.5">
                <Label htmlFor="timeoutMs">Response timeout (seconds)</Label>
                <Input
                  id="timeoutMs"
                  value={form.timeoutSeconds}
                  onChange={set("timeoutSeconds")}
                  inputMode="decimal"
                  {...aria("timeoutMs")}
                />
                {errorFor("timeoutMs")}
              </div>
            </CardContent>
          </Card>
          <Card>
            <CardHeader>
              <CardTitle>Widget</CardTitle>
            </CardHeader>
            <CardContent className="grid gap-4">
              <div className="flex flex-col gap-1.5">
                <Label htmlFor="welcomeMessage">Welcome message</Label>
                <Textarea
                  id="welcomeMessage"
                  value={form.welcomeMessage}
                  onChange={set("welcomeMessage")}
                  rows={2}
                  maxLength={CHATBOT_LIMITS.welcomeMessage}
                  {...aria("welcomeMessage")}
                />
                {errorFor("welcomeMessage")}
              </div>
              <div className="flex flex-col gap-1.5">
                <Label htmlFor="suggestedQuestions">Suggested questions (one per line)</Label>
                <Textarea
                  id="suggestedQuestions"
                  value={form.suggestedQuestions}
                  onChange={set("suggestedQuestions")}
                  rows={3}
                  {...aria("suggestedQuestions")}
                />
                {errorFor("suggestedQuestions")}
              </div>
            </CardContent>
          </Card>
        </fieldset>
        {error && (
          <Alert variant="destructive">
            <AlertDescription>{error}</AlertDescription>
          </Alert>
        )}
        {canManage && (
          <div>
            <Button type="submit" disabled={update.isPending}>
              {update.isPending ? "Saving…" : "Save settings"}
            </Button>
          </div>
        )}
      </form>
      <TranslationsCard chatbot={chatbot} canManage={canManage} />
      {canManage && <DeleteChatbotCard chatbot={chatbot} />}
    </div>
  );
}

/**
 * Deleting keeps the chatbot's conversations and history (soft delete). The server refuses while a
 * channel still names the chatbot, or for the workspace's default one, and says which and why.
 */
function DeleteChatbotCard({ chatbot }: { chatbot: ChatbotDto }) {
  const router = useRouter();
  const remove = useDeleteChatbot(chatbot.id);
  const [confirming, setConfirming] = useState(false);
  return (
    <Card className="border-destructive/40">
      <CardHeader>
        <CardTitle>Delete this chatbot</CardTitle>
        <CardDescription>
          Its conversations and prompt history stay; its API key stops working. A chatbot that still answers a channel,
          or the workspace's default one, cannot be deleted.
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-3">
        {confirming ? (
          <div className="flex flex-wrap items-center gap-2">
            <span className="text-sm">Delete “{chatbot.name}”?</span>
            <Button
              variant="destructive"
              disabled={remove.isPending}
              onClick={() => remove.mutate(undefined, { onSuccess: () => router.push("/chatbots") })}
            >
              {remove.isPending ? "Deleting…" : "Delete chatbot"}
            </Button>
            <Button variant="ghost" onClick={() => setConfirming(false)}>
              Keep it
            </Button>
          </div>
        ) : (
          <div>
            <Button variant="outline" onClick={() => setConfirming(true)}>
              Delete…
            </Button>
          </div>
        )}
        {remove.isError && (
          <Alert variant="destructive">
            <AlertDescription>{errorMessage(remove.error)}</AlertDescription>
          </Alert>
        )}
      </CardContent>
    </Card>
  );
}
