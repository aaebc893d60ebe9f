/**
 * The three fake LLM APIs over one shared state, each a Hono app to mount under its own prefix
 * (`createSimulator` uses `/llm/openai`, `/llm/openrouter`, `/llm/gemini`), plus the control API.
 */
import type { Hono } from "hono";
import type { LlmSimulatorOptions } from "./common.ts";
import { createLlmControl } from "./control.ts";
import { createGeminiSimulatorApp } from "./gemini.ts";
import { createOpenAiSimulatorApp } from "./openai.ts";
import { type LlmSimProvider, LlmSimState } from "./state.ts";

export interface LlmSimulator {
  apps: Record<LlmSimProvider, Hono>;
  /** `/calls`, `/replies`, `/faults`, `/invalid-keys`, `/reset` (see control.ts). */
  control: Hono;
  state: LlmSimState;
  /** Clears calls, scripted replies, faults and invalid keys. */
  reset(): void;
}

export function createLlmSimulator(options: LlmSimulatorOptions = {}): LlmSimulator {
  const state = new LlmSimState(options.maxCalls);
  return {
    apps: {
      openai: createOpenAiSimulatorApp(state, { ...options, flavor: "openai" }),
      openrouter: createOpenAiSimulatorApp(state, { ...options, flavor: "openrouter" }),
      gemini: createGeminiSimulatorApp(state, options),
    },
    control: createLlmControl(state),
    state,
    reset: () => state.reset(),
  };
}
