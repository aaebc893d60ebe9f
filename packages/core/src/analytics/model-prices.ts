/**
 * List prices in US dollars per million tokens (input, output) of the models Tandem's providers
 * offer, for the analytics' estimated cost: standard tier, no caching or batch discounts, the lower
 * tier where the price depends on the prompt's length. A model not listed (a local one, a new one)
 * has no estimate. Prices as published by OpenAI and Google in 2025; check them against your bill.
 */
const PRICES: Record<string, { input: number; output: number }> = {
  "gpt-5": { input: 1.25, output: 10 },
  "gpt-5-mini": { input: 0.25, output: 2 },
  "gpt-5-nano": { input: 0.05, output: 0.4 },
  "gpt-4.1": { input: 2, output: 8 },
  "gpt-4.1-mini": { input: 0.4, output: 1.6 },
  "gpt-4.1-nano": { input: 0.1, output: 0.4 },
  "gpt-4o": { input: 2.5, output: 10 },
  "gpt-4o-mini": { input: 0.15, output: 0.6 },
  "gpt-4-turbo": { input: 10, output: 30 },
  "gpt-3.5-turbo": { input: 0.5, output: 1.5 },
  o3: { input: 2, output: 8 },
  "o3-mini": { input: 1.1, output: 4.4 },
  "o4-mini": { input: 1.1, output: 4.4 },
  "gemini-2.5-pro": { input: 1.25, output: 10 },
  "gemini-2.5-flash": { input: 0.3, output: 2.5 },
  "gemini-2.5-flash-lite": { input: 0.1, output: 0.4 },
  "gemini-2.0-flash": { input: 0.1, output: 0.4 },
  "gemini-2.0-flash-lite": { input: 0.075, output: 0.3 },
  "gemini-1.5-pro": { input: 1.25, output: 5 },
  "gemini-1.5-flash": { input: 0.075, output: 0.3 },
};

/** A dated or numbered snapshot of a listed model (`gpt-4o-2024-08-06`, `gemini-1.5-flash-002`). */
const SNAPSHOT = /^-(\d{4}-\d{2}-\d{2}|\d{3,4}|latest|preview(-[\w-]+)?)$/;

export function modelPrice(model: string): { input: number; output: number } | null {
  const id = model.toLowerCase().replace(/^models\//, "");
  if (PRICES[id]) return PRICES[id];
  const base = Object.keys(PRICES)
    .filter((k) => id.startsWith(k) && SNAPSHOT.test(id.slice(k.length)))
    .sort((a, b) => b.length - a.length)[0];
  return base ? PRICES[base]! : null;
}

/** The estimated cost in USD of these tokens on this model, or null when its price is unknown. */
export function estimateCostUsd(model: string, inputTokens: number, outputTokens: number): number | null {
  const price = modelPrice(model);
  if (!price) return null;
  const cost = (inputTokens * price.input + outputTokens * price.output) / 1_000_000;
  return Math.round(cost * 1e6) / 1e6;
}
