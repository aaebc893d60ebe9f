/**
 * A line diff (longest common subsequence) for comparing prompt versions: small texts (≤ 20,000
 * characters), so the O(n·m) table is fine. Texts past `maxCells` fall back to "all removed, all
 * added" rather than freeze the page.
 */
export type DiffLine = { kind: "same" | "added" | "removed"; text: string };

export function diffLines(before: string, after: string, maxCells = 4_000_000): DiffLine[] {
  const a = before === "" ? [] : before.split("\n");
  const b = after === "" ? [] : after.split("\n");
  if (a.length * b.length > maxCells) {
    return [
      ...a.map((text) => ({ kind: "removed" as const, text })),
      ...b.map((text) => ({ kind: "added" as const, text })),
    ];
  }
  // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
  const lcs: Uint32Array[] = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push({ kind: "same", text: a[i]! });
      i++;
      j++;
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) {
      out.push({ kind: "removed", text: a[i++]! });
    } else {
      out.push({ kind: "added", text: b[j++]! });
    }
  }
  while (i < a.length) out.push({ kind: "removed", text: a[i++]! });
  while (j < b.length) out.push({ kind: "added", text: b[j++]! });
  return out;
}

export function diffStats(lines: DiffLine[]): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const line of lines) {
    if (line.kind === "added") added++;
    else if (line.kind === "removed") removed++;
  }
  return { added, removed };
}

/** A template split into plain text and `{variable}` pieces, for highlighting. */
export type TemplatePart = { kind: "text"; text: string } | { kind: "variable"; name: string; known: boolean };

export function splitTemplate(text: string, variables: readonly string[]): TemplatePart[] {
  const parts: TemplatePart[] = [];
  const pattern = /\{([a-z_][a-z0-9_]*)\}/gi;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    const index = match.index ?? 0;
    if (index > last) parts.push({ kind: "text", text: text.slice(last, index) });
    const name = match[1]!;
    parts.push({ kind: "variable", name, known: variables.includes(name) });
    last = index + match[0].length;
  }
  if (last < text.length) parts.push({ kind: "text", text: text.slice(last) });
  return parts;
}

/** The `{names}` a template uses that are not allowed (the server refuses them with 400). */
export function unknownVariables(text: string, variables: readonly string[]): string[] {
  const unknown = new Set<string>();
  for (const part of splitTemplate(text, variables)) {
    if (part.kind === "variable" && !part.known) unknown.add(part.name);
  }
  return [...unknown];
}
