import { type NamedCredentialDto, providerRequiresApiKey, type UpdateCredentialInput } from "@tandem/contracts";
import { providerCredentials } from "@tandem/db";
import { and, eq } from "drizzle-orm";
import { recordAudit } from "../audit/record-audit.ts";
import { type Ctx, withTransaction } from "../context.ts";
import { invalidField } from "../errors.ts";
import { assertActorCan } from "../members/guard.ts";
import { assertOutboundUrlAllowed } from "../net/outbound.ts";
import { credentialAuditView, credentialNotFound, namedCredentialDtos, nameTaken } from "./named-credentials.ts";
import { findCredentialById, type ProviderDeps, sealApiKey } from "./provider-deps.ts";

/**
 * Renames a credential or replaces its key, base URL or default model (OWNER, ADMIN); its kind never
 * changes. `apiKey` / `baseUrl`: omitted → kept, `null` or `""` → cleared, a value → replaced. As in
 * the provider settings, a stored key only goes to the base URL it was saved with: moving the base URL
 * needs the key typed again. A new key or base URL clears the last test result. The chatbots naming
 * it use the change from their next reply. Audited with hints only.
 */
export async function updateCredential(
  ctx: Ctx,
  credentialId: string,
  input: UpdateCredentialInput,
  deps: ProviderDeps,
): Promise<NamedCredentialDto> {
  assertActorCan(ctx, "providers.manage");
  const baseUrl = input.baseUrl === undefined ? undefined : input.baseUrl ? input.baseUrl.replace(/\/+$/, "") : null;
  if (baseUrl) await assertOutboundUrlAllowed(deps.config.outbound, baseUrl, "baseUrl");
  try {
    return await withTransaction(ctx, async (tx) => {
      const before = await findCredentialById(tx.db, tx.workspaceId, credentialId, { forUpdate: true });
      if (!before) throw credentialNotFound();
      const values: Partial<typeof providerCredentials.$inferInsert> = {};
      if (input.name !== undefined) values.name = input.name;
      if (input.defaultModel !== undefined) values.defaultModel = input.defaultModel;
      if (input.apiKey !== undefined) {
        Object.assign(
          values,
          input.apiKey ? sealApiKey(deps.keyring, input.apiKey) : { apiKeyEncrypted: null, keyHint: null },
        );
      }
      if (baseUrl !== undefined) values.baseUrl = baseUrl;
      const movesKey =
        before.apiKeyEncrypted && input.apiKey === undefined && baseUrl !== undefined && baseUrl !== before.baseUrl;
      if (movesKey) {
        throw invalidField(
          "api_key_required",
          "apiKey",
          "Type the API key again to change the base URL: a saved key is only sent to the base URL it was saved with.",
        );
      }
      const hasKey =
        values.apiKeyEncrypted === undefined ? Boolean(before.apiKeyEncrypted) : Boolean(values.apiKeyEncrypted);
      if (providerRequiresApiKey(before.kind) && !hasKey) {
        throw invalidField("api_key_required", "apiKey", "This provider needs an API key: it cannot be cleared.");
      }
      if (before.kind === "OPENAI_COMPATIBLE" && baseUrl === null) {
        throw invalidField("base_url_required", "baseUrl", "An OpenAI-compatible server needs its base URL.");
      }
      if (input.apiKey !== undefined || (baseUrl !== undefined && baseUrl !== before.baseUrl)) {
        Object.assign(values, { lastTestStatus: null, lastTestError: null, lastTestedAt: null });
      }
      const [after] = await tx.db
        .update(providerCredentials)
        .set(values)
        .where(and(eq(providerCredentials.id, before.id), eq(providerCredentials.workspaceId, tx.workspaceId)))
        .returning();
      await recordAudit(tx, {
        action: "provider_credential.update",
        entityType: "provider_credential",
        entityId: before.id,
        before: credentialAuditView(before),
        after: credentialAuditView(after!),
      });
      const [dto] = await namedCredentialDtos(tx.db, tx.workspaceId, [after!]);
      return dto!;
    });
  } catch (error) {
    throw (input.name !== undefined && nameTaken(error, input.name)) || error;
  }
}
