import {
  type CreateCredentialInput,
  type NamedCredentialDto,
  PROVIDER_LABELS,
  providerRequiresApiKey,
  providerRequiresBaseUrl,
} from "@tandem/contracts";
import { providerCredentials } from "@tandem/db";
import { recordAudit } from "../audit/record-audit.ts";
import { type Ctx, withTransaction } from "../context.ts";
import { invalidField } from "../errors.ts";
import { assertActorCan } from "../members/guard.ts";
import { assertOutboundUrlAllowed } from "../net/outbound.ts";
import { credentialAuditView, namedCredentialToDto, nameTaken } from "./named-credentials.ts";
import { type ProviderDeps, sealApiKey } from "./provider-deps.ts";

/**
 * A new named credential (OWNER, ADMIN): the key is encrypted at once and only its hint is kept in
 * clear. Hosted providers need a key, an OpenAI-compatible server its base URL; a base URL on a
 * private network is refused unless the operator allows it. A name already used is a 409. Audited.
 */
export async function createCredential(
  ctx: Ctx,
  input: CreateCredentialInput,
  deps: ProviderDeps,
): Promise<NamedCredentialDto> {
  assertActorCan(ctx, "providers.manage");
  const kind = input.kind;
  const baseUrl = input.baseUrl ? input.baseUrl.replace(/\/+$/, "") : null;
  if (providerRequiresApiKey(kind) && !input.apiKey) {
    throw invalidField("api_key_required", "apiKey", `Enter the API key for ${PROVIDER_LABELS[kind]}.`);
  }
  if (providerRequiresBaseUrl(kind) && !baseUrl) {
    throw invalidField(
      "base_url_required",
      "baseUrl",
      "Enter the base URL of the OpenAI-compatible server, e.g. http://localhost:11434/v1 for Ollama.",
    );
  }
  if (baseUrl) await assertOutboundUrlAllowed(deps.config.outbound, baseUrl, "baseUrl");
  try {
    return await withTransaction(ctx, async (tx) => {
      const [row] = await tx.db
        .insert(providerCredentials)
        .values({
          workspaceId: tx.workspaceId,
          name: input.name,
          kind,
          baseUrl,
          defaultModel: input.defaultModel ?? null,
          ...(input.apiKey ? sealApiKey(deps.keyring, input.apiKey) : {}),
        })
        .returning();
      await recordAudit(tx, {
        action: "provider_credential.create",
        entityType: "provider_credential",
        entityId: row!.id,
        before: null,
        after: credentialAuditView(row!),
      });
      return namedCredentialToDto(row!, []);
    });
  } catch (error) {
    throw nameTaken(error, input.name) ?? error;
  }
}
