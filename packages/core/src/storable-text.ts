/**
 * Text PostgreSQL cannot store. `text` and `jsonb` refuse U+0000 (NUL) — jsonb even as the `\u0000`
 * escape — and UTF-8 has no encoding for a lone UTF-16 surrogate (half of an emoji, say): jsonb
 * refuses its `\ud83d` escape, and drivers silently turn it into U+FFFD in text parameters. Both are
 * legal in JSON and in JavaScript strings, so anything that arrives from outside can carry them.
 *
 * Two policies use these helpers: signed platform payloads (a customer's message cannot be refused)
 * are stored with NUL removed and lone surrogates replaced by U+FFFD; requests to our own API are
 * refused with 400 before a route runs (api/src/middleware/storable-input.ts).
 */

// ES2024 (Node 20 has them; the project's `lib` is ES2023).
declare global {
  interface String {
    isWellFormed(): boolean;
    toWellFormed(): string;
  }
}

/** True when `value` holds a NUL or a lone surrogate. */
export function isUnstorable(value: string): boolean {
  return value.includes("\u0000") || !value.isWellFormed();
}

/** `value` with NUL removed and each lone surrogate replaced by U+FFFD. */
export function storableText(value: string): string {
  const wellFormed = value.isWellFormed() ? value : value.toWellFormed();
  return wellFormed.includes("\u0000") ? wellFormed.replaceAll("\u0000", "") : wellFormed;
}

/** A JSON value with `storableText` applied to every string, object keys included. */
export function storableJson<T>(value: T): T {
  if (typeof value === "string") return storableText(value) as T;
  if (Array.isArray(value)) return value.map(storableJson) as T;
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) out[storableText(key)] = storableJson(v);
    return out as T;
  }
  return value;
}

/** The path (`entry.0.text`) of the first unstorable string or key in a JSON value, or null. */
export function findUnstorable(value: unknown, path: string[] = []): string | null {
  if (typeof value === "string") return isUnstorable(value) ? path.join(".") : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnstorable(value[i], [...path, String(i)]);
      if (found !== null) return found;
    }
    return null;
  }
  if (value && typeof value === "object") {
    for (const [key, v] of Object.entries(value)) {
      if (isUnstorable(key)) return [...path, storableText(key)].join(".");
      const found = findUnstorable(v, [...path, key]);
      if (found !== null) return found;
    }
  }
  return null;
}

/**
 * The first `max` UTF-16 units of `value`, minus a trailing high surrogate whose pair the cut would
 * separate (a preview must not end in half an emoji).
 */
export function truncateText(value: string, max: number): string {
  if (value.length <= max) return value;
  const code = value.charCodeAt(max - 1);
  return value.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}
