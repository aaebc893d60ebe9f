"use client";

import {
  PROVIDER_KINDS,
  PROVIDER_LABELS,
  PROVIDER_LIMITS,
  type ProviderKind,
  type ProviderSettingsDto,
  providerRequiresApiKey,
  providerRequiresBaseUrl,
} from "@tandem/contracts";
import { Info, PlugZap } from "lucide-react";
import { type FormEvent, type ReactNode, useMemo, useState } from "react";
import type { NoticeValue } from "@/components/notice";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { errorMessage } from "@/lib/api";
import { formatRelative } from "@/lib/format";
import { useUnsavedChanges } from "@/lib/use-unsaved-changes";
import { cn } from "@/lib/utils";
import {
  credentialOf,
  type Field,
  type FieldErrors,
  formFromSettings,
  type ProviderForm,
  serverFieldErrors,
  switchProvider,
  toInput,
  toTestInput,
  validateForm,
} from "./form-state";
import { ModelField } from "./model-field";
import { isSimulatorUrl, PROVIDER_INFO } from "./provider-kinds";
import { useSaveProviderSettings, useTestProvider } from "./queries";
import { TestVerdict } from "./test-verdict";

/** Fields whose change makes the last "Test connection" verdict stale. */
const CONNECTION_FIELDS: readonly Field[] = ["provider", "apiKey", "baseUrl", "model"];

export function ProviderSettingsForm({
  settings,
  notice,
  onNotice,
}: {
  settings: ProviderSettingsDto;
  notice: ReactNode;
  /** A notice to show, or null to clear the one shown (it belongs to another provider's settings). */
  onNotice: (notice: NoticeValue | null) => void;
}) {
  const [form, setForm] = useState<ProviderForm>(() => formFromSettings(settings));
  const [errors, setErrors] = useState<FieldErrors>({});
  const save = useSaveProviderSettings();
  const test = useTestProvider();
  const savedInput = useMemo(() => JSON.stringify(toInput(formFromSettings(settings))), [settings]);
  const dirty = JSON.stringify(toInput(form)) !== savedInput;
  useUnsavedChanges(dirty);

  const kind = form.provider;
  const info = PROVIDER_INFO[kind];
  const credential = credentialOf(settings, kind);

  function change(patch: Partial<ProviderForm>) {
    const fields = Object.keys(patch) as Field[];
    setForm((current) => ({ ...current, ...patch }));
    setErrors((current) => {
      const next = { ...current };
      for (const field of fields) delete next[field];
      return next;
    });
    if (fields.some((field) => CONNECTION_FIELDS.includes(field))) test.reset();
  }

  function chooseProvider(next: ProviderKind) {
    setForm((current) => switchProvider(current, next, settings));
    setErrors({});
    test.reset();
    save.reset();
    // An error about the previous provider's fields no longer applies.
    onNotice(null);
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const checked = validateForm(form);
    if ("errors" in checked) {
      setErrors(checked.errors);
      onNotice({ kind: "error", message: "Some settings need fixing: see the highlighted fields." });
      return;
    }
    setErrors({});
    save.mutate(checked.input, {
      onSuccess: (saved) => {
        setForm(formFromSettings(saved));
        onNotice({
          kind: "success",
          message: `Saved. The next reply is written by ${PROVIDER_LABELS[saved.provider]} (${saved.model}).`,
        });
      },
      onError: (error) => {
        setErrors(serverFieldErrors(error));
        onNotice({ kind: "error", message: errorMessage(error) });
      },
    });
  }

  const describedBy = (field: Field, hint = true) =>
    [errors[field] ? `provider-${field}-error` : null, hint ? `provider-${field}-hint` : null]
      .filter(Boolean)
      .join(" ") || undefined;

  return (
    <form onSubmit={onSubmit} noValidate className="flex flex-col gap-6" aria-label="AI provider settings">
      <Card className="gap-4">
        <CardHeader>
          <CardTitle>Provider</CardTitle>
          <CardDescription>
            Keys are kept per provider, encrypted: switching back to a provider finds its key again.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <fieldset>
            <legend className="sr-only">Provider</legend>
            <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
              {PROVIDER_KINDS.map((option) => (
                <ProviderOption
                  key={option}
                  kind={option}
                  checked={kind === option}
                  active={settings.provider === option}
                  settings={settings}
                  onChoose={chooseProvider}
                />
              ))}
            </div>
          </fieldset>
        </CardContent>
      </Card>

      <Card className="gap-4">
        <CardHeader>
          <CardTitle>Connection</CardTitle>
          <CardDescription>
            {kind === "OFFLINE"
              ? "Nothing to connect: the offline provider runs inside Tandem."
              : kind === "OPENAI_COMPATIBLE"
                ? "How Tandem reaches your server."
                : `How Tandem reaches ${PROVIDER_LABELS[kind]}.`}
          </CardDescription>
        </CardHeader>
        <CardContent className="flex flex-col gap-5">
          {kind === "OFFLINE" ? (
            <Alert variant="info">
              <Info aria-hidden="true" />
              <AlertDescription className="text-foreground">
                The offline provider needs no key and no network. It answers questions that match the chatbot's FAQ and
                hands every other conversation to a person.
              </AlertDescription>
            </Alert>
          ) : (
            <>
              <FormField
                id="provider-apiKey"
                label={providerRequiresApiKey(kind) ? "API key" : "API key (optional)"}
                error={errors.apiKey}
                hint={
                  credential?.hasApiKey
                    ? form.clearKey
                      ? "The stored key will be removed when you save."
                      : `A key ending in ${credential.apiKeyHint?.replace(/•/g, "")} is stored, encrypted. Leave this empty to keep it; type a new key to replace it. It is only sent to the base URL it was saved with: changing the base URL needs the key again.`
                    : "Stored encrypted. Afterwards only its last 4 characters are shown."
                }
              >
                <div className="flex gap-2">
                  <Input
                    id="provider-apiKey"
                    type="password"
                    autoComplete="off"
                    spellCheck={false}
                    maxLength={PROVIDER_LIMITS.apiKeyLength}
                    value={form.apiKey}
                    disabled={form.clearKey}
                    onChange={(event) => change({ apiKey: event.target.value })}
                    placeholder={
                      credential?.hasApiKey && !form.clearKey
                        ? `${credential.apiKeyHint} (stored)`
                        : info.keyPlaceholder
                    }
                    aria-invalid={errors.apiKey ? true : undefined}
                    aria-describedby={describedBy("apiKey")}
                    className="font-mono"
                  />
                  {credential?.hasApiKey && !providerRequiresApiKey(kind) && (
                    <Button
                      type="button"
                      variant="outline"
                      className="shrink-0"
                      aria-pressed={form.clearKey}
                      onClick={() => change({ clearKey: !form.clearKey, apiKey: "" })}
                    >
                      {form.clearKey ? "Keep stored key" : "Remove stored key"}
                    </Button>
                  )}
                </div>
              </FormField>
              <FormField
                id="provider-baseUrl"
                label={providerRequiresBaseUrl(kind) ? "Base URL" : "Base URL (optional)"}
                error={errors.baseUrl}
                hint={baseUrlHint(kind, settings)}
              >
                <Input
                  id="provider-baseUrl"
                  type="url"
                  inputMode="url"
                  autoComplete="off"
                  spellCheck={false}
                  maxLength={PROVIDER_LIMITS.baseUrlLength}
                  value={form.baseUrl}
                  onChange={(event) => change({ baseUrl: event.target.value })}
                  placeholder={settings.defaultBaseUrls[kind] ?? info.publicBaseUrl ?? "http://localhost:11434/v1"}
                  aria-invalid={errors.baseUrl ? true : undefined}
                  aria-describedby={describedBy("baseUrl")}
                  className="font-mono"
                />
              </FormField>
              <div className="flex flex-col gap-3">
                <div className="flex flex-wrap items-center gap-3">
                  <Button
                    type="button"
                    variant="outline"
                    onClick={() => test.mutate(toTestInput(form))}
                    disabled={test.isPending || !form.model.trim()}
                  >
                    <PlugZap aria-hidden="true" />
                    {test.isPending ? "Testing…" : "Test connection"}
                  </Button>
                  <p className="text-xs text-muted-foreground">
                    Sends one short message to {form.model.trim() || "the model"} with the key and URL above.
                    {credential?.lastTest && !test.data && (
                      <>
                        {" "}
                        Last test of the stored settings {credential.lastTest.ok ? "passed" : "failed"}{" "}
                        {formatRelative(credential.lastTest.at)}.
                      </>
                    )}
                  </p>
                </div>
                <div aria-live="polite" aria-atomic="true">
                  {test.data && <TestVerdict verdict={test.data} />}
                  {test.error && (
                    <Alert variant="destructive">
                      <AlertDescription>{errorMessage(test.error)}</AlertDescription>
                    </Alert>
                  )}
                </div>
              </div>
            </>
          )}
        </CardContent>
      </Card>

      <Card className="gap-4">
        <CardHeader>
          <CardTitle>Model</CardTitle>
          <CardDescription>Pick a suggestion or type any model name the provider offers.</CardDescription>
        </CardHeader>
        <CardContent className="flex flex-col gap-5">
          <FormField
            id="provider-model"
            label="Model"
            error={errors.model}
            hint={kind === "OFFLINE" ? "The offline provider has one model." : undefined}
          >
            <ModelField
              id="provider-model"
              value={form.model}
              suggestions={settings.suggestedModels[kind] ?? []}
              invalid={Boolean(errors.model)}
              describedBy={describedBy("model", kind === "OFFLINE")}
              onChange={(model) => change({ model })}
            />
          </FormField>
          <div className="grid gap-5 sm:grid-cols-2">
            <FormField
              id="provider-temperature"
              label="Temperature"
              error={errors.temperature}
              hint="0 keeps answers focused and repeatable; 2 is the most varied. 0.2–0.5 suits support."
            >
              <Input
                id="provider-temperature"
                type="number"
                inputMode="decimal"
                min={PROVIDER_LIMITS.temperature.min}
                max={PROVIDER_LIMITS.temperature.max}
                step={0.1}
                value={form.temperature}
                onChange={(event) => change({ temperature: event.target.value })}
                aria-invalid={errors.temperature ? true : undefined}
                aria-describedby={describedBy("temperature")}
              />
            </FormField>
            <FormField
              id="provider-maxTokens"
              label="Max tokens"
              error={errors.maxTokens}
              hint="The longest reply, in tokens (a token is about ¾ of an English word)."
            >
              <Input
                id="provider-maxTokens"
                type="number"
                inputMode="numeric"
                min={PROVIDER_LIMITS.maxTokens.min}
                max={PROVIDER_LIMITS.maxTokens.max}
                step={1}
                value={form.maxTokens}
                onChange={(event) => change({ maxTokens: event.target.value })}
                aria-invalid={errors.maxTokens ? true : undefined}
                aria-describedby={describedBy("maxTokens")}
              />
            </FormField>
          </div>
        </CardContent>
      </Card>

      <Card className="gap-4">
        <CardHeader>
          <CardTitle>System prompt</CardTitle>
          <CardDescription>
            The instructions the model gets before every conversation. Leave it empty to use the default template (shown
            greyed out below).
          </CardDescription>
        </CardHeader>
        <CardContent className="flex flex-col gap-3">
          <FormField
            id="provider-systemPrompt"
            label="System prompt"
            error={errors.systemPrompt}
            hint={`Variables filled in at reply time: ${settings.promptVariables.map((v) => `{${v}}`).join(" ")}`}
          >
            <textarea
              id="provider-systemPrompt"
              rows={14}
              maxLength={PROVIDER_LIMITS.systemPromptLength}
              value={form.systemPrompt}
              onChange={(event) => change({ systemPrompt: event.target.value })}
              placeholder={settings.defaultSystemPrompt}
              spellCheck
              aria-invalid={errors.systemPrompt ? true : undefined}
              aria-describedby={describedBy("systemPrompt")}
              className={cn(
                "w-full min-w-0 resize-y rounded-md border border-input bg-transparent px-3 py-2 font-mono text-sm leading-relaxed shadow-xs outline-none transition-[color,box-shadow] placeholder:text-muted-foreground/70",
                "focus-visible:border-ring focus-visible:ring-[3px] focus-visible:ring-ring/50",
                "aria-invalid:border-destructive aria-invalid:ring-destructive/20",
              )}
            />
          </FormField>
          <div className="flex flex-wrap gap-2">
            {form.systemPrompt.trim() === "" ? (
              <Button
                type="button"
                variant="outline"
                size="sm"
                onClick={() => change({ systemPrompt: settings.defaultSystemPrompt })}
              >
                Edit the default template
              </Button>
            ) : (
              <Button type="button" variant="ghost" size="sm" onClick={() => change({ systemPrompt: "" })}>
                Use the default template
              </Button>
            )}
          </div>
        </CardContent>
      </Card>

      <div className="sticky bottom-0 z-10 -mx-1 flex flex-col gap-3 border-t bg-background/95 px-1 py-4 backdrop-blur supports-[backdrop-filter]:bg-background/80">
        {notice}
        <div className="flex flex-wrap items-center justify-end gap-3">
          {dirty && <p className="mr-auto text-sm text-muted-foreground">You have unsaved changes.</p>}
          <Button
            type="button"
            variant="outline"
            disabled={!dirty || save.isPending}
            onClick={() => {
              setForm(formFromSettings(settings));
              setErrors({});
              test.reset();
              onNotice(null);
            }}
          >
            Discard changes
          </Button>
          <Button type="submit" disabled={save.isPending}>
            {save.isPending ? "Saving…" : "Save"}
          </Button>
        </div>
      </div>
    </form>
  );
}

function baseUrlHint(kind: ProviderKind, settings: ProviderSettingsDto): string {
  if (kind === "OPENAI_COMPATIBLE") {
    return "The server's OpenAI-compatible endpoint, usually ending in /v1 — e.g. http://localhost:11434/v1 for Ollama or https://inference.do-ai.run/v1 for DigitalOcean GenAI.";
  }
  const fallback = settings.defaultBaseUrls[kind];
  return fallback
    ? `Leave empty to use the server's default, ${fallback}. Set it to go through a proxy or gateway.`
    : `Leave empty for ${PROVIDER_LABELS[kind]}'s own API. Set it to go through a proxy or gateway.`;
}

function ProviderOption({
  kind,
  checked,
  active,
  settings,
  onChoose,
}: {
  kind: ProviderKind;
  checked: boolean;
  /** The provider currently saved (answering replies). */
  active: boolean;
  settings: ProviderSettingsDto;
  onChoose: (kind: ProviderKind) => void;
}) {
  const credential = credentialOf(settings, kind);
  const simulated = isSimulatorUrl(credential?.baseUrl);
  const id = `provider-option-${kind}`;
  return (
    <label
      htmlFor={id}
      className={cn(
        "relative flex cursor-pointer flex-col gap-1.5 rounded-lg border p-3 text-sm transition-colors",
        "has-[:focus-visible]:ring-[3px] has-[:focus-visible]:ring-ring/50 hover:bg-accent/50",
        checked && "border-primary bg-primary/5",
      )}
    >
      <span className="flex items-center gap-2">
        <input
          id={id}
          type="radio"
          name="provider"
          value={kind}
          checked={checked}
          onChange={() => onChoose(kind)}
          aria-describedby={`${id}-description`}
          className="size-4 accent-primary outline-none"
        />
        <span className="font-medium">{PROVIDER_LABELS[kind]}</span>
        <span className="ml-auto flex gap-1">
          {active && <Badge variant="accent">In use</Badge>}
          {credential?.hasApiKey && <Badge variant="outline">Key stored</Badge>}
        </span>
      </span>
      <span id={`${id}-description`} className="text-xs text-muted-foreground">
        {PROVIDER_INFO[kind].description}
        {simulated && " In this demo it points at Tandem's built-in simulated LLM: try it, no key needed."}
      </span>
    </label>
  );
}

export function FormField({
  id,
  label,
  error,
  hint,
  children,
}: {
  id: string;
  label: string;
  error?: string | undefined;
  hint?: string | undefined;
  children: ReactNode;
}) {
  return (
    <div className="flex flex-col gap-2">
      <Label htmlFor={id}>{label}</Label>
      {children}
      {error && (
        <p id={`${id}-error`} className="text-xs text-destructive">
          {error}
        </p>
      )}
      {hint && (
        <p id={`${id}-hint`} className="text-xs text-muted-foreground">
          {hint}
        </p>
      )}
    </div>
  );
}
