/**
 * The channels this server speaks, by type. `createChannelRegistry` builds every adapter once, when the
 * runtime starts (`runtime.channels`); verbs reach it through `ctx.channels` and jobs through
 * `deps.channels`. Capabilities are static, so DTO code reads them without a registry
 * (`channelCapabilities`). Adding a channel: one folder exporting a `ChannelDefinition`, one line below.
 */
import { DomainError } from "../errors.ts";
import type { AdapterEnv, ChannelAdapter, ChannelCapabilities, ChannelDefinition, ChannelType } from "./adapter.ts";
import { apiChannel } from "./api/adapter.ts";
import { lineChannel } from "./line/adapter.ts";
import { messengerChannel } from "./messenger/adapter.ts";
import { webChannel } from "./web/adapter.ts";

const DEFINITIONS: Partial<Record<ChannelType, ChannelDefinition>> = {
  messenger: messengerChannel,
  line: lineChannel,
  web: webChannel,
  api: apiChannel,
};

export interface ChannelRegistry {
  /** The adapter of a channel type; throws `channel_not_supported` for a type this server lacks. */
  get(type: ChannelType): ChannelAdapter;
  /** The adapter, or null. */
  find(type: ChannelType): ChannelAdapter | null;
  all(): ChannelAdapter[];
}

export function createChannelRegistry(env: AdapterEnv): ChannelRegistry {
  const adapters = new Map<ChannelType, ChannelAdapter>();
  for (const definition of Object.values(DEFINITIONS)) adapters.set(definition.type, definition.create(env));
  return {
    get(type) {
      const adapter = adapters.get(type);
      if (!adapter) throw new DomainError("channel_not_supported", `${type} channels are not supported yet.`);
      return adapter;
    },
    find: (type) => adapters.get(type) ?? null,
    all: () => [...adapters.values()],
  };
}

/** A channel type's static capabilities, or null when no adapter is registered for it. */
export function channelCapabilities(type: ChannelType): ChannelCapabilities | null {
  return DEFINITIONS[type]?.capabilities ?? null;
}
