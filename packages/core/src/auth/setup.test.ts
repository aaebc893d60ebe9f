import { chatbots, members, promptVersions } from "@tandem/db";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probeDatabaseDuringHashes } from "../../../../tests/support/hash-probe.ts";
import { createTestRuntime } from "../../../../tests/support/runtime.ts";
import type { Runtime } from "../runtime.ts";
import { needsSetup, setupFirstOwner } from "./setup.ts";

let runtime: Runtime;
beforeAll(async () => {
  runtime = await createTestRuntime();
});
afterAll(() => runtime.close());

describe("first-run setup", () => {
  it("creates the owner's workspace with a default chatbot on the offline provider, once", async () => {
    const db = runtime.database.db;
    expect(await needsSetup(db)).toBe(true);
    const input = { workspaceName: "Acme", name: "Ada Owner", email: "Ada@Example.com", password: "a long passphrase" };
    let session!: Awaited<ReturnType<typeof setupFirstOwner>>;
    // The password is hashed before the transaction: the database answers others meanwhile.
    const answered = await probeDatabaseDuringHashes(db, async () => {
      session = await setupFirstOwner(db, input);
    });
    expect(answered).toEqual([true]);

    const [member] = await db.select().from(members).where(eq(members.workspaceId, session.workspaceId));
    expect(member).toMatchObject({ userId: session.userId, role: "OWNER" });
    // The workspace can answer its first customer without any configuration: offline, active, default.
    const bots = await db.select().from(chatbots).where(eq(chatbots.workspaceId, session.workspaceId));
    expect(bots).toHaveLength(1);
    expect(bots[0]).toMatchObject({ isDefault: true, status: "active", providerKind: "OFFLINE", model: "offline-faq" });
    const [version] = await db.select().from(promptVersions).where(eq(promptVersions.chatbotId, bots[0]!.id));
    expect(version).toMatchObject({ version: 1, authorId: session.userId });
    expect(bots[0]!.currentPromptVersionId).toBe(version!.id);

    // A second setup is refused and creates nothing.
    await expect(setupFirstOwner(db, { ...input, email: "eve@example.com" })).rejects.toMatchObject({
      code: "already_set_up",
    });
    expect(await db.select().from(chatbots)).toHaveLength(1);
  });
});
