import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createKeyring, generateKey, loadOrCreateSecretFile, maskSecret } from "./keyring.ts";

describe("secrets keyring", () => {
  it("round-trips and never stores the plaintext", () => {
    const ring = createKeyring(generateKey());
    const sealed = ring.encrypt("sk-live-1234567890");
    expect(sealed).toMatch(/^enc:v1:[0-9a-f]{8}:/);
    expect(sealed).not.toContain("sk-live");
    expect(ring.decrypt(sealed)).toBe("sk-live-1234567890");
    expect(ring.encrypt("same")).not.toBe(ring.encrypt("same"));
  });

  it("keeps decrypting old ciphertexts after a new key is added", () => {
    const oldKey = generateKey();
    const sealedWithOld = createKeyring(oldKey).encrypt("page-token");
    const rotated = createKeyring(generateKey(), [oldKey]);
    expect(rotated.decrypt(sealedWithOld)).toBe("page-token");
    expect(rotated.needsRotation(sealedWithOld)).toBe(true);
    expect(rotated.needsRotation(rotated.encrypt("x"))).toBe(false);
  });

  it("fails clearly when the key is missing or the ciphertext was tampered with", () => {
    const sealed = createKeyring(generateKey()).encrypt("secret");
    expect(() => createKeyring(generateKey()).decrypt(sealed)).toThrow(/not configured/);
    const ring = createKeyring(generateKey());
    const good = ring.encrypt("secret");
    const parts = good.split(":");
    parts[4] = Buffer.from("tampered").toString("base64url");
    expect(() => ring.decrypt(parts.join(":"))).toThrow(/failed authentication/);
    expect(() => ring.decrypt("plaintext")).toThrow(/unknown format/);
  });

  it("rejects keys that are not 32 bytes", () => {
    expect(() => createKeyring(Buffer.alloc(16).toString("base64"))).toThrow(/32-byte/);
  });

  it("generates a 0600 key file once and reuses it", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "tandem-key-"));
    const first = loadOrCreateSecretFile(dir, "encryption.key");
    expect(first.created).toBe(true);
    expect(statSync(first.file).mode & 0o777).toBe(0o600);
    const second = loadOrCreateSecretFile(dir, "encryption.key");
    expect(second).toMatchObject({ created: false, value: first.value });
  });

  it("masks secrets to a short hint", () => {
    expect(maskSecret("sk-abcdefghijklmnop")).toBe("••••mnop");
    expect(maskSecret("short")).toBe("••••");
    expect(maskSecret(null)).toBeNull();
  });
});
