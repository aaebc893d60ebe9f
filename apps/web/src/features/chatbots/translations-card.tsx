"use client";

import {
  type ChatbotDto,
  ChatbotTranslationDto,
  type PutChatbotTranslationInput,
  type ChatbotTranslationDto as Translation,
} from "@tandem/contracts";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import { api, errorMessage } from "@/lib/api";
import { chatbotCrudKeys } from "./crud-queries";

const url = (chatbotId: string, language: string) =>
  `/api/v1/chatbots/${encodeURIComponent(chatbotId)}/translations/${encodeURIComponent(language)}`;

/**
 * Per-language overrides (`chatbot_translation`): for customers whose locale is that language, the
 * welcome message, the system prompt and the handoff message replace the chatbot's own. An empty
 * field keeps the chatbot's text. (Turning the handoff message off for one language, `""`, is an API
 * call: `PUT …/translations/{lang} {handoffMessage: ""}`.)
 */
export function TranslationsCard({ chatbot, canManage }: { chatbot: ChatbotDto; canManage: boolean }) {
  const [editing, setEditing] = useState<Translation | "new" | null>(null);
  return (
    <Card>
      <CardHeader>
        <CardTitle>Languages</CardTitle>
        <CardDescription>
          For customers whose language is one of these (from their profile's locale), the texts below replace the
          chatbot's own.
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-3">
        {chatbot.translations.length === 0 ? (
          <p className="text-sm text-muted-foreground">No other languages: every customer gets the texts above.</p>
        ) : (
          <ul className="flex flex-col gap-2" aria-label="Languages">
            {chatbot.translations.map((t) => (
              <li
                key={t.languageCode}
                className="flex flex-wrap items-center justify-between gap-2 rounded-md border p-3"
              >
                <div className="min-w-0 text-sm">
                  <p className="font-medium">{t.languageCode}</p>
                  <p className="truncate text-muted-foreground">
                    {[
                      t.welcomeMessage && "welcome message",
                      t.systemPrompt && "system prompt",
                      t.handoffMessage !== null && "handoff message",
                    ]
                      .filter(Boolean)
                      .join(", ")}
                  </p>
                </div>
                {canManage && (
                  <Button variant="outline" size="sm" onClick={() => setEditing(t)}>
                    Edit {t.languageCode}
                  </Button>
                )}
              </li>
            ))}
          </ul>
        )}
        {canManage && !editing && (
          <div>
            <Button variant="outline" onClick={() => setEditing("new")}>
              Add a language
            </Button>
          </div>
        )}
        {editing && (
          <TranslationForm
            chatbotId={chatbot.id}
            translation={editing === "new" ? null : editing}
            onDone={() => setEditing(null)}
          />
        )}
      </CardContent>
    </Card>
  );
}

function TranslationForm({
  chatbotId,
  translation,
  onDone,
}: {
  chatbotId: string;
  translation: Translation | null;
  onDone: () => void;
}) {
  const queryClient = useQueryClient();
  const [language, setLanguage] = useState(translation?.languageCode ?? "");
  const [welcomeMessage, setWelcomeMessage] = useState(translation?.welcomeMessage ?? "");
  const [systemPrompt, setSystemPrompt] = useState(translation?.systemPrompt ?? "");
  const [handoffMessage, setHandoffMessage] = useState(translation?.handoffMessage ?? "");
  const refresh = () => queryClient.invalidateQueries({ queryKey: chatbotCrudKeys.one(chatbotId) });
  const save = useMutation({
    mutationFn: () => {
      const input: PutChatbotTranslationInput = {
        welcomeMessage: welcomeMessage.trim() || null,
        systemPrompt: systemPrompt.trim() || null,
        ...(handoffMessage.trim() ? { handoffMessage: handoffMessage.trim() } : {}),
      };
      return api.put(url(chatbotId, language.trim().toLowerCase()), input, ChatbotTranslationDto);
    },
    onSuccess: async () => {
      await refresh();
      onDone();
    },
  });
  const remove = useMutation({
    mutationFn: () => api.delete(url(chatbotId, translation?.languageCode ?? "")),
    onSuccess: async () => {
      await refresh();
      onDone();
    },
  });

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    save.mutate();
  }

  return (
    <form onSubmit={onSubmit} className="flex flex-col gap-3 rounded-md border p-3" aria-label="Language overrides">
      <div className="flex flex-col gap-2">
        <Label htmlFor="translation-language">Language code</Label>
        <Input
          id="translation-language"
          required
          disabled={Boolean(translation)}
          placeholder="e.g. th, ja, pt-br"
          maxLength={20}
          className="w-40"
          value={language}
          onChange={(e) => setLanguage(e.target.value)}
        />
      </div>
      <div className="flex flex-col gap-2">
        <Label htmlFor="translation-welcome">Welcome message</Label>
        <Textarea
          id="translation-welcome"
          rows={2}
          value={welcomeMessage}
          onChange={(e) => setWelcomeMessage(e.target.value)}
        />
      </div>
      <div className="flex flex-col gap-2">
        <Label htmlFor="translation-prompt">System prompt</Label>
        <Textarea
          id="translation-prompt"
          rows={4}
          value={systemPrompt}
          onChange={(e) => setSystemPrompt(e.target.value)}
        />
      </div>
      <div className="flex flex-col gap-2">
        <Label htmlFor="translation-handoff">Handoff message</Label>
        <Textarea
          id="translation-handoff"
          rows={2}
          maxLength={1000}
          placeholder="What these customers are told when a person takes over"
          value={handoffMessage}
          onChange={(e) => setHandoffMessage(e.target.value)}
        />
      </div>
      {(save.isError || remove.isError) && (
        <Alert variant="destructive">
          <AlertDescription>{errorMessage(save.error ?? remove.error)}</AlertDescription>
        </Alert>
      )}
      <div className="flex flex-wrap gap-2">
        <Button type="submit" disabled={save.isPending}>
          {save.isPending ? "Saving…" : "Save language"}
        </Button>
        {translation && (
          <Button type="button" variant="outline" disabled={remove.isPending} onClick={() => remove.mutate()}>
            Remove {translation.languageCode}
          </Button>
        )}
        <Button type="button" variant="ghost" onClick={onDone}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
