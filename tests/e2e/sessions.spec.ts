import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { createDb, users } from "@tandem/db";
import { createConversation, createMember, createMessage, createWorkspace } from "@tandem/db/testing";
import { eq } from "drizzle-orm";
import { createTestDatabase, startPostgresServer } from "../support/postgres-server.ts";
import { signIn } from "./support/auth.ts";
import { startServer } from "./support/server.ts";

// The other browser announces itself differently, so its row on the sessions page is unmistakable.
const FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0";

test.use({ viewport: { width: 1280, height: 800 } });

test("signing out another browser from Account → Sessions signs it out and closes its live connection", async ({
  page,
  browser,
}) => {
  const other = await browser.newContext({ userAgent: FIREFOX_LINUX, viewport: { width: 1280, height: 800 } });
  const otherPage = await other.newPage();
  const sockets: { closed: boolean }[] = [];
  otherPage.on("websocket", (ws) => {
    if (!ws.url().includes("/socket.io/")) return;
    const entry = { closed: false };
    sockets.push(entry);
    ws.on("close", () => {
      entry.closed = true;
    });
  });
  await signIn(otherPage, "agent@demo.local");
  await expect(otherPage.getByText("Live", { exact: true })).toBeVisible();

  await signIn(page, "agent@demo.local");
  await page.getByRole("button", { name: "Open the user menu" }).click();
  await page.getByRole("menuitem", { name: "Sessions" }).click();
  await expect(page).toHaveURL(/\/account\/sessions$/);
  await expect(page.getByRole("heading", { name: "Sessions", level: 1 })).toBeVisible();
  const current = page.getByTestId("session-row").filter({ hasText: "This browser" });
  await expect(current).toHaveCount(1);
  const otherRow = page.getByTestId("session-row").filter({ hasText: "Firefox on Linux" });
  await expect(otherRow).toHaveCount(1);
  await expect(otherRow).toContainText("Demo Shop");

  await otherRow.getByRole("button", { name: "Sign out Firefox on Linux" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByTestId("session-row").filter({ hasText: "Firefox on Linux" })).toHaveCount(0);

  // The other browser did nothing: the server closed its socket, and the dashboard, asking why,
  // found the session gone and went to the sign-in page.
  await expect(otherPage).toHaveURL(/\/login/);
  expect(sockets.length).toBeGreaterThan(0);
  expect(sockets.every((s) => s.closed)).toBe(true);
  await expect(current).toHaveCount(1);
  await other.close();
});

test("a member of two workspaces switches, and the inbox shows only the second workspace's conversations", async ({
  browser,
}) => {
  test.setTimeout(240_000);
  const postgres = await startPostgresServer();
  const databaseUrl = await createTestDatabase(postgres);
  const server = await startServer({
    env: {
      DATABASE_URL: databaseUrl,
      ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      AUTH_SECRET: randomBytes(32).toString("base64url"),
    },
  });
  const database = await createDb({ databaseUrl });
  try {
    // The demo agent is also a member of a second shop (there is no "new workspace" screen yet).
    const db = database.db;
    const [agent] = await db.select().from(users).where(eq(users.email, "agent@demo.local"));
    if (!agent) throw new Error("the demo agent was not seeded");
    const second = await createWorkspace(db, { name: "Second Shop" });
    await createMember(db, { workspaceId: second.id, userId: agent.id, role: "AGENT" });
    const conversation = await createConversation(db, { workspaceId: second.id });
    await createMessage(db, { conversationId: conversation.id, text: "Where is my parcel?" });

    const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await signIn(page, "agent@demo.local");
    const list = page.getByRole("listbox", { name: "Conversations" });
    await expect(list.getByRole("option").first()).toBeVisible();
    const demoRows = await list.getByRole("option").count();
    expect(demoRows).toBeGreaterThan(0);
    await expect(list).not.toContainText("Where is my parcel?");

    await page.getByRole("button", { name: "Workspace: Demo Shop. Switch workspace" }).click();
    await page.getByRole("menuitem", { name: /Second Shop/ }).click();

    await expect(page).toHaveURL(/\/dashboard/);
    await expect(page.getByRole("button", { name: "Workspace: Second Shop. Switch workspace" })).toBeVisible();
    await expect(list.getByRole("option")).toHaveCount(1);
    await expect(list.getByRole("option")).toContainText("Where is my parcel?");
    await expect(page.getByText("Live", { exact: true })).toBeVisible();

    // Signing in again lands in the workspace used last.
    await context.clearCookies();
    await signIn(page, "agent@demo.local");
    await expect(page.getByRole("button", { name: "Workspace: Second Shop. Switch workspace" })).toBeVisible();
    await context.close();
  } finally {
    await database.close();
    await server.stop();
    await postgres.stop();
  }
});
