"use client";

import type { BotSettingsDto, UpdateBotSettingsInput } from "@tandem/contracts";
import { type FormEvent, useId, useState } from "react";
import type { NoticeValue } from "@/components/notice";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Switch } from "@/components/ui/switch";
import { Textarea } from "@/components/ui/textarea";
import { errorMessage, isApiError } from "@/lib/api";
import { useUnsavedChanges } from "@/lib/use-unsaved-changes";
import { FormField } from "./provider-form";
import { useSaveBotSettings } from "./queries";

/** One entry per line, blank lines dropped. */
const toLines = (text: string) =>
  text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);

interface BotForm {
  brandName: string;
  tone: string;
  doList: string;
  dontList: string;
  policySnippets: string;
  profanityFilter: boolean;
  maxConsecutiveBotReplies: string;
  confidenceThreshold: string;
  handoffOnRefusal: boolean;
  humanRequestPhrases: string;
  refusalPhrases: string;
  /** Off = the customer is told nothing (`""`); on with no text = the built-in message (null). */
  tellCustomer: boolean;
  handoffMessage: string;
  lastNMessages: string;
  summarizeAfter: string;
  maxPromptTokens: string;
}

function formOf(s: BotSettingsDto): BotForm {
  return {
    brandName: s.promptVariables.brandName,
    tone: s.promptVariables.tone,
    doList: s.promptVariables.doList.join("\n"),
    dontList: s.promptVariables.dontList.join("\n"),
    policySnippets: s.promptVariables.policySnippets.join("\n"),
    profanityFilter: s.guardrails.profanityFilter,
    maxConsecutiveBotReplies: String(s.guardrails.maxConsecutiveBotReplies),
    confidenceThreshold: String(s.guardrails.confidenceThreshold),
    handoffOnRefusal: s.guardrails.handoffOnRefusal,
    humanRequestPhrases: s.guardrails.humanRequestPhrases.join("\n"),
    refusalPhrases: s.guardrails.refusalPhrases.join("\n"),
    tellCustomer: s.guardrails.handoffMessage !== "",
    handoffMessage: s.guardrails.handoffMessage ?? "",
    lastNMessages: String(s.memory.lastNMessages),
    summarizeAfter: String(s.memory.summarizeAfter),
    maxPromptTokens: String(s.memory.maxPromptTokens),
  };
}

/**
 * What the prompt says about the brand (the `{brand_name}`, `{tone}`, `{do_list}`, `{dont_list}` and
 * `{policy_snippets}` variables), when the bot hands over to a person, and how much of the
 * conversation it remembers. Saved with its own button; the next reply uses it.
 */
export function BotBehaviourForm({
  settings,
  onNotice,
}: {
  settings: BotSettingsDto;
  onNotice: (notice: NoticeValue) => void;
}) {
  const [form, setForm] = useState(() => formOf(settings));
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const save = useSaveBotSettings();
  const profanityId = useId();
  const refusalId = useId();
  const tellId = useId();
  const change = (patch: Partial<BotForm>) => setForm((f) => ({ ...f, ...patch }));
  const dirty = JSON.stringify(form) !== JSON.stringify(formOf(settings));
  useUnsavedChanges(dirty);

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    setFieldErrors({});
    const input: UpdateBotSettingsInput = {
      promptVariables: {
        brandName: form.brandName.trim(),
        tone: form.tone.trim(),
        doList: toLines(form.doList),
        dontList: toLines(form.dontList),
        policySnippets: toLines(form.policySnippets),
      },
      guardrails: {
        profanityFilter: form.profanityFilter,
        // Language lists are edited through the API; what is stored is kept.
        profanityWords: settings.guardrails.profanityWords,
        maxConsecutiveBotReplies: Number(form.maxConsecutiveBotReplies),
        confidenceThreshold: Number(form.confidenceThreshold),
        handoffOnRefusal: form.handoffOnRefusal,
        refusalPhrases: toLines(form.refusalPhrases),
        humanRequestPhrases: toLines(form.humanRequestPhrases),
        handoffMessage: form.tellCustomer ? form.handoffMessage.trim() || null : "",
      },
      memory: {
        lastNMessages: Number(form.lastNMessages),
        summarizeAfter: Number(form.summarizeAfter),
        maxPromptTokens: Number(form.maxPromptTokens),
      },
    };
    save.mutate(input, {
      onSuccess: (saved) => {
        setForm(formOf(saved));
        onNotice({ kind: "success", message: "Bot behaviour saved. The next reply follows it." });
      },
      onError: (error) => {
        if (isApiError(error, 400) && Array.isArray(error.details)) {
          const details = error.details as { path: string; message: string }[];
          setFieldErrors(Object.fromEntries(details.map((d) => [d.path.split(".").at(-1) ?? d.path, d.message])));
        }
        onNotice({ kind: "error", message: errorMessage(error) });
      },
    });
  }

  const numberField = (
    key: "maxConsecutiveBotReplies" | "confidenceThreshold" | "lastNMessages" | "summarizeAfter" | "maxPromptTokens",
    label: string,
    hint: string,
    step = 1,
  ) => (
    <FormField id={`bot-${key}`} label={label} hint={hint} error={fieldErrors[key]}>
      <Input
        id={`bot-${key}`}
        type="number"
        step={step}
        value={form[key]}
        onChange={(event) => change({ [key]: event.target.value })}
        aria-invalid={fieldErrors[key] ? true : undefined}
      />
    </FormField>
  );

  return (
    <form onSubmit={onSubmit} className="flex flex-col gap-6" aria-label="Bot behaviour">
      <Card className="gap-4">
        <CardHeader>
          <CardTitle>Brand and tone</CardTitle>
          <CardDescription>
            What the prompt's variables say: <code>{"{brand_name}"}</code>, <code>{"{tone}"}</code>,{" "}
            <code>{"{do_list}"}</code>, <code>{"{dont_list}"}</code>, <code>{"{policy_snippets}"}</code>. One item per
            line.
          </CardDescription>
        </CardHeader>
        <CardContent className="grid gap-5 sm:grid-cols-2">
          <FormField id="bot-brandName" label="Brand name" error={fieldErrors.brandName}>
            <Input id="bot-brandName" value={form.brandName} onChange={(e) => change({ brandName: e.target.value })} />
          </FormField>
          <FormField id="bot-tone" label="Tone" hint="e.g. friendly and concise" error={fieldErrors.tone}>
            <Input id="bot-tone" value={form.tone} onChange={(e) => change({ tone: e.target.value })} />
          </FormField>
          <FormField id="bot-doList" label="Do" error={fieldErrors.doList}>
            <Textarea
              id="bot-doList"
              rows={4}
              value={form.doList}
              onChange={(e) => change({ doList: e.target.value })}
            />
          </FormField>
          <FormField id="bot-dontList" label="Don't" error={fieldErrors.dontList}>
            <Textarea
              id="bot-dontList"
              rows={4}
              value={form.dontList}
              onChange={(e) => change({ dontList: e.target.value })}
            />
          </FormField>
          <div className="sm:col-span-2">
            <FormField id="bot-policySnippets" label="Policies the bot may quote" error={fieldErrors.policySnippets}>
              <Textarea
                id="bot-policySnippets"
                rows={3}
                value={form.policySnippets}
                onChange={(e) => change({ policySnippets: e.target.value })}
              />
            </FormField>
          </div>
        </CardContent>
      </Card>

      <Card className="gap-4">
        <CardHeader>
          <CardTitle>Handing over to a person</CardTitle>
          <CardDescription>
            When the bot stops and the conversation waits for your team: auto-bot off, flagged "needs human" until
            someone replies or closes it, a note saying why, and a message telling the customer.
          </CardDescription>
        </CardHeader>
        <CardContent className="grid gap-5 sm:grid-cols-2">
          {numberField(
            "maxConsecutiveBotReplies",
            "Bot replies in a row",
            "Without a person in between; the next one hands over. A new session starts the count again.",
          )}
          {numberField(
            "confidenceThreshold",
            "Confidence threshold (offline bot)",
            "0–1: below this score the offline bot hands over instead of answering.",
            0.05,
          )}
          <FormField
            id="bot-humanRequestPhrases"
            label="More ways to ask for a person"
            hint="Added to the built-in ones (English, Thai, Spanish, French, German, Japanese)."
            error={fieldErrors.humanRequestPhrases}
          >
            <Textarea
              id="bot-humanRequestPhrases"
              rows={3}
              value={form.humanRequestPhrases}
              onChange={(e) => change({ humanRequestPhrases: e.target.value })}
            />
          </FormField>
          <FormField
            id="bot-refusalPhrases"
            label="More refusal phrases"
            hint="An answer containing one is withheld and handed over (with the switch below on)."
            error={fieldErrors.refusalPhrases}
          >
            <Textarea
              id="bot-refusalPhrases"
              rows={3}
              value={form.refusalPhrases}
              onChange={(e) => change({ refusalPhrases: e.target.value })}
            />
          </FormField>
          <div className="flex flex-col gap-3 sm:col-span-2">
            <div className="flex items-center gap-3">
              <Switch
                id={tellId}
                checked={form.tellCustomer}
                onCheckedChange={(checked) => change({ tellCustomer: checked })}
              />
              <Label htmlFor={tellId}>Tell the customer a person will reply</Label>
            </div>
            {form.tellCustomer && (
              <FormField
                id="bot-handoffMessage"
                label="Handoff message"
                hint="Sent by the bot when the conversation goes to a person. Empty: the built-in message, in the customer's language when it has one (shown greyed). Other languages: the chatbot's translations."
                error={fieldErrors.handoffMessage}
              >
                <Textarea
                  id="bot-handoffMessage"
                  rows={2}
                  maxLength={1000}
                  placeholder={settings.defaultHandoffMessage}
                  value={form.handoffMessage}
                  onChange={(e) => change({ handoffMessage: e.target.value })}
                />
              </FormField>
            )}
          </div>
          <div className="flex items-center gap-3">
            <Switch
              id={refusalId}
              checked={form.handoffOnRefusal}
              onCheckedChange={(checked) => change({ handoffOnRefusal: checked })}
            />
            <Label htmlFor={refusalId}>Hand over instead of sending a refusal or an unsure answer</Label>
          </div>
          <div className="flex items-center gap-3">
            <Switch
              id={profanityId}
              checked={form.profanityFilter}
              onCheckedChange={(checked) => change({ profanityFilter: checked })}
            />
            <Label htmlFor={profanityId}>Profanity filter (flag customers' messages, withhold the bot's)</Label>
          </div>
        </CardContent>
      </Card>

      <Card className="gap-4">
        <CardHeader>
          <CardTitle>Memory</CardTitle>
          <CardDescription>How much of the conversation the bot reads before it answers.</CardDescription>
        </CardHeader>
        <CardContent className="grid gap-5 sm:grid-cols-3">
          {numberField("lastNMessages", "Recent turns", "Sent to the model as the conversation.")}
          {numberField("summarizeAfter", "Summarize every", "Messages between updates of the rolling summary.")}
          {numberField("maxPromptTokens", "Prompt budget (tokens)", "The oldest turns go first when it is exceeded.")}
        </CardContent>
      </Card>

      <div className="flex justify-end">
        <Button type="submit" disabled={save.isPending}>
          {save.isPending ? "Saving…" : "Save bot behaviour"}
        </Button>
      </div>
    </form>
  );
}
