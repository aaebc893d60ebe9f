/**
 * Concurrent prompt saves on a real PostgreSQL server, where transactions do run side by side
 * (PGlite runs them one after the other, so chatbot-prompts.test.ts cannot show the lock at work).
 * Saves sent with the same If-Match must meet at the chatbot row's lock: one wins, the others see
 * its version and get 409 — never two versions, never a 500 from the unique version index.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createRuntime, generateKey, loadConfig, type Runtime, silentLogger } from "@tandem/core";
import { promptVersions } from "@tandem/db";
import { createChatbot } from "@tandem/db/testing";
import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestClient } from "../../../tests/support/api-client.ts";
import {
  createTestDatabase,
  type PostgresServer,
  startPostgresServer,
} from "../../../tests/support/postgres-server.ts";
import { createSignInWorkspace, TEST_PASSWORD } from "../../../tests/support/workspace.ts";
import { createApp } from "./app.ts";

let postgres: PostgresServer;
let runtime: Runtime;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  postgres = await startPostgresServer();
  const config = loadConfig({
    NODE_ENV: "test",
    DATA_DIR: mkdtempSync(path.join(tmpdir(), "tandem-prompts-")),
    APP_URL: "http://localhost:3000",
    DATABASE_URL: await createTestDatabase(postgres),
    ENCRYPTION_KEY: generateKey(),
    AUTH_SECRET: "prompts-test-secret-prompts-test-secret",
    LOG_LEVEL: "silent",
  });
  runtime = await createRuntime(config, { log: silentLogger });
  app = createApp(runtime);
}, 120_000);

afterAll(async () => {
  await runtime?.close();
  await postgres?.stop();
});

describe("prompt saves on PostgreSQL", () => {
  it("saves and rollbacks racing from the same version: exactly one wins, the rest get 409", async () => {
    const db = runtime.database.db;
    const ws = await createSignInWorkspace(runtime);
    const clients = await Promise.all(
      [ws.owner, ws.admin].map(async (person) => {
        const client = new TestClient(app);
        expect((await client.signIn(person.user.email, TEST_PASSWORD)).status).toBe(200);
        return client;
      }),
    );
    const chatbot = await createChatbot(db, { workspaceId: ws.workspace.id });
    const url = `/api/v1/chatbots/${chatbot.id}/prompt`;
    const first = await clients[0]!.request("PUT", url, { text: "Version 1" }, { "if-match": '"none"' });
    expect(first.status).toBe(201);
    const v1 = (await first.json()).versionId;
    const second = await clients[1]!.request(
      "PUT",
      url,
      { text: "Version 2" },
      { "if-match": first.headers.get("etag")! },
    );
    expect(second.status).toBe(201);
    const v2 = (await second.json()).versionId;

    // Several rounds: each starts every request at once from the live ETag; one of them is a rollback
    // to a version whose text is not the live one (a rollback to the live text would add nothing).
    let live = second.headers.get("etag")!;
    let liveText = "Version 2";
    for (let round = 0; round < 3; round++) {
      const rollbackTo = liveText === "Version 1" ? v2 : v1;
      const racers = Array.from({ length: 6 }, (_, n) => {
        const client = clients[n % 2]!;
        return n === 5
          ? client.request("POST", `${url}/rollback`, { versionId: rollbackTo }, { "if-match": live })
          : client.request("PUT", url, { text: `Round ${round}, racer ${n}` }, { "if-match": live });
      });
      const results = await Promise.all(racers);
      expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
      const winner = results.find((r) => r.status === 201)!;
      live = winner.headers.get("etag")!;
      liveText = (await winner.json()).text;
      for (const loser of results.filter((r) => r.status === 409)) {
        expect(`"${(await loser.json()).error.details.current.versionId}"`).toBe(live);
      }
    }
    const versions = await db
      .select()
      .from(promptVersions)
      .where(eq(promptVersions.chatbotId, chatbot.id))
      .orderBy(asc(promptVersions.version));
    expect(versions.map((v) => v.version)).toEqual(versions.map((_, i) => i + 1));
    expect(`"${versions.at(-1)!.id}"`).toBe(live);
  });
});
