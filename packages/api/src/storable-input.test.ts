import type { Runtime } from "@tandem/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestClient } from "../../../tests/support/api-client.ts";
import { createTestRuntime } from "../../../tests/support/runtime.ts";
import { createSignInWorkspace, TEST_PASSWORD } from "../../../tests/support/workspace.ts";
import { createApp } from "./app.ts";

/**
 * A NUL (or, in JSON, half a surrogate pair) anywhere in a request is refused at the edge with 400,
 * on every route of the OpenAPI document: in each path parameter, in the query, and in every string
 * of a JSON body built from the route's own schema — as a signed-in OWNER, so nothing but the rule
 * stands between the value and the database.
 */
let runtime: Runtime;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  runtime = await createTestRuntime({ FB_APP_SECRET: "storable-secret", WEBHOOK_VERIFY_TOKEN: "storable-verify" });
  app = createApp(runtime);
});
afterAll(() => runtime.close());

interface Schema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  minLength?: number;
  minimum?: number;
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
}
interface Operation {
  parameters?: { in: string; name: string }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}

/** A value of `schema` whose every free-text string carries `bad` (enums and numbers stay valid). */
function sample(schema: Schema | undefined, bad: string): unknown {
  if (!schema) return `x${bad}`;
  if (schema.enum) return schema.enum[0];
  if (schema.const !== undefined) return schema.const;
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants) return sample(variants.find((v) => v.type !== "null") ?? variants[0], bad);
  const type = (Array.isArray(schema.type) ? schema.type : [schema.type]).find((t) => t && t !== "null");
  switch (type) {
    case "object":
      return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, v]) => [k, sample(v, bad)]));
    case "array":
      return [sample(schema.items, bad)];
    case "integer":
    case "number":
      return schema.minimum ?? 1;
    case "boolean":
      return true;
    default: {
      const filler = "x".repeat(Math.max(1, (schema.minLength ?? 1) - 1));
      return schema.format === "email" ? `${filler}${bad}@example.com` : `${filler}${bad}`;
    }
  }
}

async function expectRefused(res: Response, what: string, where: RegExp) {
  expect(res.status, what).toBe(400);
  const { error } = await res.json();
  expect(error, what).toMatchObject({
    code: "invalid_input",
    message: expect.any(String),
    requestId: expect.any(String),
  });
  expect(error.details?.[0], what).toMatchObject({ code: "invalid_characters", path: expect.stringMatching(where) });
}

describe("NUL and lone surrogates in requests", () => {
  it("are refused with 400 on every route: in path parameters, the query and JSON bodies", async () => {
    const ws = await createSignInWorkspace(runtime);
    const doc = await (await app.request("/api/v1/openapi.json")).json();
    const checked: string[] = [];

    // One session for the routes that cannot end it; a fresh one after any that might (sign-out,
    // sessions, password and account changes), had the rule not held. Signing in per route hashed a
    // password a hundred times: most of this test's time on a loaded machine.
    let owner = new TestClient(app);
    expect((await owner.signIn(ws.owner.user.email, TEST_PASSWORD)).status).toBe(200);
    let fresh = true;
    for (const [path, operations] of Object.entries(doc.paths as Record<string, Record<string, Operation>>)) {
      for (const [method, op] of Object.entries(operations)) {
        const verb = method.toUpperCase();
        if (!fresh) {
          owner = new TestClient(app);
          expect((await owner.signIn(ws.owner.user.email, TEST_PASSWORD)).status).toBe(200);
        }
        fresh = !/sign-out|session|password|account|member|invitation/.test(path);
        const params = op.parameters ?? [];
        const url = (value: string) => path.replace(/\{[^}]+\}/g, value);
        const body = op.requestBody?.content["application/json"]?.schema;
        const validBody = body ? sample(body, "") : undefined;

        for (const param of params.filter((p) => p.in === "path")) {
          const target = path.replace(`{${param.name}}`, "nul%00byte").replace(/\{[^}]+\}/g, "xxx_valid_shape");
          await expectRefused(
            await owner.request(verb, target, validBody),
            `${verb} ${path} (path ${param.name})`,
            /^path$/,
          );
          checked.push(`${verb} ${path} path`);
        }

        const queryNames = params.filter((p) => p.in === "query").map((p) => p.name);
        for (const name of queryNames.length ? queryNames : ["q"]) {
          const target = `${url("xxx_valid_shape")}?${encodeURIComponent(name)}=nul%00byte`;
          await expectRefused(
            await owner.request(verb, target, validBody),
            `${verb} ${path} (query ${name})`,
            /^query$/,
          );
        }
        checked.push(`${verb} ${path} query`);

        // Bodies with a free-text field (an enum-only body such as a role change has nowhere to put one).
        if (body && JSON.stringify(sample(body, "\u0000")) !== JSON.stringify(validBody)) {
          for (const [bad, label] of [
            ["\u0000", "NUL"],
            ["\ud83d", "lone high surrogate"],
            ["\udc4b", "lone low surrogate"],
          ] as const) {
            const res = await owner.request(verb, url("xxx_valid_shape"), JSON.stringify(sample(body, bad)));
            await expectRefused(res, `${verb} ${path} (${label} in the body)`, /^body\./);
          }
          checked.push(`${verb} ${path} body`);
        }
      }
    }
    // Every route of the document, the webhooks and auth included.
    expect(checked.filter((c) => c.endsWith(" query")).length).toBe(
      Object.values(doc.paths as Record<string, object>).reduce((n, ops) => n + Object.keys(ops).length, 0),
    );
    expect(checked.filter((c) => c.endsWith(" body")).length).toBeGreaterThanOrEqual(12);
    expect(checked.filter((c) => c.endsWith(" path")).length).toBeGreaterThanOrEqual(15);
  }, 180_000);

  it("refuses a NUL in the data-deletion status page's code, as JSON even for a browser", async () => {
    const res = await app.request("/api/webhooks/messenger/data-deletion/abc%00def", {
      headers: { accept: "text/html" },
    });
    await expectRefused(res, "status page", /^path$/);
  });

  it("lets other text through: non-ASCII, emoji, and a backslash-u typed as text", async () => {
    const ws = await createSignInWorkspace(runtime);
    const owner = new TestClient(app);
    await owner.signIn(ws.owner.user.email, TEST_PASSWORD);
    const name = "Zürich 👋 \\u0000 typed \\ud83d";
    const created = await owner.post("/api/v1/tokens", JSON.stringify({ name }));
    expect(created.status).toBe(201);
    expect((await created.json()).apiToken.name).toBe(name);
    expect((await owner.get(`/api/v1/conversations?search=${encodeURIComponent("Zürich %00 👋")}`)).status).toBe(200);
  });
});
