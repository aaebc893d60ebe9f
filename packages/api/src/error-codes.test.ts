import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DomainError, type Runtime } from "@tandem/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { capturingLogger } from "../../../tests/support/logs.ts";
import { createTestRuntime } from "../../../tests/support/runtime.ts";
import { createApp } from "./app.ts";
import { ERROR_STATUS, statusForCode } from "./error-codes.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const SOURCES = ["packages/core/src", "packages/api/src"];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

/** Every error code the sources can throw, with the files that throw it. */
function thrownCodes(): Map<string, string[]> {
  const codes = new Map<string, string[]>();
  const add = (code: string, file: string) => codes.set(code, [...(codes.get(code) ?? []), path.relative(root, file)]);
  for (const file of SOURCES.flatMap((dir) => sourceFiles(path.join(root, dir)))) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/\bDomainError\(\s*["'`]([a-z0-9_]+)["'`]/g)) add(m[1]!, file);
    // core/src/errors.ts `notFound(what, code = `${what}_not_found`)`.
    for (const m of text.matchAll(/\bnotFound\(\s*["']([a-z0-9_]+)["'](?:\s*,\s*["']([a-z0-9_]+)["'])?/g)) {
      add(m[2] ?? `${m[1]}_not_found`, file);
    }
  }
  // The normalised LLM provider failures, which reach HTTP as DomainErrors of the same code
  // (bots/draft-bot-reply.ts): every member of the `LlmErrorCode` union.
  const llmTypes = path.join(root, "packages/core/src/llm/types.ts");
  const union = /export type LlmErrorCode =([^;]+);/.exec(readFileSync(llmTypes, "utf8"))?.[1] ?? "";
  for (const m of union.matchAll(/"([a-z0-9_]+)"/g)) add(m[1]!, llmTypes);
  // Built by a local helper (`invalid(code, path, message)`) rather than a literal constructor.
  for (const code of ["api_key_required", "base_url_required"]) {
    add(code, path.join(root, "packages/core/src/providers/update-provider-settings.ts"));
  }
  return codes;
}

describe("the error table", () => {
  const codes = thrownCodes();

  it("has an HTTP status for every code core and the API throw", () => {
    // The walk itself works: literals, multi-line constructors, and the LLM union are all found.
    expect(codes.size).toBeGreaterThan(50);
    for (const known of ["conversation_not_found", "bot_cannot_answer", "provider_timeout", "csrf_failed"]) {
      expect(codes.has(known), known).toBe(true);
    }
    const missing = [...codes].filter(([code]) => statusForCode(code) === undefined).map(([c, f]) => `${c} (${f[0]})`);
    expect(missing, "add these codes to packages/api/src/error-codes.ts").toEqual([]);
  });

  it("lists no code nothing throws (a typo there would leave the real code without a status)", () => {
    // `not_found` is answered directly by the router's 404 (errors.ts `notFoundHandler`).
    const unused = Object.keys(ERROR_STATUS).filter((code) => !codes.has(code) && code !== "not_found");
    expect(unused).toEqual([]);
  });

  it("knows only its own keys", () => {
    expect(statusForCode("toString")).toBeUndefined();
    expect(statusForCode("made_up_not_found")).toBeUndefined();
    expect(statusForCode("provider_something_new")).toBeUndefined();
  });
});

describe("a code without a status", () => {
  let runtime: Runtime;
  let app: ReturnType<typeof createApp>;
  beforeAll(async () => {
    runtime = await createTestRuntime();
    app = createApp(runtime);
    app.get("/api/v1/public/test/unmapped", () => {
      throw new DomainError("made_up_code", "Internal detail: table row 42 is corrupt");
    });
  });
  afterAll(() => runtime.close());

  it("is a 500 with the request id, its message kept out of the answer and logged", async () => {
    const logs = capturingLogger();
    runtime.log = logs.log;
    const res = await app.request("/api/v1/public/test/unmapped", { headers: { "x-request-id": "req-unmapped-0001" } });
    expect(res.status).toBe(500);
    const { error } = await res.json();
    expect(error).toEqual({ code: "internal_error", message: expect.any(String), requestId: "req-unmapped-0001" });
    expect(error.message).not.toContain("table row");
    expect(logs.at("error")).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          requestId: "req-unmapped-0001",
          code: "made_up_code",
          err: expect.objectContaining({ message: "Internal detail: table row 42 is corrupt" }),
        }),
      ]),
    );
  });
});
