import { PLAYGROUND_LIMITS, type PlaygroundOverrides } from "@tandem/contracts";

/** The override fields as typed: strings, so a half-typed number is not lost. */
export interface OverrideDraft {
  systemPrompt: string;
  promptVersionId: string;
  model: string;
  temperature: string;
  maxTokens: string;
  credentialId: string;
}

export const EMPTY_OVERRIDES: OverrideDraft = {
  systemPrompt: "",
  promptVersionId: "",
  model: "",
  temperature: "",
  maxTokens: "",
  credentialId: "",
};

/** The overrides to send, or the first field's problem in plain words. */
export function toOverrides(draft: OverrideDraft): { overrides: PlaygroundOverrides } | { problem: string } {
  const overrides: PlaygroundOverrides = {};
  if (draft.systemPrompt.trim()) overrides.systemPrompt = draft.systemPrompt;
  if (draft.promptVersionId) {
    if (overrides.systemPrompt) return { problem: "Use either a system prompt or a prompt version, not both." };
    overrides.promptVersionId = draft.promptVersionId;
  }
  if (draft.model.trim()) overrides.model = draft.model.trim();
  if (draft.temperature.trim()) {
    const t = Number(draft.temperature);
    const { min, max } = PLAYGROUND_LIMITS.temperature;
    if (!Number.isFinite(t) || t < min || t > max)
      return { problem: `Temperature must be a number from ${min} to ${max}.` };
    overrides.temperature = t;
  }
  if (draft.maxTokens.trim()) {
    const n = Number(draft.maxTokens);
    const { min, max } = PLAYGROUND_LIMITS.maxTokens;
    if (!Number.isInteger(n) || n < min || n > max)
      return { problem: `Max tokens must be a whole number from ${min} to ${max.toLocaleString("en")}.` };
    overrides.maxTokens = n;
  }
  if (draft.credentialId) overrides.credentialId = draft.credentialId;
  return { overrides };
}

/** One server-sent event block (`event:` and `data:` lines); comments and keep-alives are null. */
export function parseSseEvent(block: string): { event: string; data: string } | null {
  let event = "message";
  const data: string[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
  }
  if (data.length === 0) return null;
  return { event, data: data.join("\n") };
}
