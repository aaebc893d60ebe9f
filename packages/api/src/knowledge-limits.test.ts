/** `GET /api/v1/knowledge/limits`: the upload limits the dashboard checks files against, from the server's settings. */
import { KNOWLEDGE_LIMITS, KnowledgeLimitsDto } from "@tandem/contracts";
import type { Runtime } from "@tandem/core";
import { afterEach, describe, expect, it } from "vitest";
import { TestClient } from "../../../tests/support/api-client.ts";
import { createTestRuntime } from "../../../tests/support/runtime.ts";
import { createSignInWorkspace, TEST_PASSWORD } from "../../../tests/support/workspace.ts";
import { createApp } from "./app.ts";

let runtime: Runtime | undefined;
afterEach(async () => {
  await runtime?.close();
  runtime = undefined;
});

async function limitsAs(env: Record<string, string>, who: "owner" | "agent") {
  runtime = await createTestRuntime(env);
  const app = createApp(runtime);
  const ws = await createSignInWorkspace(runtime);
  const client = new TestClient(app);
  expect((await client.signIn(ws[who].user.email, TEST_PASSWORD)).status).toBe(200);
  return client.get("/api/v1/knowledge/limits");
}

describe("GET /api/v1/knowledge/limits", () => {
  it("follows KNOWLEDGE_MAX_FILE_MB, for every member", async () => {
    const res = await limitsAs({ KNOWLEDGE_MAX_FILE_MB: "40" }, "agent");
    expect(res.status).toBe(200);
    expect(KnowledgeLimitsDto.parse(await res.json())).toEqual({
      maxFileBytes: 40 * 1024 * 1024,
      filesPerUpload: KNOWLEDGE_LIMITS.filesPerUpload,
      maxPdfPages: KNOWLEDGE_LIMITS.maxPdfPages,
    });
  });

  it("is the contract's default without the setting, and needs a session", async () => {
    const res = await limitsAs({}, "owner");
    expect(((await res.json()) as { maxFileBytes: number }).maxFileBytes).toBe(KNOWLEDGE_LIMITS.maxFileBytes);
    const anonymous = await new TestClient(createApp(runtime!)).get("/api/v1/knowledge/limits");
    expect(anonymous.status).toBe(401);
  });
});
