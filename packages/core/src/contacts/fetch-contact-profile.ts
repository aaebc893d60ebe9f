/**
 * Fills a new Messenger contact's profile (name, picture, locale where the app may read it) from the
 * User Profile API, in the background: a profile error never blocks or fails a message.
 *
 * - `locale` needs approval beyond Business Asset User Profile Access: when Graph refuses the read
 *   with a permission or field error (code 10, 100, 200–299), it is asked once more without `locale`,
 *   so name and picture still load.
 * - Transient Graph failures (rate limits, 5xx, network) are retried by the queue.
 * - Error 190 (dead Page token) marks the channel "reconnect needed" and gives up.
 * - Any other refusal — 2018218 "no profile available", a permission error — is logged and given
 *   up; `profile_fetched_at` is set anyway so later messages do not ask again.
 */
import { channels, contacts, conversations } from "@tandem/db";
import { and, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import type { AppJobDeps } from "../app-deps.ts";
import {
  createGraphClient,
  GraphApiError,
  type GraphClient,
  type GraphProfile,
} from "../channels/messenger/graph-client.ts";
import { readPageToken, withChannelToken } from "../channels/messenger/messenger-deps.ts";
import { publishConversation } from "../conversations/publish.ts";
import { defineJob, type JobContext } from "../jobs/define-job.ts";
import { storableJson } from "../storable-text.ts";

export const fetchContactProfile = defineJob({
  name: "fetch-contact-profile",
  schema: z.object({ contactId: z.string().min(1) }),
  retry: { attempts: 4 },
  // A Graph API call each: one Page's slow answers take at most two of the four slots.
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
    if (contact.erasedAt || channel.type !== "messenger" || channel.disconnectedAt) return;

    let profile: GraphProfile;
    try {
      const token = readPageToken(deps.keyring, channel);
      const graph = createGraphClient({ baseUrl: deps.config.facebook.graphApiUrl });
      // Names are whatever people typed: NUL and half emoji are stored cleaned (storable-text.ts).
      profile = storableJson(
        await withChannelToken(deps.db, channel.id, () => readProfile(graph, contact.platformUserId, token)),
      );
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

/** The profile with `locale`, or without it when the app may not read it. */
async function readProfile(graph: GraphClient, psid: string, token: string): Promise<GraphProfile> {
  try {
    return await graph.getProfile(psid, token);
  } catch (error) {
    if (!refusedField(error)) throw error;
    return graph.getProfile(psid, token, { locale: false });
  }
}

/** No such person (2018001) or no profile at all (2018218): leaving `locale` out would not help. */
const NO_PROFILE_SUBCODES = new Set([2018001, 2018218]);

/** A permission or field refusal (10, 100, 200–299); not 190, and not "there is no profile". */
function refusedField(error: unknown): boolean {
  if (!(error instanceof GraphApiError) || error.code === null || error.tokenExpired || error.retryable) return false;
  if (error.subcode !== null && NO_PROFILE_SUBCODES.has(error.subcode)) return false;
  return error.code === 10 || error.code === 100 || (error.code >= 200 && error.code < 300);
}

async function markFetched(deps: JobContext<AppJobDeps>, contactId: string) {
  await deps.db.update(contacts).set({ profileFetchedAt: new Date() }).where(eq(contacts.id, contactId));
}
