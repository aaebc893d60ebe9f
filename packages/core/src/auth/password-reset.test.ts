import { passwordResets } from "@tandem/db";
import { createTestWorkspace } from "@tandem/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestRuntime } from "../../../../tests/support/runtime.ts";
import type { Runtime } from "../runtime.ts";
import { findUserByEmail, issuePasswordReset } from "./request-password-reset.ts";
import { resetPassword } from "./reset-password.ts";
import { signIn } from "./sign-in.ts";

let runtime: Runtime;
beforeAll(async () => {
  runtime = await createTestRuntime({ APP_URL: "https://tandem.example.com" });
});
afterAll(() => runtime.close());

describe("a reset link handed out by an operator (npm run reset-password), on an installation without mail", () => {
  it("works once, replaces older links, and needs no mail", async () => {
    expect(runtime.config.mail).toBeNull();
    const db = runtime.database.db;
    const ws = await createTestWorkspace(db);
    const user = await findUserByEmail(db, ws.agent.user.email.toUpperCase());
    expect(user?.id).toBe(ws.agent.user.id);

    const older = await issuePasswordReset(db, user!, { appUrl: runtime.config.appUrl });
    const reset = await issuePasswordReset(db, user!, { appUrl: runtime.config.appUrl });
    expect(reset.link).toMatch(/^https:\/\/tandem\.example\.com\/reset-password\/pwr_/);
    expect(await db.select().from(passwordResets).where(eq(passwordResets.userId, user!.id))).toHaveLength(1);

    const deps = { db, log: runtime.log, limiter: runtime.limiter, mail: runtime };
    const token = (link: string) => decodeURIComponent(link.split("/reset-password/")[1]!);
    await expect(resetPassword(deps, { token: token(older.link), password: "operator-given-1" })).rejects.toMatchObject(
      {
        code: "password_reset_not_found",
      },
    );
    await resetPassword(deps, { token: token(reset.link), password: "operator-given-1" });
    await expect(resetPassword(deps, { token: token(reset.link), password: "operator-given-2" })).rejects.toMatchObject(
      {
        code: "password_reset_not_found",
      },
    );
    const session = await signIn(
      { db, limiter: runtime.limiter },
      { email: user!.email, password: "operator-given-1" },
    );
    expect(session.userId).toBe(user!.id);
  });
});
