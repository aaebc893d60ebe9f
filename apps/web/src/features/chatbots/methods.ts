import type { PromptMethod } from "@tandem/contracts";

export const METHOD_LABELS: Record<PromptMethod, string> = {
  manual: "Written by hand",
  ai_generated: "Generated from files",
  rollback: "Rollback",
};
