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

  it("keeps audit rows a year unless told otherwise, 0 meaning forever", () => {
    expect(loadConfig({}).auditLogRetentionDays).toBe(365);
    expect(loadConfig({ AUDIT_LOG_RETENTION_DAYS: "0" }).auditLogRetentionDays).toBe(0);
    expect(loadConfig({ AUDIT_LOG_RETENTION_DAYS: "30" }).auditLogRetentionDays).toBe(30);
    expect(() => loadConfig({ AUDIT_LOG_RETENTION_DAYS: "-1" })).toThrow(/AUDIT_LOG_RETENTION_DAYS/);
    expect(() => loadConfig({ AUDIT_LOG_RETENTION_DAYS: "a year" })).toThrow(/AUDIT_LOG_RETENTION_DAYS/);
  });

  it("lets URLs typed in the dashboard reach no private address, unless OUTBOUND_ALLOW_PRIVATE says which", () => {
    const production = { NODE_ENV: "production", ENCRYPTION_KEY: generateKey(), AUTH_SECRET: "x".repeat(32) };
    expect(loadConfig({ ...production, APP_URL: "https://tandem.example.com" }).outbound).toEqual({
      allowPrivate: "none",
    });
    expect(loadConfig({ ...production, APP_URL: "https://t.example", OUTBOUND_ALLOW_PRIVATE: "1" }).outbound).toEqual({
      allowPrivate: "all",
    });
    expect(
      loadConfig({ ...production, APP_URL: "https://t.example", OUTBOUND_ALLOW_PRIVATE: "localhost,10.0.0.0/8" })
        .outbound,
    ).toEqual({ allowPrivate: ["localhost", "10.0.0.0/8"] });
    // The simulator answers at APP_URL: its host stays reachable for the demo's simulated provider.
    expect(loadConfig({}).outbound).toEqual({ allowPrivate: ["localhost"] });
    expect(() => loadConfig({ OUTBOUND_ALLOW_PRIVATE: "10.0.0.0/99" })).toThrow(/OUTBOUND_ALLOW_PRIVATE: .*CIDR/);
  });

  it("configures SMTP from SMTP_URL or the SMTP_HOST family, with MAIL_FROM, and sends no mail without them", () => {
    expect(loadConfig({}).mail).toBeNull();
    expect(
      loadConfig({ SMTP_URL: "smtps://u:p@mail.example.com:465", MAIL_FROM: "no-reply@example.com" }).mail,
    ).toEqual({
      kind: "smtp",
      from: "no-reply@example.com",
      smtp: { url: "smtps://u:p@mail.example.com:465" },
    });
    expect(
      loadConfig({
        SMTP_HOST: "mail.example.com",
        SMTP_USER: "tandem",
        SMTP_PASSWORD: "secret",
        MAIL_FROM: "Tandem <no-reply@example.com>",
      }).mail,
    ).toEqual({
      kind: "smtp",
      from: "Tandem <no-reply@example.com>",
      smtp: { host: "mail.example.com", port: 587, secure: false, auth: { user: "tandem", pass: "secret" } },
    });
    expect(
      loadConfig({ SMTP_HOST: "mail.example.com", SMTP_SECURE: "1", MAIL_FROM: "a@example.com" }).mail?.smtp,
    ).toMatchObject({ port: 465, secure: true });
  });

  it("names what is wrong with the mail settings", () => {
    expect(() => loadConfig({ SMTP_URL: "smtp://mail.example.com" })).toThrow(/MAIL_FROM: required/);
    expect(() => loadConfig({ SMTP_URL: "http://mail.example.com", MAIL_FROM: "a@example.com" })).toThrow(/SMTP_URL/);
    expect(() =>
      loadConfig({ SMTP_URL: "smtp://mail.example.com", SMTP_HOST: "other", MAIL_FROM: "a@example.com" }),
    ).toThrow(/either SMTP_URL or SMTP_HOST/);
    expect(() => loadConfig({ SMTP_PORT: "2525", MAIL_FROM: "a@example.com" })).toThrow(/SMTP_HOST: required/);
    expect(() => loadConfig({ SMTP_HOST: "mail", SMTP_USER: "u", MAIL_FROM: "a@example.com" })).toThrow(
      /SMTP_USER and SMTP_PASSWORD/,
    );
    expect(() => loadConfig({ SMTP_HOST: "mail", MAIL_FROM: "not an address" })).toThrow(/MAIL_FROM/);
    expect(() => loadConfig({ SIMULATOR_SMTP_PORT: "99999" })).toThrow(/SIMULATOR_SMTP_PORT/);
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
