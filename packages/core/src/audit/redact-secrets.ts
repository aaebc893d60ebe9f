import { REDACTED } from "@tandem/contracts";

/**
 * Secrets never reach the audit log: `recordAudit` redacts the snapshots it writes, and the log is
 * redacted again when read (`listAuditLog`), so a row written by a careless caller — or before a key
 * name was added here — still shows `••••`.
 */

/** Field names that hold secrets, compared without case, `_` or `-`: `apiKey`, `access_token`, `clientSecret`… */
const SECRET_NAME =
  /(token|secret|password|passwd|passphrase|apikey|authorization|cookie|credential|privatekey|accesskey|signingkey|encryptionkey|key$)/;
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
 * secret is one, and counts like `maxTokens` match the pattern.
 */
export function redactSecrets<T>(value: T): T {
  if (Array.isArray(value)) return value.map(redactSecrets) as T;
  if (typeof value === "string") return (SECRET_VALUE.test(value) ? REDACTED : value) as T;
  if (value && typeof value === "object" && !(value instanceof Date)) {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [
        k,
        isSecretKey(k) && v !== null && v !== undefined && typeof v !== "boolean" && typeof v !== "number"
          ? REDACTED
          : redactSecrets(v),
      ]),
    ) as T;
  }
  return value;
}
