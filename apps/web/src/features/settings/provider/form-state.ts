import {
  type ProviderCredentialDto,
  type ProviderKind,
  type ProviderSettingsDto,
  type TestProviderInput,
  UpdateProviderSettingsInput,
} from "@tandem/contracts";
import { ApiError } from "@/lib/api";

/** What the form edits; numbers stay strings until saved so a half-typed value is not lost. */
export interface ProviderForm {
  provider: ProviderKind;
  /** A newly typed key; empty keeps the stored one. */
  apiKey: string;
  /** Remove the stored key on save (only offered where a key is optional). */
  clearKey: boolean;
  baseUrl: string;
  model: string;
  temperature: string;
  maxTokens: string;
  systemPrompt: string;
}

export type Field = "provider" | "apiKey" | "baseUrl" | "model" | "temperature" | "maxTokens" | "systemPrompt";
export type FieldErrors = Partial<Record<Field, string>>;

export const credentialOf = (settings: ProviderSettingsDto, kind: ProviderKind): ProviderCredentialDto | undefined =>
  settings.credentials.find((c) => c.provider === kind);

export function formFromSettings(settings: ProviderSettingsDto): ProviderForm {
  return {
    provider: settings.provider,
    apiKey: "",
    clearKey: false,
    baseUrl: settings.baseUrl ?? "",
    model: settings.model,
    temperature: String(Number(settings.temperature.toFixed(2))),
    maxTokens: String(settings.maxTokens),
    systemPrompt: settings.systemPrompt,
  };
}

/** Another provider: its own stored base URL, its saved model or first suggestion; a typed key is dropped. */
export function switchProvider(form: ProviderForm, kind: ProviderKind, settings: ProviderSettingsDto): ProviderForm {
  return {
    ...form,
    provider: kind,
    apiKey: "",
    clearKey: false,
    baseUrl: credentialOf(settings, kind)?.baseUrl ?? "",
    model: kind === settings.provider ? settings.model : (settings.suggestedModels[kind]?.[0] ?? ""),
  };
}

/** The PUT body: an untouched key is left out (kept), the base URL always sent ("" clears it). */
export function toInput(form: ProviderForm) {
  const apiKey = form.clearKey ? null : form.apiKey.trim() || undefined;
  return {
    provider: form.provider,
    ...(form.provider === "OFFLINE"
      ? {}
      : { baseUrl: form.baseUrl.trim(), ...(apiKey === undefined ? {} : { apiKey }) }),
    model: form.model.trim(),
    temperature: form.temperature.trim() === "" ? Number.NaN : Number(form.temperature),
    maxTokens: form.maxTokens.trim() === "" ? Number.NaN : Number(form.maxTokens),
    systemPrompt: form.systemPrompt,
  };
}

export function toTestInput(form: ProviderForm): TestProviderInput {
  return {
    provider: form.provider,
    model: form.model.trim(),
    ...(form.apiKey.trim() ? { apiKey: form.apiKey.trim() } : {}),
    ...(form.baseUrl.trim() ? { baseUrl: form.baseUrl.trim() } : {}),
  };
}

const FIELD_HINTS: Record<Field, string> = {
  provider: "Choose a provider.",
  apiKey: "Enter an API key.",
  baseUrl: "Enter a URL starting with http:// or https://.",
  model: "Enter a model name, or pick a suggestion.",
  temperature: "Enter a number from 0 to 2.",
  maxTokens: "Enter a whole number from 1 to 32768.",
  systemPrompt: "Keep the prompt under 20,000 characters.",
};

const isField = (path: unknown): path is Field => typeof path === "string" && path in FIELD_HINTS;

/** Checks the form with the API's own schema before sending it. */
export function validateForm(form: ProviderForm): { input: UpdateProviderSettingsInput } | { errors: FieldErrors } {
  const parsed = UpdateProviderSettingsInput.safeParse(toInput(form));
  if (parsed.success) return { input: parsed.data };
  const errors: FieldErrors = {};
  for (const issue of parsed.error.issues) {
    const field = issue.path[0];
    if (isField(field)) errors[field] ??= FIELD_HINTS[field];
  }
  return { errors };
}

/** Field errors the server sent in `details` (`[{ path, message }]`): validation, missing key, unknown variables. */
export function serverFieldErrors(error: unknown): FieldErrors {
  if (!(error instanceof ApiError) || !Array.isArray(error.details)) return {};
  const errors: FieldErrors = {};
  for (const detail of error.details as { path?: unknown; message?: unknown }[]) {
    if (!isField(detail.path)) continue;
    errors[detail.path] ??=
      error.code === "invalid_input" ? FIELD_HINTS[detail.path] : String(detail.message ?? FIELD_HINTS[detail.path]);
  }
  return errors;
}
