import type { PromptGenerationStep } from "@tandem/contracts";

/**
 * One line per step (and file) of a prompt-generation job: its latest state, in the order the steps
 * began — the job appends "running" then "done" or "failed" for the same step.
 */
export function latestSteps(progress: PromptGenerationStep[]): PromptGenerationStep[] {
  const byKey = new Map<string, PromptGenerationStep>();
  for (const step of progress) byKey.set(`${step.step}\u0000${step.file ?? ""}`, step);
  return [...byKey.values()];
}
