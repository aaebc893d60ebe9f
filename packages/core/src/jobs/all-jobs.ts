import { pruneQueryEmbeddingsJob } from "../analytics/prune-query-embeddings.ts";
import { refreshAnalytics } from "../analytics/refresh-analytics.ts";
import type { AppJobDeps } from "../app-deps.ts";
import { createPasswordReset } from "../auth/request-password-reset.ts";
import { generateBotReply } from "../bots/generate-bot-reply.ts";
import { summarizeConversation } from "../bots/summarize-conversation.ts";
import { refreshPageMetadata } from "../channels/messenger/refresh-page-metadata.ts";
import { fetchContactProfile } from "../contacts/fetch-contact-profile.ts";
import { processInboundEvent } from "../inbound/process-inbound-event.ts";
import { embedKnowledge } from "../knowledge/embeddings/embed-knowledge.ts";
import { ingestDocument } from "../knowledge/ingest-document.ts";
import { syncUrlSource } from "../knowledge/sync-url-source.ts";
import { sendEmail } from "../mail/send-email.ts";
import { databaseMaintenance } from "../maintenance/database-maintenance.ts";
import { fetchMessageContent } from "../messages/fetch-message-content.ts";
import { sendOutboundMessage } from "../messages/send-outbound-message.ts";
import { generateSystemPrompt } from "../prompt-generation/generate-system-prompt.ts";
import { processShopifyWebhook } from "../shopify/process-shopify-webhook.ts";
import { syncShopifyStore } from "../shopify/sync-store.ts";
import type { AnyJobDefinition } from "./define-job.ts";
import type { JobRegistry } from "./registry.ts";

export type { AppJobDeps } from "../app-deps.ts";

/**
 * Every job of the app. The web server (embedded queue) and the worker (BullMQ) both register this
 * list, so they run the same handlers. Each area adds its definitions here.
 */
export const allJobs: AnyJobDefinition<AppJobDeps>[] = [
  processInboundEvent,
  fetchContactProfile,
  refreshPageMetadata,
  fetchMessageContent,
  generateBotReply,
  sendOutboundMessage,
  summarizeConversation,
  databaseMaintenance,
  createPasswordReset,
  sendEmail,
  generateSystemPrompt,
  embedKnowledge,
  ingestDocument,
  syncUrlSource,
  refreshAnalytics,
  pruneQueryEmbeddingsJob,
  syncShopifyStore,
  processShopifyWebhook,
];

export function registerAllJobs(registry: JobRegistry<AppJobDeps>): JobRegistry<AppJobDeps> {
  return registry.register(...allJobs);
}
