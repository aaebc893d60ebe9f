import { REDACTED } from "@tandem/contracts";

/**
 * Secrets never reach the audit log: `recordAudit` redacts the snapshots it writes, and the log is
 * redacted again when read (`listAuditLog`), so a row written by a careless caller — or before a key
 * name was added here — still shows `••••`.
 */

/** Field names that hold secrets, compared without case, `_` or `-`: `apiKey`, `access_token`, `clientSecret`… */
const SECRET_NAME = /(token|secret|password|passwd|passphrase|apikey|authorization|cookie|credential|privatekey|key$)/;
/** Names that match the words above but hold none: a secret's hint, id, count or expiry, a "was it set" flag. */
const HARMLESS_NAME = /(hint|id|ids|count|expiresat|name|set|replaced|type|limit|fields)$/;
/** Values that are credentials whatever their field: our API tokens and sessions, OpenAI-style keys, Meta tokens. */
const SECRET_VALUE = /^(tdm_|ses_|sk-|sk_live_|xox[bp]-)|^EAA[A-Za-z0-9]{30,}/;

const normalized = (key: string) => key.toLowerCase().replace(/[_-]/g, "");

export const isSecretKey = (key: string): boolean => {
  const name = normalized(key);
  return SECRET_NAME.test(name) && !HARMLESS_NAME.test(name);
};

/**
 * Deep copy with every secret-looking field replaced by `••••`. Numbers and booleans are kept: no
 * secret is one, and counts like `maxTokens` match the pattern. An object under such a name (a
 * credential's summary) is kept and its own fields judged by their names; a list under it has every
 * text in it redacted.
 */
export function redactSecrets<T>(value: T): T {
  return redact(value, false) as T;
}

function redact(value: unknown, secret: boolean): unknown {
  if (Array.isArray(value)) return value.map((v) => redact(v, secret));
  if (typeof value === "string") return secret || SECRET_VALUE.test(value) ? REDACTED : value;
  if (value && typeof value === "object" && !(value instanceof Date)) {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => {
        if (secret) return [k, redact(v, true)];
        const named = isSecretKey(k);
        return [k, named && v && typeof v === "object" && !Array.isArray(v) ? redact(v, false) : redact(v, named)];
      }),
    );
  }
  return value;
}
