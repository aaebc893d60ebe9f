/**
 * An audit row's before / after as lines to read: nested objects are flattened into dotted keys
 * (`theme.primaryColor`), every key of either side is listed once, in order, and the keys whose
 * value changed are marked. Arrays and other values are shown as compact JSON.
 */

export interface DiffLine {
  key: string;
  before: string | undefined;
  after: string | undefined;
  changed: boolean;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function flatten(value: unknown, prefix: string, out: Map<string, string>): void {
  if (isPlainObject(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
    return;
  }
  out.set(prefix || "(value)", typeof value === "string" ? value : JSON.stringify(value));
}

function flat(value: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (value !== null && value !== undefined) flatten(value, "", out);
  return out;
}

export function snapshotDiff(before: unknown, after: unknown): DiffLine[] {
  const b = flat(before);
  const a = flat(after);
  const keys = [...b.keys(), ...[...a.keys()].filter((k) => !b.has(k))];
  return keys.map((key) => ({
    key,
    before: b.get(key),
    after: a.get(key),
    changed: b.get(key) !== a.get(key),
  }));
}
