import type { ContentfulStatusCode } from "hono/utils/http-status";

/**
 * The HTTP status of every error code that core and the API throw: the one table (dub's
 * `error-codes.ts`). A code is one line here; there are no families matched by prefix or suffix.
 *
 * Why here and not in core/src/errors.ts: core owns its codes, but a status is HTTP's vocabulary, and
 * core is shared by transports that answer a failure in their own terms (a job retries or gives up, a
 * socket acks an error). Each transport keeps its one mapper (style.md); this is the HTTP one. What
 * keeps core and this table together is `error-codes.test.ts`: it walks packages/core/src and
 * packages/api/src for every `new DomainError("…")` and `notFound("…")`, and the normalised LLM codes
 * (`LlmErrorCode`), and fails while a code has no line here. A code that reaches a response without one
 * anyway is a 500 logged with the request id (errors.ts), never a guessed 400.
 *
 * The statuses are the ones each code had when the table was made explicit (before it, unknown codes
 * defaulted to 400), so no client saw a change.
 */
export const ERROR_STATUS = {
  // 400 — the request cannot be done as asked; the caller can correct it.
  invalid_input: 400,
  invalid_line_token: 400,
  line_credentials_required: 400,
  invalid_json: 400,
  invalid_cursor: 400,
  invalid_time_range: 400,
  invalid_assignee: 400,
  invalid_prompt_template: 400,
  invalid_page_token: 400,
  same_password: 400,
  api_key_required: 400,
  base_url_required: 400,
  identity_secret_required: 400,
  url_not_allowed: 400,
  oauth_denied: 400,
  oauth_failed: 400,
  oauth_session_expired: 400,
  oauth_state_mismatch: 400,
  channel_not_supported: 400,
  channel_disconnected: 400,
  channel_token_missing: 400,
  facebook_app_not_configured: 400,
  // The platform refused the request (a revoked token, a wrong id): reconnecting or another input fixes it.
  reconnect_needed: 400,
  platform_error: 400,
  // A chatbot naming a provider credential the workspace does not have.
  invalid_credential: 400,
  invalid_chatbot: 400,
  invalid_time_zone: 400,
  // Shopify (core/src/shopify/errors.ts maps every ShopifyApiError kind; errors.ts applies it): the
  // token or client credentials are wrong or revoked, the token lacks the scopes Tandem needs
  // (details name them), the shop domain answers nothing, the public app is not configured.
  shopify_unauthorized: 400,
  shopify_forbidden: 400,
  shopify_shop_not_found: 400,
  shopify_scopes_missing: 400,
  shopify_app_not_configured: 400,

  // 401 — who is calling is not established.
  unauthenticated: 401,
  invalid_credentials: 401,
  // A platform webhook without a valid signature (Meta's retries then show in its dashboard).
  invalid_signature: 401,
  // A chatbot's public API key that is malformed, replaced, or of a deleted chatbot.
  invalid_api_key: 401,
  // The widget's visitor token: forged, for another chatbot, or expired (the widget asks for a new one).
  invalid_visitor_token: 401,
  visitor_token_expired: 401,
  // A widget `identify` whose `userHash` is not the HMAC of its `userId`.
  identity_unverified: 401,

  // 403 — known caller, not allowed.
  forbidden: 403,
  csrf_failed: 403,
  origin_not_allowed: 403,
  // The chatbot requires a verified identity (`identify` with a valid `userHash`) before a visitor sends.
  identity_required: 403,
  no_workspace: 403,

  // 404 — also for another workspace's resources, so their existence does not leak.
  not_found: 404,
  api_token_not_found: 404,
  channel_not_found: 404,
  chatbot_not_found: 404,
  prompt_generation_not_found: 404,
  conversation_not_found: 404,
  contact_not_found: 404,
  credential_not_found: 404,
  translation_not_found: 404,
  data_deletion_request_not_found: 404,
  invitation_not_found: 404,
  job_not_found: 404,
  member_not_found: 404,
  message_not_found: 404,
  moderation_flag_not_found: 404,
  password_reset_not_found: 404,
  playground_session_not_found: 404,
  session_not_found: 404,
  workspace_not_found: 404,
  prompt_version_not_found: 404,
  canned_response_not_found: 404,
  knowledge_source_not_found: 404,
  document_not_found: 404,
  faq_entry_not_found: 404,
  notification_not_found: 404,
  shopify_store_not_found: 404,

  // 409 — the current state does not allow it.
  conflict: 409,
  // Moderation (docs/moderation.md): a flag still open, a decision already made.
  message_already_flagged: 409,
  flag_already_reviewed: 409,
  flag_already_escalated: 409,
  already_member: 409,
  already_set_up: 409,
  last_owner: 409,
  page_already_connected: 409,
  line_already_connected: 409,
  line_account_mismatch: 409,
  line_not_connected: 409,
  outside_messaging_window: 409,
  message_not_failed: 409,
  no_chatbot: 409,
  provider_not_configured: 409,
  webhook_not_configured: 409,
  // The live prompt is not the version the caller's If-Match names (details.current is the live one).
  prompt_version_conflict: 409,
  prompt_generation_not_completed: 409,
  // A prompt generation's upload deleted from DATA_DIR before the job read it (that file's reason in the job).
  upload_missing: 409,
  // A full sync of the store is running (the resync button waits for it), or the store is disconnected.
  shopify_sync_running: 409,
  shopify_store_disconnected: 409,
  playground_session_ended: 409,
  // Public chat: a chatbot in testing answers only the dashboard's widget preview; an inactive one
  // nobody (no widget config, no visitor token, no widget socket, no answer).
  chatbot_testing: 409,
  chatbot_inactive: 409,
  // Public chat feedback on a message that is not a bot answer.
  feedback_not_allowed: 409,
  // A chatbot still serving channels, or the default one, cannot be deleted.
  chatbot_in_use: 409,
  chatbot_is_default: 409,
  credential_in_use: 409,
  credential_name_taken: 409,
  // Another canned response of the workspace has this shortcut (details name the field).
  canned_response_shortcut_taken: 409,
  canned_response_limit_reached: 409,
  // LINE fetches an agent's file from this server: only when APP_URL is https.
  attachments_need_public_url: 409,
  // A reply's file is gone from DATA_DIR (the send fails with it; upload it again).
  attachment_missing: 409,

  payload_too_large: 413,
  // An uploaded file past its own limit (prompt generation: 20 MB a file; an attachment: its channel's).
  file_too_large: 413,

  // 415 — a file whose bytes are none of the accepted types (core/src/extract), or a type the channel does not take.
  unsupported_file_type: 415,

  // 428 — a change that must name the version it replaces (If-Match).
  if_match_required: 428,

  // 422 — understood, but there is nothing to do it with.
  line_webhook_requires_https: 422,
  bot_cannot_answer: 422,
  // "Reply as bot" would send the bot's last message again, word for word.
  bot_repeats_itself: 422,
  // A file of an accepted type that cannot be read: password-protected or damaged.
  unreadable_file: 422,
  // A prompt generation whose files gave no text at all (the job fails with it).
  no_text_extracted: 422,
  url_fetch_failed: 422,

  // 429 — with Retry-After.
  rate_limited: 429,

  // 500 — the server's own state is broken (logged).
  secret_key_missing: 500,
  secret_unreadable: 500,

  // 502 — the AI provider failed; the code names how (core/src/llm/types.ts `LlmErrorCode`).
  provider_auth_failed: 502,
  provider_rate_limited: 502,
  provider_quota_exhausted: 502,
  provider_timeout: 502,
  provider_unavailable: 502,
  provider_bad_request: 502,
  // Shopify refused a query or change of ours (a GraphQL error or userErrors).
  shopify_request_failed: 502,
  content_filtered: 502,

  // 503 — not available on this installation or right now (logged).
  platform_unavailable: 503,
  // Shopify kept throttling after the client's waits (with Retry-After).
  shopify_throttled: 503,
  mail_not_configured: 503,
  queue_unavailable: 503,
  messenger_not_configured: 503,
  // apps/widget has not been built on this installation (`npm run build -w apps/widget`).
  widget_not_built: 503,
  // Public chat: the provider failed for now; the reply job tries again and the answer lands in the session.
  answer_delayed: 503,
} as const satisfies Record<string, ContentfulStatusCode>;

/** The status of a code, or undefined for a code the table does not know (errors.ts answers 500). */
export function statusForCode(code: string): ContentfulStatusCode | undefined {
  return Object.hasOwn(ERROR_STATUS, code) ? (ERROR_STATUS as Record<string, ContentfulStatusCode>)[code] : undefined;
}
