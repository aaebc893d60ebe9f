/**
 * Fills a new contact's profile (name, picture, locale where the platform allows) through the channel's
 * adapter (`fetchProfile`; Messenger: the User Profile API), in the background: a profile error never
 * blocks or fails a message.
 *
 * - Transient platform failures (rate limits, 5xx, network) are retried by the queue.
 * - A dead token (Graph 190) marks the channel "reconnect needed" and gives up, without marking the
 *   contact: it is asked again once the channel is reconnected.
 * - Any other refusal — Messenger's 2018218 "no profile available", a permission error — is logged and
 *   given up; `profile_fetched_at` is set anyway so later messages do not ask again.
 */
import { channels, contacts, conversations } from "@tandem/db";
import { and, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import type { AppJobDeps } from "../app-deps.ts";
import type { ContactProfile, Party } from "../channels/adapter.ts";
import { markReconnectNeeded } from "../channels/mark-reconnect-needed.ts";
import { publishConversation } from "../conversations/publish.ts";
import { defineJob, type JobContext } from "../jobs/define-job.ts";
import { storableJson } from "../storable-text.ts";

export const fetchContactProfile = defineJob({
  name: "fetch-contact-profile",
  schema: z.object({ contactId: z.string().min(1) }),
  retry: { attempts: 4 },
  // A platform call each: one account's slow answers take at most two of the four slots.
  concurrency: 4,
  workspaceConcurrency: 2,
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
    const adapter = deps.channels.find(channel.type);
    if (contact.erasedAt || channel.disconnectedAt || !adapter?.capabilities.profile || !adapter.fetchProfile) return;

    let profile: ContactProfile;
    try {
      // Names are whatever people typed: NUL and half emoji are stored cleaned (storable-text.ts).
      // A person first seen in a group or room (LINE) may only have a member profile there.
      const thread = contact.metadata.thread as Party | undefined;
      profile = storableJson(await adapter.fetchProfile(channel, contact.platformUserId, { thread }));
    } catch (error) {
      const classified = adapter.classifyError(error);
      if (classified?.tokenExpired) await markReconnectNeeded(deps.db, channel.id, classified.reason);
      if (classified?.retryable) throw error;
      deps.log.warn(
        { err: error, contactId, channelId: channel.id, code: classified?.code },
        "could not fetch the contact's profile; the contact keeps its platform id",
      );
      // The platform's "no" is final; a missing or dead token is not: ask again once reconnected.
      if (classified && !classified.tokenExpired) await markFetched(deps, contactId);
      return;
    }

    const [updated] = await deps.db
      .update(contacts)
      .set({
        name: profile.name,
        firstName: profile.firstName,
        lastName: profile.lastName,
        pictureUrl: profile.pictureUrl,
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
