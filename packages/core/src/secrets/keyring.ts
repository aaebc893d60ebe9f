import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { DomainError } from "../errors.ts";

/**
 * AES-256-GCM with a versioned envelope: `enc:v1:<keyId>:<iv>:<ciphertext>:<tag>` (base64url parts).
 * The key id is derived from the key itself (first 8 hex chars of its SHA-256), so rotating means:
 * set the new key as ENCRYPTION_KEY and move the old one to ENCRYPTION_KEY_PREVIOUS. New values are
 * sealed with the current key; old ciphertexts keep decrypting with the previous ones.
 */
const VERSION = "v1";
const PREFIX = `enc:${VERSION}:`;

export interface Keyring {
  currentKeyId: string;
  encrypt(plaintext: string): string;
  decrypt(envelope: string): string;
  /** Whether the value was sealed with an older key and should be re-encrypted. */
  needsRotation(envelope: string): boolean;
}

export const keyIdOf = (key: Buffer) => createHash("sha256").update(key).digest("hex").slice(0, 8);

function decodeKey(base64: string, label: string): Buffer {
  const key = Buffer.from(base64.trim(), "base64");
  if (key.length !== 32) throw new Error(`${label} must be a 32-byte key encoded in base64`);
  return key;
}

export function createKeyring(currentKey: string, previousKeys: string[] = []): Keyring {
  const current = decodeKey(currentKey, "ENCRYPTION_KEY");
  const currentKeyId = keyIdOf(current);
  const keys = new Map<string, Buffer>([[currentKeyId, current]]);
  for (const k of previousKeys) {
    const key = decodeKey(k, "ENCRYPTION_KEY_PREVIOUS");
    keys.set(keyIdOf(key), key);
  }

  return {
    currentKeyId,
    encrypt(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", current, iv);
      cipher.setAAD(Buffer.from(`${VERSION}:${currentKeyId}`));
      const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      const tag = cipher.getAuthTag();
      return `${PREFIX}${currentKeyId}:${iv.toString("base64url")}:${ciphertext.toString("base64url")}:${tag.toString("base64url")}`;
    },
    decrypt(envelope) {
      if (!envelope.startsWith(PREFIX))
        throw new DomainError("secret_unreadable", "Stored secret has an unknown format");
      const [keyId, iv, ciphertext, tag] = envelope.slice(PREFIX.length).split(":");
      if (!keyId || !iv || ciphertext === undefined || !tag) {
        throw new DomainError("secret_unreadable", "Stored secret is malformed");
      }
      const key = keys.get(keyId);
      if (!key) {
        throw new DomainError(
          "secret_key_missing",
          `Stored secret was encrypted with key ${keyId}, which is not configured (ENCRYPTION_KEY / ENCRYPTION_KEY_PREVIOUS)`,
        );
      }
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
        decipher.setAAD(Buffer.from(`${VERSION}:${keyId}`));
        decipher.setAuthTag(Buffer.from(tag, "base64url"));
        return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString(
          "utf8",
        );
      } catch (cause) {
        throw new DomainError("secret_unreadable", "Stored secret failed authentication", { cause });
      }
    },
    needsRotation(envelope) {
      return !envelope.startsWith(`${PREFIX}${currentKeyId}:`);
    },
  };
}

export const generateKey = () => randomBytes(32).toString("base64");

/**
 * Embedded mode without a configured secret: reuse or create `DATA_DIR/<name>` (mode 0600).
 * Returns the value and whether it was just generated, so the caller can log a warning.
 */
export function loadOrCreateSecretFile(
  dataDir: string,
  name: string,
  generate: () => string = generateKey,
): { value: string; created: boolean; file: string } {
  const file = path.join(dataDir, name);
  if (existsSync(file)) return { value: readFileSync(file, "utf8").trim(), created: false, file };
  mkdirSync(dataDir, { recursive: true });
  const value = generate();
  writeFileSync(file, `${value}\n`, { mode: 0o600, flag: "wx" });
  chmodSync(file, 0o600);
  return { value, created: true, file };
}

/** The only form of a secret an API response may carry: a few trailing characters. */
export function maskSecret(secret: string | null | undefined): string | null {
  if (!secret) return null;
  if (secret.length <= 8) return "••••";
  return `••••${secret.slice(-4)}`;
}
