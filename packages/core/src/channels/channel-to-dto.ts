import type { ChannelDto } from "@tandem/contracts";
import type { channels } from "@tandem/db";

type ChannelRow = typeof channels.$inferSelect;

/** The API view of a channel: masked secret hints only, never the envelope. */
export const channelToDto = (c: ChannelRow): ChannelDto => ({
  id: c.id,
  type: c.type,
  name: c.name,
  externalId: c.externalId,
  chatbotId: c.chatbotId,
  status: c.status,
  statusReason: c.statusReason,
  subscribed: c.subscribed,
  subscribedFields: c.subscribedFields,
  secretHints: c.secretHints,
  webhook: {
    lastEventAt: c.lastEventAt?.toISOString() ?? null,
    eventsReceived: c.eventsReceived,
    eventsFailed: c.eventsFailed,
    signatureRejections: c.signatureRejections,
    retries: c.retries,
    unknownPageEvents: c.unknownPageEvents,
  },
  createdAt: c.createdAt.toISOString(),
});
