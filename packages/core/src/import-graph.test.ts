/**
 * No import circle in packages/core. A circle of value imports makes module evaluation order matter
 * (a module sees another's exports as undefined while the circle loads) and hides layering mistakes —
 * the inbound writer once sat in the Messenger folder and imported the runtime back. Type-only imports
 * (`import type`, or every specifier marked `type`) vanish at run time and are not counted.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = dirname(fileURLToPath(import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

/** The relative modules a file loads at run time. */
function valueImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest);
  const targets: string[] = [];
  for (const statement of source.statements) {
    let specifier: ts.Expression | undefined;
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      if (clause?.isTypeOnly) continue;
      const named = clause?.namedBindings;
      const onlyTypes =
        clause &&
        !clause.name &&
        named &&
        ts.isNamedImports(named) &&
        named.elements.length > 0 &&
        named.elements.every((e) => e.isTypeOnly);
      if (onlyTypes) continue;
      specifier = statement.moduleSpecifier;
    } else if (ts.isExportDeclaration(statement)) {
      if (statement.isTypeOnly) continue;
      specifier = statement.moduleSpecifier;
    }
    if (specifier && ts.isStringLiteral(specifier) && specifier.text.startsWith(".")) {
      targets.push(resolve(dirname(file), specifier.text));
    }
  }
  return targets;
}

/** Every cycle found by a depth-first walk, each as the list of files around it. */
export function importCycles(files: string[]): string[][] {
  const edges = new Map(files.map((f) => [f, valueImports(f)]));
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (file: string) => {
    state.set(file, "visiting");
    stack.push(file);
    for (const next of edges.get(file) ?? []) {
      if (state.get(next) === "visiting") cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next) && edges.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, "done");
  };
  for (const file of files) if (!state.has(file)) visit(file);
  return cycles;
}

describe("packages/core import graph", () => {
  it("has no circle of value imports", () => {
    const cycles = importCycles(sourceFiles(ROOT)).map((cycle) => cycle.map((f) => f.slice(ROOT.length + 1)));
    expect(cycles).toEqual([]);
  });

  it("finds a circle when there is one (the check can fail)", () => {
    const fixture = join(ROOT, "..", "..", "..", "tests", "support", "import-cycle");
    expect(importCycles(sourceFiles(fixture))).toHaveLength(1);
  });
});
