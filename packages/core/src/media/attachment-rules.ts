import type { ChannelAttachments } from "@tandem/contracts";
import type { ChannelType } from "../channels/adapter.ts";
import { channelCapabilities } from "../channels/registry.ts";

/** What agents may attach on a channel of this type (none for an unknown type). */
export function channelAttachments(type: ChannelType): ChannelAttachments {
  return channelCapabilities(type)?.attachments ?? { rules: [], maxFiles: 0, fetchedByUrl: false };
}
