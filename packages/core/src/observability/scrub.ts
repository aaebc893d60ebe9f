/**
 * What error reports must not carry, whatever the error: credentials in headers, secrets under
 * telling keys, and tokens written into strings (messages, URLs, breadcrumbs).
 */
export const SECRET_HEADERS = ["authorization", "cookie", "set-cookie", "x-api-key", "x-visitor-token", "x-csrf-token"];

/** Keys whose values are dropped wherever they appear. */
const SECRET_KEY =
  /pass(word)?|secret|token|authorization|cookie|api[-_]?key|credential|private[-_]?key|encryption[-_]?key|signature|dsn|session/i;

/**
 * Tokens recognised inside strings: personal API tokens (`tdm_…`), one-time links (`pwr_…`,
 * `inv_…`), bearer credentials, encrypted values (`enc:v1:…`), and `token=`/`key=`-style query
 * parameters.
 */
const SECRET_TEXT: [RegExp, string][] = [
  [/\b(tdm|pwr|inv|vt|ck|sk|pk)_[A-Za-z0-9_-]{16,}/g, "$1_[redacted]"],
  [/\bBearer\s+[A-Za-z0-9._~+/=-]+/gi, "Bearer [redacted]"],
  [/\benc:v1:[A-Za-z0-9:+/=_-]+/g, "enc:v1:[redacted]"],
  [/([?&](?:[a-z_]*token|key|secret|signature|code|password)=)[^&\s#]+/gi, "$1[redacted]"],
  [/\bEAA[A-Za-z0-9]{20,}/g, "[redacted]"],
];

export function scrubText(text: string): string {
  let out = text;
  for (const [pattern, replacement] of SECRET_TEXT) out = out.replace(pattern, replacement);
  return out;
}

/** A deep copy with secret keys' values replaced and tokens cut out of strings. */
export function scrubSecrets<T>(value: T, depth = 0): T {
  if (typeof value === "string") return scrubText(value) as T;
  if (depth > 12 || value === null || typeof value !== "object" || value instanceof Date) return value;
  if (Array.isArray(value)) return value.map((v) => scrubSecrets(v, depth + 1)) as T;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [
      k,
      SECRET_KEY.test(k) && v !== null && v !== undefined && typeof v !== "boolean" && typeof v !== "number"
        ? "[redacted]"
        : scrubSecrets(v, depth + 1),
    ]),
  ) as T;
}
