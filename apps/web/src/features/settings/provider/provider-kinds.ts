import type { ProviderKind } from "@tandem/contracts";

interface ProviderInfo {
  description: string;
  keyPlaceholder: string;
  /** Where requests go when neither the credential nor the server sets a base URL. */
  publicBaseUrl: string | null;
}

export const PROVIDER_INFO: Record<ProviderKind, ProviderInfo> = {
  OPENAI: {
    description: "GPT models through the OpenAI API.",
    keyPlaceholder: "sk-…",
    publicBaseUrl: "https://api.openai.com/v1",
  },
  GEMINI: {
    description: "Google's Gemini models with a Google AI Studio key.",
    keyPlaceholder: "AIza…",
    publicBaseUrl: "https://generativelanguage.googleapis.com",
  },
  OPENROUTER: {
    description: "Models of many labs — OpenAI, Anthropic, Meta, Google — behind one key.",
    keyPlaceholder: "sk-or-…",
    publicBaseUrl: "https://openrouter.ai/api/v1",
  },
  OPENAI_COMPATIBLE: {
    description: "Any server with the OpenAI Chat Completions API: Ollama, vLLM, LM Studio, DigitalOcean GenAI.",
    keyPlaceholder: "Not needed for most local servers",
    publicBaseUrl: null,
  },
  OFFLINE: {
    description: "No key, no network: answers from the chatbot's FAQ and hands everything else to a person.",
    keyPlaceholder: "",
    publicBaseUrl: null,
  },
};

/** The demo points the OpenAI-compatible credential at the app's own simulated LLM. */
export const isSimulatorUrl = (url: string | null | undefined) => Boolean(url?.includes("/_simulator/llm/"));
