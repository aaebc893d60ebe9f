/**
 * The Page's metadata for `{facebook_metadata}` (`facebook-metadata.ts`), read with the Page token
 * (`GET /{page-id}?fields=name,about,category,description`) when the Page is connected and again
 * whenever the Page's `changes` webhook arrives; kept in `channel.config.pageMetadata`.
 */
import { channels } from "@tandem/db";
import { and, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { AppJobDeps } from "../../app-deps.ts";
import { defineJob, type JobContext } from "../../jobs/define-job.ts";
import { markReconnectNeeded } from "../mark-reconnect-needed.ts";
import { messengerAdapter } from "./adapter.ts";
import type { PageMetadata } from "./facebook-metadata.ts";

/**
 * Reads the Page's metadata into `channel.config.pageMetadata`. Transient Graph failures are retried
 * by the queue; a dead token marks the channel "reconnect needed"; another refusal is logged and the
 * metadata kept as it was (a reply never waits for it).
 */
export const refreshPageMetadata = defineJob({
  name: "refresh-page-metadata",
  schema: z.object({ channelId: z.string().min(1) }),
  retry: { attempts: 4 },
  background: true,
  handle: async ({ channelId }, deps: JobContext<AppJobDeps>) => {
    const [channel] = await deps.db
      .select()
      .from(channels)
      .where(and(eq(channels.id, channelId), eq(channels.type, "messenger"), isNull(channels.disconnectedAt)))
      .limit(1);
    if (!channel?.externalId) return;
    const adapter = messengerAdapter(deps.channels);
    let page: Awaited<ReturnType<ReturnType<typeof adapter.graph>["getPageMetadata"]>>;
    try {
      page = await adapter.graph().getPageMetadata(channel.externalId, adapter.pageToken(channel));
    } catch (error) {
      const classified = adapter.classifyError(error);
      if (classified?.tokenExpired) await markReconnectNeeded(deps.db, channel.id, classified.reason);
      if (classified?.retryable) throw error;
      deps.log.warn({ err: error, channelId, code: classified?.code }, "could not read the Page's metadata");
      return;
    }
    const metadata: PageMetadata = {
      name: page.name ?? null,
      about: page.about ?? null,
      category: page.category ?? null,
      description: page.description ?? null,
      fetchedAt: new Date().toISOString(),
    };
    await deps.db
      .update(channels)
      .set({
        config: sql`${channels.config} || jsonb_build_object('pageMetadata', ${JSON.stringify(metadata)}::jsonb)`,
      })
      .where(eq(channels.id, channelId));
  },
});
