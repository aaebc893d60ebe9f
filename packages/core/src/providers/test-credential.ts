import { SUGGESTED_MODELS, type TestCredentialInput, type TestProviderResult } from "@tandem/contracts";
import type { Ctx } from "../context.ts";
import { assertActorCan } from "../members/guard.ts";
import { credentialNotFound } from "./named-credentials.ts";
import { findCredentialById, type ProviderDeps } from "./provider-deps.ts";
import { testProvider } from "./test-provider.ts";

/**
 * "Test" on a named credential: one tiny generation with its stored key and base URL, the verdict
 * recorded on it (as `testProvider` does for the workspace's credential of a kind). The model is the
 * one given, else the credential's default model, else the kind's first suggestion.
 */
export async function testCredential(
  ctx: Ctx,
  credentialId: string,
  input: TestCredentialInput,
  deps: ProviderDeps,
): Promise<TestProviderResult> {
  assertActorCan(ctx, "providers.manage");
  const row = await findCredentialById(ctx.db, ctx.workspaceId, credentialId);
  if (!row) throw credentialNotFound();
  const model = input.model ?? row.defaultModel ?? SUGGESTED_MODELS[row.kind][0]!;
  return testProvider(ctx, { provider: row.kind, model }, deps, row);
}
