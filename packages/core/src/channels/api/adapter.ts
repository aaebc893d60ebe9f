/**
 * The public chat API as a channel: one `api` channel per chatbot (`externalId` = the chatbot id),
 * created on the first API message (`public-chat/public-channel.ts`); each of the developer's session
 * ids is a contact. The caller's HTTP response carries the bot's answer (`delivery: "response"`: the
 * send job marks it sent without a call); agents' replies are read with the session routes
 * (`GET …/sessions/{id}/messages`, `…/events`).
 */
import type { ChannelDefinition } from "../adapter.ts";
import { publicChannelCapabilities } from "../web/adapter.ts";

const capabilities = publicChannelCapabilities("response");

export const apiChannel: ChannelDefinition = {
  type: "api",
  capabilities,
  create: () => ({ type: "api", capabilities, classifyError: () => null }),
};
