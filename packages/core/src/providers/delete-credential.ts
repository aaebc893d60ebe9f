import { providerCredentials } from "@tandem/db";
import { and, eq } from "drizzle-orm";
import { recordAudit } from "../audit/record-audit.ts";
import { type Ctx, withTransaction } from "../context.ts";
import { DomainError } from "../errors.ts";
import { assertActorCan } from "../members/guard.ts";
import { chatbotsUsing, credentialAuditView, credentialNotFound } from "./named-credentials.ts";
import { findCredentialById } from "./provider-deps.ts";

/**
 * Deletes a credential and its encrypted key (OWNER, ADMIN). Refused with 409 `credential_in_use`,
 * naming the chatbots, while a chatbot names it: give them another credential first. Audited.
 */
export async function deleteCredential(ctx: Ctx, credentialId: string): Promise<void> {
  assertActorCan(ctx, "providers.manage");
  await withTransaction(ctx, async (tx) => {
    const row = await findCredentialById(tx.db, tx.workspaceId, credentialId, { forUpdate: true });
    if (!row) throw credentialNotFound();
    const users = await chatbotsUsing(tx.db, tx.workspaceId, [row.id]);
    if (users.length > 0) {
      const names = users.map((u) => `"${u.name}"`).join(", ");
      throw new DomainError(
        "credential_in_use",
        `The credential "${row.name}" is used by ${names}: give ${users.length === 1 ? "that chatbot" : "those chatbots"} another credential first.`,
        { details: { chatbots: users.map(({ id, name }) => ({ id, name })) } },
      );
    }
    await tx.db
      .delete(providerCredentials)
      .where(and(eq(providerCredentials.id, row.id), eq(providerCredentials.workspaceId, tx.workspaceId)));
    await recordAudit(tx, {
      action: "provider_credential.delete",
      entityType: "provider_credential",
      entityId: row.id,
      before: credentialAuditView(row),
      after: null,
    });
  });
}
