/**
 * Fills a new Messenger contact's profile (name, picture, locale where the app may read it) from the
 * User Profile API, in the background: a profile error never blocks or fails a message.
 *
 * - Transient Graph failures (rate limits, 5xx, network) are retried by the queue.
 * - Error 190 (dead Page token) marks the channel "reconnect needed" and gives up.
 * - Any other refusal — 2018218 "no profile available", a permission error — is logged and given
 *   up; `profile_fetched_at` is set anyway so later messages do not ask again.
 */
import { channels, contacts, conversations } from "@tandem/db";
import { and, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import type { AppJobDeps } from "../app-deps.ts";
import { createGraphClient, GraphApiError, type GraphProfile } from "../channels/messenger/graph-client.ts";
import { readPageToken, withChannelToken } from "../channels/messenger/messenger-deps.ts";
import { publishConversation } from "../conversations/publish.ts";
import { defineJob, type JobContext } from "../jobs/define-job.ts";

export const fetchContactProfile = defineJob({
  name: "fetch-contact-profile",
  schema: z.object({ contactId: z.string().min(1) }),
  retry: { attempts: 4 },
  concurrency: 2,
  // Enrichment: the reply to the customer goes first.
  background: true,
  handle: async ({ contactId }, deps: JobContext<AppJobDeps>) => {
    const [row] = await deps.db
      .select({ contact: contacts, channel: channels })
      .from(contacts)
      .innerJoin(channels, eq(channels.id, contacts.channelId))
      .where(eq(contacts.id, contactId))
      .limit(1);
    if (!row) return;
    const { contact, channel } = row;
    if (contact.erasedAt || channel.type !== "messenger" || channel.disconnectedAt) return;

    let profile: GraphProfile;
    try {
      const token = readPageToken(deps.keyring, channel);
      const graph = createGraphClient({ baseUrl: deps.config.facebook.graphApiUrl });
      profile = await withChannelToken(deps.db, channel.id, () => graph.getProfile(contact.platformUserId, token));
    } catch (error) {
      if (error instanceof GraphApiError && error.retryable) throw error;
      deps.log.warn(
        { err: error, contactId, channelId: channel.id, code: error instanceof GraphApiError ? error.code : undefined },
        "could not fetch the contact's profile; the contact keeps its platform id",
      );
      // The platform's "no" is final; a missing or dead token is not: ask again once reconnected.
      if (error instanceof GraphApiError && !error.tokenExpired) await markFetched(deps, contactId);
      return;
    }

    const name = profile.name ?? ([profile.first_name, profile.last_name].filter(Boolean).join(" ") || undefined);
    const [updated] = await deps.db
      .update(contacts)
      .set({
        name,
        firstName: profile.first_name,
        lastName: profile.last_name,
        pictureUrl: profile.profile_pic,
        locale: profile.locale,
        profileFetchedAt: new Date(),
      })
      // An erasure that landed while we were asking wins.
      .where(and(eq(contacts.id, contactId), isNull(contacts.erasedAt)))
      .returning({ id: contacts.id });
    if (!updated) return;

    const threads = await deps.db
      .select({ id: conversations.id })
      .from(conversations)
      .where(eq(conversations.contactId, contactId));
    for (const { id } of threads) await publishConversation(deps.realtime, deps.db, contact.workspaceId, id);
  },
});

async function markFetched(deps: JobContext<AppJobDeps>, contactId: string) {
  await deps.db.update(contacts).set({ profileFetchedAt: new Date() }).where(eq(contacts.id, contactId));
}
