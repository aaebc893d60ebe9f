import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ConfigError, isLoopbackHost, loadConfig } from "./config.ts";
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

  it("listens on loopback only while demo logins or the simulator are on, unless HOST is set", () => {
    expect(loadConfig({})).toMatchObject({ host: "127.0.0.1", hostFromEnv: false });
    expect(loadConfig({ DEMO_SEED: "0" })).toMatchObject({ host: "127.0.0.1", simulator: true });
    expect(loadConfig({ SIMULATOR: "0" })).toMatchObject({ host: "127.0.0.1", demoSeed: true });
    expect(loadConfig({ DEMO_SEED: "0", SIMULATOR: "0" })).toMatchObject({ host: "0.0.0.0", hostFromEnv: false });
    expect(loadConfig({ HOST: "0.0.0.0" })).toMatchObject({ host: "0.0.0.0", hostFromEnv: true, demoSeed: true });
    expect(loadConfig({ HOST: " 10.0.0.5 " }).host).toBe("10.0.0.5");
    expect(loadConfig({ HOST: "" })).toMatchObject({ host: "127.0.0.1", hostFromEnv: false });
    const production = {
      NODE_ENV: "production",
      ENCRYPTION_KEY: generateKey(),
      AUTH_SECRET: "x".repeat(32),
      APP_URL: "https://tandem.example.com",
    };
    expect(loadConfig(production).host).toBe("0.0.0.0");
    expect(loadConfig({ ...production, DEMO_SEED: "1" }).host).toBe("127.0.0.1");
  });

  it("tells loopback addresses from the others", () => {
    for (const host of ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]", "::ffff:127.0.0.1"])
      expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ["0.0.0.0", "::", "10.0.0.5", "192.168.1.2", "tandem.example.com", "127.example.com"])
      expect(isLoopbackHost(host), host).toBe(false);
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
