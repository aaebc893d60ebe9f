import {
  type CredentialKind,
  type ProviderKind,
  providerRequiresApiKey,
  providerRequiresBaseUrl,
} from "@tandem/contracts";
import { type Db, providerCredentials } from "@tandem/db";
import { and, asc, eq, like } from "drizzle-orm";
import type { Config } from "../config.ts";
import type { ProviderConfig } from "../llm/types.ts";
import { outboundFetchFor } from "../net/outbound.ts";
import { type Keyring, maskSecret } from "../secrets/keyring.ts";

/** What the provider verbs need besides `ctx`: the keyring for stored keys and the server-wide defaults. */
export interface ProviderDeps {
  keyring: Keyring;
  /**
   * `facebook` lets a reply composed in a request show the typing indicator (see `showTyping`);
   * `dataDir` lets an agent's reply send the files uploaded for it.
   */
  config: Pick<Config, "llm" | "appUrl" | "outbound"> & Partial<Pick<Config, "facebook" | "dataDir">>;
  /** Test hook: the fetch the adapters use instead of the global one. */
  fetch?: typeof fetch | undefined;
}

export const providerDeps = (runtime: { keyring: Keyring; config: Config }): ProviderDeps => ({
  keyring: runtime.keyring,
  config: runtime.config,
});

/** Sent to OpenRouter as the attribution title, with APP_URL as the referer. */
export const APP_NAME = "Tandem";

export type CredentialRow = typeof providerCredentials.$inferSelect;

/** The server-wide base URL of a kind (`OPENAI_BASE_URL`…); undefined means the provider's public API. */
export function defaultBaseUrl(config: Pick<Config, "llm">, kind: ProviderKind): string | undefined {
  switch (kind) {
    case "OPENAI":
      return config.llm.openaiBaseUrl;
    case "GEMINI":
      return config.llm.geminiBaseUrl;
    case "OPENROUTER":
      return config.llm.openrouterBaseUrl;
    default:
      return undefined;
  }
}

/**
 * The workspace's credential of one kind (none for OFFLINE): its oldest of that kind, the one a chatbot
 * naming no credential uses and `/settings/provider` edits. Named credentials may add others of the kind.
 */
export async function findCredential(
  db: Db,
  workspaceId: string,
  kind: CredentialKind,
  options: { forUpdate?: boolean } = {},
): Promise<CredentialRow | undefined> {
  const query = db
    .select()
    .from(providerCredentials)
    .where(and(eq(providerCredentials.workspaceId, workspaceId), eq(providerCredentials.kind, kind)))
    .orderBy(asc(providerCredentials.createdAt), asc(providerCredentials.id))
    .limit(1);
  const [row] = options.forUpdate ? await query.for("update") : await query;
  return row;
}

/** One named credential of the workspace; another workspace's does not exist for the caller. */
export async function findCredentialById(
  db: Db,
  workspaceId: string,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<CredentialRow | undefined> {
  const query = db
    .select()
    .from(providerCredentials)
    .where(and(eq(providerCredentials.workspaceId, workspaceId), eq(providerCredentials.id, id)))
    .limit(1);
  const [row] = options.forUpdate ? await query.for("update") : await query;
  return row;
}

/** `base`, or `base (2)`, `base (3)`… — the first name the workspace does not use yet. */
export async function freeCredentialName(db: Db, workspaceId: string, base: string): Promise<string> {
  const taken = new Set(
    (
      await db
        .select({ name: providerCredentials.name })
        .from(providerCredentials)
        .where(and(eq(providerCredentials.workspaceId, workspaceId), like(providerCredentials.name, `${base}%`)))
    ).map((r) => r.name),
  );
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base} (${n})`)) return `${base} (${n})`;
}

export const sealApiKey = (keyring: Keyring, apiKey: string) => ({
  apiKeyEncrypted: keyring.encrypt(apiKey),
  keyHint: maskSecret(apiKey),
});

export const readApiKey = (keyring: Keyring, row: Pick<CredentialRow, "apiKeyEncrypted"> | undefined) =>
  row?.apiKeyEncrypted ? keyring.decrypt(row.apiKeyEncrypted) : undefined;

/**
 * The adapter configuration for a key and base URL (stored or typed in), with the server-wide
 * defaults filled in. Null when the provider cannot work without what is missing. A base URL chosen
 * in the dashboard is reached through the outbound guard (no private addresses unless
 * `OUTBOUND_ALLOW_PRIVATE` allows them); the operator's own `*_BASE_URL` defaults are not.
 */
export function buildProviderConfig(
  deps: Pick<ProviderDeps, "config" | "fetch">,
  kind: ProviderKind,
  credential: { apiKey?: string | undefined; baseUrl?: string | null | undefined; embeddingModel?: string | null },
): ProviderConfig | null {
  if (kind === "OFFLINE") return { kind };
  const apiKey = credential.apiKey || undefined;
  const chosenBaseUrl = credential.baseUrl || undefined;
  const baseUrl = chosenBaseUrl ?? defaultBaseUrl(deps.config, kind);
  if (providerRequiresApiKey(kind) && !apiKey) return null;
  if (providerRequiresBaseUrl(kind) && !baseUrl) return null;
  const fetch = deps.fetch ?? (chosenBaseUrl ? outboundFetchFor(deps.config.outbound) : undefined);
  return {
    kind,
    apiKey,
    baseUrl,
    embeddingModel: credential.embeddingModel ?? undefined,
    appUrl: deps.config.appUrl,
    appName: APP_NAME,
    ...(fetch ? { fetch } : {}),
  };
}
