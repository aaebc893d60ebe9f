/**
 * Password guesses under concurrency, the invitation's password check, scrypt's cost with rehash on
 * sign-in, and no password hashing while a database transaction is open.
 */

import { createHash, randomBytes, scryptSync } from "node:crypto";
import { LOGIN_LIMITS, type Runtime } from "@tandem/core";
import { users } from "@tandem/db";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestClient } from "../../../tests/support/api-client.ts";
import { probeDatabaseDuringHashes } from "../../../tests/support/hash-probe.ts";
import { createTestRuntime } from "../../../tests/support/runtime.ts";
import { createSignInWorkspace, TEST_PASSWORD } from "../../../tests/support/workspace.ts";
import { createApp } from "./app.ts";

let runtime: Runtime;
let app: ReturnType<typeof createApp>;

/** Each test comes from its own address, so one test's guesses do not limit the next one's. */
let addresses = 0;
const fromNewAddress = () => {
  const ip = `203.0.113.${++addresses}`;
  return () => new TestClient(app, { ip });
};

beforeAll(async () => {
  runtime = await createTestRuntime();
  app = createApp(runtime);
});
afterAll(() => runtime.close());

const statuses = (responses: Response[]) =>
  responses.reduce<Record<number, number>>((acc, r) => {
    acc[r.status] = (acc[r.status] ?? 0) + 1;
    return acc;
  }, {});

/** An invitation link for `email` into a new workspace, made by its owner through the API. */
async function invite(email: string) {
  const ws = await createSignInWorkspace(runtime);
  const owner = fromNewAddress()();
  expect((await owner.signIn(ws.owner.user.email, TEST_PASSWORD)).status).toBe(200);
  const res = await owner.post("/api/v1/members", { email, role: "AGENT" });
  expect(res.status).toBe(201);
  const { inviteUrl } = await res.json();
  return { ws, token: decodeURIComponent(inviteUrl.split("/invite/")[1]) };
}

describe("concurrent password guesses", () => {
  it("100 wrong passwords at once: at most 5 are checked, the rest answer 429", async () => {
    const client = fromNewAddress();
    const ws = await createSignInWorkspace(runtime);
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, i) => client().signIn(ws.agent.user.email, `wrong-${i}`)),
    );
    const counts = statuses(responses);
    expect(counts[401]).toBeLessThanOrEqual(5);
    expect(counts[429]).toBeGreaterThanOrEqual(95);
    expect(Object.keys(counts).sort()).toEqual(["401", "429"]);
  });

  it("an address already refused leaves no trace per email: made-up emails cannot fill the limiter", async () => {
    const client = fromNewAddress();
    for (let i = 0; i < 30; i++) await client().signIn(`nobody-${i}@example.com`, "wrong-password");
    const fresh = `never-seen-${Date.now()}@example.com`;
    expect((await client().signIn(fresh, "wrong-password")).status).toBe(429);
    expect(await runtime.limiter.peek(`login:email:${fresh}`, LOGIN_LIMITS.perEmail)).toMatchObject({ remaining: 5 });
  });

  it("the right password inside a burst of 60 guesses does not get in", async () => {
    const client = fromNewAddress();
    const ws = await createSignInWorkspace(runtime);
    const passwords = Array.from({ length: 60 }, (_, i) => (i === 30 ? TEST_PASSWORD : `guess-${i}`));
    const responses = await Promise.all(passwords.map((p) => client().signIn(ws.admin.user.email, p)));
    expect(responses[30]!.status).toBe(429);
    expect(statuses(responses)[200]).toBeUndefined();
  });

  it("sign-ins that succeed do not use up the address's budget", async () => {
    const client = fromNewAddress();
    const ws = await createSignInWorkspace(runtime);
    for (let i = 0; i < 32; i++) {
      const email = [ws.owner, ws.admin, ws.agent][i % 3]!.user.email;
      expect((await client().signIn(email, TEST_PASSWORD)).status, `sign-in ${i}`).toBe(200);
    }
  });
});

describe("accepting an invitation with an existing account", () => {
  it("counts password guesses like sign-in: 429 after five, even for the right password", async () => {
    const client = fromNewAddress();
    const existing = await createSignInWorkspace(runtime);
    const { token } = await invite(existing.agent.user.email);
    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        client().post("/api/auth/invitations/accept", { token, password: `wrong-guess-${i}` }),
      ),
    );
    const counts = statuses(responses);
    expect(counts[401]).toBeLessThanOrEqual(5);
    expect(counts[429]).toBeGreaterThanOrEqual(35);
    const right = await client().post("/api/auth/invitations/accept", { token, password: TEST_PASSWORD });
    expect(right.status).toBe(429);
    expect(Number(right.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("with the right password joins the workspace", async () => {
    const client = fromNewAddress();
    const existing = await createSignInWorkspace(runtime);
    const { ws, token } = await invite(existing.admin.user.email);
    const res = await client().post("/api/auth/invitations/accept", { token, password: TEST_PASSWORD });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ workspace: { id: ws.workspace.id }, role: "AGENT" });
  });
});

describe("password hashes", () => {
  it("are scrypt at N=2^17, r=8, p=1, and an older, weaker hash is replaced at the next sign-in", async () => {
    const client = fromNewAddress();
    const ws = await createSignInWorkspace(runtime);
    const res = await client().post("/api/auth/invitations/accept", {
      ...(await invite("fresh.person@example.com")),
      password: "a brand new password",
    });
    expect(res.status).toBe(200);
    const [fresh] = await runtime.database.db.select().from(users).where(eq(users.email, "fresh.person@example.com"));
    expect(fresh!.passwordHash).toMatch(/^scrypt\$131072\$8\$1\$/);

    // A hash made the way wave 1 did (N=2^15) still signs in, and is upgraded on the way.
    const salt = randomBytes(16);
    const key = scryptSync(TEST_PASSWORD.normalize("NFKC"), salt, 32, {
      N: 32768,
      r: 8,
      p: 1,
      maxmem: 64 * 1024 * 1024,
    });
    const old = `scrypt$32768$8$1$${salt.toString("base64url")}$${key.toString("base64url")}`;
    await runtime.database.db.update(users).set({ passwordHash: old }).where(eq(users.id, ws.agent.user.id));
    expect((await client().signIn(ws.agent.user.email, TEST_PASSWORD)).status).toBe(200);
    const [upgraded] = await runtime.database.db.select().from(users).where(eq(users.id, ws.agent.user.id));
    expect(upgraded!.passwordHash).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect((await client().signIn(ws.agent.user.email, TEST_PASSWORD)).status).toBe(200);
  });

  it("a stored hash with parameters the server never writes is refused, not computed", async () => {
    const client = fromNewAddress();
    const ws = await createSignInWorkspace(runtime);
    const salt = createHash("sha256").update("x").digest("base64url");
    for (const hash of [`scrypt$1048576$8$1$${salt}$${salt}`, `scrypt$1000$8$1$${salt}$${salt}`, "bcrypt$2b$x"]) {
      await runtime.database.db.update(users).set({ passwordHash: hash }).where(eq(users.id, ws.owner.user.id));
      expect((await client().signIn(ws.owner.user.email, TEST_PASSWORD)).status).toBe(401);
    }
  });

  it("are never computed while a database transaction is open (the embedded database would stall)", async () => {
    const client = fromNewAddress();
    const answered = await probeDatabaseDuringHashes(runtime.database.db, async () => {
      // A new account through an invitation, and an existing one (its password verified).
      const { token } = await invite("no.transaction@example.com");
      const fresh = await client().post("/api/auth/invitations/accept", { token, password: "another good password" });
      expect(fresh.status).toBe(200);
      const existing = await createSignInWorkspace(runtime);
      const second = await invite(existing.owner.user.email);
      const joined = await client().post("/api/auth/invitations/accept", {
        token: second.token,
        password: TEST_PASSWORD,
      });
      expect(joined.status).toBe(200);
    });
    expect(answered.length).toBeGreaterThanOrEqual(2);
    expect(answered).not.toContain(false);
  });
});
