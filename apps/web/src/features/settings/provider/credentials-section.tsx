"use client";

import {
  type CreateCredentialInput,
  type NamedCredentialDto as NamedCredential,
  NamedCredentialDto,
  TestProviderResult,
  type UpdateCredentialInput,
} from "@tandem/contracts";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { KeyRound, Plus } from "lucide-react";
import { type FormEvent, useState } from "react";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { chatbotCrudKeys, fieldErrors, useCredentials } from "@/features/chatbots/crud-queries";
import { api, errorMessage } from "@/lib/api";
import { formatDateTime } from "@/lib/format";
import { FormField } from "./provider-form";
import { PROVIDER_INFO } from "./provider-kinds";

type Kind = CreateCredentialInput["kind"];
const KINDS: { value: Kind; label: string }[] = [
  { value: "OPENAI", label: "OpenAI" },
  { value: "GEMINI", label: "Google Gemini" },
  { value: "OPENROUTER", label: "OpenRouter" },
  { value: "OPENAI_COMPATIBLE", label: "OpenAI-compatible server" },
];
const kindLabel = (kind: Kind) => KINDS.find((k) => k.value === kind)?.label ?? kind;
const url = (id: string) => `/api/v1/providers/credentials/${encodeURIComponent(id)}`;

/**
 * The workspace's named provider keys ("OpenAI prod", "Ollama local"): what each chatbot's
 * credential (and a playground override) can name. Keys are write-only: the list shows a hint.
 * Deleting one a chatbot still uses is refused by the server (409) with the chatbots named.
 */
export function CredentialsSection() {
  const credentials = useCredentials(true);
  const [editing, setEditing] = useState<NamedCredential | "new" | null>(null);

  return (
    <section aria-labelledby="credentials-heading" className="flex flex-col gap-4">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h2 id="credentials-heading" className="text-lg font-semibold">
            Provider credentials
          </h2>
          <p className="text-sm text-muted-foreground">
            Named keys any chatbot can use: pick one in the chatbot's settings. Keys are stored encrypted and never
            shown again.
          </p>
        </div>
        <Button onClick={() => setEditing("new")}>
          <Plus aria-hidden="true" />
          Add credential
        </Button>
      </div>
      {credentials.isError ? (
        <Alert variant="destructive">
          <AlertDescription>{errorMessage(credentials.error)}</AlertDescription>
        </Alert>
      ) : !credentials.data ? (
        <Skeleton className="h-24 w-full" />
      ) : credentials.data.data.length === 0 ? (
        <p className="rounded-md border border-dashed p-4 text-sm text-muted-foreground">
          No named credentials yet. The offline provider needs none.
        </p>
      ) : (
        <ul className="grid gap-3" aria-label="Provider credentials">
          {credentials.data.data.map((credential) => (
            <CredentialCard key={credential.id} credential={credential} onEdit={() => setEditing(credential)} />
          ))}
        </ul>
      )}
      {editing && <CredentialDialog credential={editing === "new" ? null : editing} onClose={() => setEditing(null)} />}
    </section>
  );
}

function useInvalidateCredentials() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: chatbotCrudKeys.credentials });
}

function CredentialCard({ credential, onEdit }: { credential: NamedCredential; onEdit: () => void }) {
  const invalidate = useInvalidateCredentials();
  const test = useMutation({
    mutationFn: () => api.post(`${url(credential.id)}/test`, {}, TestProviderResult),
    onSettled: invalidate,
  });
  const remove = useMutation({ mutationFn: () => api.delete(url(credential.id)), onSuccess: invalidate });
  const [confirming, setConfirming] = useState(false);
  const verdict = test.data;

  return (
    <li>
      <Card className="gap-3" aria-label={credential.name}>
        <CardHeader className="flex flex-row flex-wrap items-start justify-between gap-2">
          <div className="min-w-0">
            <CardTitle className="flex items-center gap-2 text-base">
              <KeyRound className="size-4 shrink-0 text-muted-foreground" aria-hidden="true" />
              <span className="truncate">{credential.name}</span>
            </CardTitle>
            <CardDescription>
              {kindLabel(credential.kind)}
              {credential.apiKeyHint ? ` · key ${credential.apiKeyHint}` : " · no key"}
              {credential.defaultModel ? ` · ${credential.defaultModel}` : ""}
            </CardDescription>
          </div>
          <div className="flex flex-wrap gap-2">
            <Button variant="outline" size="sm" onClick={() => test.mutate()} disabled={test.isPending}>
              {test.isPending ? "Testing…" : "Test"}
            </Button>
            <Button variant="outline" size="sm" onClick={onEdit}>
              Edit
            </Button>
            <Button variant="outline" size="sm" onClick={() => setConfirming(true)}>
              Delete
            </Button>
          </div>
        </CardHeader>
        <CardContent className="flex flex-col gap-2 text-sm">
          {credential.baseUrl && <p className="break-all text-muted-foreground">Base URL: {credential.baseUrl}</p>}
          <p className="text-muted-foreground">
            Used by:{" "}
            {credential.usedBy.length
              ? credential.usedBy.map((bot) => (
                  <Badge key={bot.id} variant="secondary" className="mr-1">
                    {bot.name}
                  </Badge>
                ))
              : "no chatbot"}
          </p>
          {verdict ? (
            <p role="status" className={verdict.ok ? "text-emerald-700" : "text-destructive"}>
              {verdict.ok ? "Connection works." : `Test failed: ${verdict.message ?? verdict.code ?? "unknown error"}`}
            </p>
          ) : credential.lastTest ? (
            <p className="text-muted-foreground">
              Last test {formatDateTime(credential.lastTest.at)}:{" "}
              {credential.lastTest.ok
                ? "worked"
                : `failed (${credential.lastTest.message ?? credential.lastTest.code})`}
            </p>
          ) : null}
          {test.isError && <p className="text-destructive">{errorMessage(test.error)}</p>}
          {confirming && (
            <Alert variant="destructive">
              <AlertDescription className="flex flex-wrap items-center gap-2">
                <span>Delete “{credential.name}”? Its key is erased.</span>
                <Button size="sm" variant="destructive" onClick={() => remove.mutate()} disabled={remove.isPending}>
                  Delete credential
                </Button>
                <Button size="sm" variant="ghost" onClick={() => setConfirming(false)}>
                  Keep it
                </Button>
              </AlertDescription>
            </Alert>
          )}
          {remove.isError && <p className="text-destructive">{errorMessage(remove.error)}</p>}
        </CardContent>
      </Card>
    </li>
  );
}

/** Adds a credential, or edits one: a key left empty is kept; its kind never changes. */
function CredentialDialog({ credential, onClose }: { credential: NamedCredential | null; onClose: () => void }) {
  const invalidate = useInvalidateCredentials();
  const [name, setName] = useState(credential?.name ?? "");
  const [kind, setKind] = useState<Kind>(credential?.kind ?? "OPENAI");
  const [apiKey, setApiKey] = useState("");
  const [baseUrl, setBaseUrl] = useState(credential?.baseUrl ?? "");
  const [defaultModel, setDefaultModel] = useState(credential?.defaultModel ?? "");
  const save = useMutation({
    mutationFn: () => {
      if (!credential) {
        const input: CreateCredentialInput = {
          name: name.trim(),
          kind,
          ...(apiKey.trim() ? { apiKey: apiKey.trim() } : {}),
          ...(baseUrl.trim() ? { baseUrl: baseUrl.trim() } : {}),
          ...(defaultModel.trim() ? { defaultModel: defaultModel.trim() } : {}),
        };
        return api.post("/api/v1/providers/credentials", input, NamedCredentialDto);
      }
      // Only what changed: a base URL sent again unchanged would ask for the key again.
      const input: UpdateCredentialInput = {
        name: name.trim(),
        ...(baseUrl.trim() !== (credential.baseUrl ?? "") ? { baseUrl: baseUrl.trim() || null } : {}),
        ...(defaultModel.trim() !== (credential.defaultModel ?? "")
          ? { defaultModel: defaultModel.trim() || null }
          : {}),
        ...(apiKey.trim() ? { apiKey: apiKey.trim() } : {}),
      };
      return api.patch(url(credential.id), input, NamedCredentialDto);
    },
    onSuccess: async () => {
      await invalidate();
      onClose();
    },
  });
  const errors = fieldErrors(save.error);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    save.mutate();
  }

  return (
    <Dialog open onOpenChange={(open) => !open && onClose()}>
      <DialogContent>
        <form onSubmit={onSubmit} className="grid gap-4" aria-label={credential ? "Edit credential" : "Add credential"}>
          <DialogHeader>
            <DialogTitle>{credential ? `Edit “${credential.name}”` : "Add a provider credential"}</DialogTitle>
            <DialogDescription>
              {credential
                ? "Leave the key empty to keep the stored one."
                : "A name your team recognises, the provider, and its key."}
            </DialogDescription>
          </DialogHeader>
          <FormField id="credential-name" label="Name" error={errors.name}>
            <Input
              id="credential-name"
              required
              maxLength={100}
              placeholder="e.g. OpenAI prod"
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
          </FormField>
          <FormField id="credential-kind" label="Provider" error={errors.kind}>
            <Select value={kind} onValueChange={(value) => setKind(value as Kind)} disabled={Boolean(credential)}>
              <SelectTrigger id="credential-kind" className="w-full">
                <SelectValue />
              </SelectTrigger>
              <SelectContent>
                {KINDS.map((k) => (
                  <SelectItem key={k.value} value={k.value}>
                    {k.label}
                  </SelectItem>
                ))}
              </SelectContent>
            </Select>
          </FormField>
          <FormField id="credential-key" label="API key" error={errors.apiKey}>
            <Input
              id="credential-key"
              type="password"
              autoComplete="off"
              placeholder={credential?.apiKeyHint ?? PROVIDER_INFO[kind].keyPlaceholder}
              value={apiKey}
              onChange={(e) => setApiKey(e.target.value)}
            />
          </FormField>
          <FormField id="credential-base-url" label="Base URL" error={errors.baseUrl}>
            <Input
              id="credential-base-url"
              inputMode="url"
              placeholder={PROVIDER_INFO[kind].publicBaseUrl ?? "http://localhost:11434/v1"}
              value={baseUrl}
              onChange={(e) => setBaseUrl(e.target.value)}
            />
          </FormField>
          <FormField id="credential-model" label="Default model" error={errors.defaultModel}>
            <Input
              id="credential-model"
              placeholder="e.g. gpt-4o-mini"
              value={defaultModel}
              onChange={(e) => setDefaultModel(e.target.value)}
            />
          </FormField>
          {save.isError && Object.keys(errors).length === 0 && (
            <Alert variant="destructive">
              <AlertDescription>{errorMessage(save.error)}</AlertDescription>
            </Alert>
          )}
          <DialogFooter>
            <Button type="button" variant="ghost" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" disabled={save.isPending}>
              {save.isPending ? "Saving…" : credential ? "Save" : "Add credential"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
