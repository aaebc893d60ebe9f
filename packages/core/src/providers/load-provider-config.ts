import type { ProviderKind } from "@tandem/contracts";
import type { Db } from "@tandem/db";
import type { ProviderConfig } from "../llm/types.ts";
import {
  buildProviderConfig,
  type CredentialRow,
  findCredential,
  type ProviderDeps,
  readApiKey,
} from "./provider-deps.ts";

/**
 * The decrypted configuration of a workspace's provider of one kind, for building an `LlmProvider`.
 * Read from the database on every call, so a settings change applies to the very next reply. Null
 * when that kind is not usable: no credential stored, or its required key / base URL missing.
 * `AppJobDeps` fits `deps`.
 */
export async function loadProviderConfig(
  deps: { db: Db } & Pick<ProviderDeps, "keyring" | "config" | "fetch">,
  workspaceId: string,
  kind: ProviderKind,
  /** The credential of that kind when the caller has read it already (null: the workspace has none). */
  preloaded?: CredentialRow | null,
): Promise<ProviderConfig | null> {
  if (kind === "OFFLINE") return { kind };
  const row = preloaded !== undefined ? preloaded : await findCredential(deps.db, workspaceId, kind);
  if (!row) return null;
  return buildProviderConfig(deps, kind, {
    apiKey: readApiKey(deps.keyring, row),
    baseUrl: row.baseUrl,
    embeddingModel: row.embeddingModel,
  });
}
