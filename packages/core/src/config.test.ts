import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.ts";
import { generateKey } from "./secrets/keyring.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

describe("loadConfig", () => {
  it("runs with no variables at all: embedded mode, demo and simulator on", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      embedded: true,
      demoSeed: true,
      simulator: true,
      port: 3000,
      appUrl: "http://localhost:3000",
    });
  });

  it("keeps raw webhook entries 14 days unless told otherwise, and never less than the week the webhook health shows", () => {
    expect(loadConfig({}).inboundEventRetentionDays).toBe(14);
    expect(loadConfig({ INBOUND_EVENT_RETENTION_DAYS: "90" }).inboundEventRetentionDays).toBe(90);
    expect(() => loadConfig({ INBOUND_EVENT_RETENTION_DAYS: "3" })).toThrow(
      /INBOUND_EVENT_RETENTION_DAYS: must be at least 7/,
    );
    expect(() => loadConfig({ INBOUND_EVENT_RETENTION_DAYS: "two weeks" })).toThrow(/INBOUND_EVENT_RETENTION_DAYS/);
  });

  it("reads the jobs operators as a lower-cased email list, and refuses anything else", () => {
    expect(loadConfig({}).jobOperatorEmails).toEqual([]);
    expect(loadConfig({ JOBS_OPERATOR_EMAILS: " Ops@Example.com, , admin@example.org " }).jobOperatorEmails).toEqual([
      "ops@example.com",
      "admin@example.org",
    ]);
    expect(() => loadConfig({ JOBS_OPERATOR_EMAILS: "ops@example.com;root" })).toThrow(/JOBS_OPERATOR_EMAILS/);
  });

  it("treats empty variables as unset", () => {
    expect(loadConfig({ DATABASE_URL: "", REDIS_URL: " ", APP_URL: "" }).embedded).toBe(true);
  });

  it("names every malformed variable", () => {
    try {
      loadConfig({ PORT: "eighty", DATABASE_URL: "mysql://x", ENCRYPTION_KEY: "short" });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const message = (err as Error).message;
      expect(message).toContain("PORT");
      expect(message).toContain("DATABASE_URL");
      expect(message).toContain("ENCRYPTION_KEY");
    }
  });

  it("refuses production without ENCRYPTION_KEY, AUTH_SECRET and APP_URL", () => {
    expect(() => loadConfig({ NODE_ENV: "production" })).toThrow(/ENCRYPTION_KEY.*\n.*AUTH_SECRET.*\n.*APP_URL/s);
    const ok = loadConfig({
      NODE_ENV: "production",
      ENCRYPTION_KEY: generateKey(),
      AUTH_SECRET: "x".repeat(32),
      APP_URL: "https://tandem.example.com",
    });
    expect(ok).toMatchObject({
      production: true,
      simulator: false,
      demoSeed: false,
      appOrigin: "https://tandem.example.com",
    });
  });

  it("requires shared secrets when processes share PostgreSQL or Redis", () => {
    expect(() => loadConfig({ DATABASE_URL: "postgres://db/tandem" })).toThrow(/ENCRYPTION_KEY.*\n.*AUTH_SECRET/s);
    expect(() => loadConfig({ REDIS_URL: "redis://cache:6379" })).toThrow(/ENCRYPTION_KEY/);
    const ok = loadConfig({
      REDIS_URL: "redis://cache:6379",
      ENCRYPTION_KEY: generateKey(),
      AUTH_SECRET: "y".repeat(32),
    });
    expect(ok.embedded).toBe(true);
  });

  it("stops the server process with a message naming the bad variable", () => {
    const result = spawnSync(process.execPath, ["--import", "tsx", path.join(root, "apps/web/server.ts")], {
      cwd: root,
      env: { PATH: process.env.PATH, REDIS_URL: "http://not-redis" },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("REDIS_URL");
  });
});
