/**
 * Largest request body each audience reads (stacks/); larger ones are answered 413 `payload_too_large`.
 * Admin: the dashboard's and personal tokens' JSON (a prompt, a knowledge text).
 */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * The admin routes that take file uploads (multipart, streamed to DATA_DIR, each file checked against
 * its own limit by the route) and the body they may send: ten files of 20 MB and the form's fields.
 */
export const UPLOAD_ROUTES = /^\/api\/v1\/chatbots\/[^/]+\/prompt\/generate$/;
export const UPLOAD_MAX_BODY_BYTES = 10 * 20 * 1024 * 1024 + 1024 * 1024;

/**
 * The knowledge base's uploads (documents, an FAQ CSV): up to `filesPerUpload` files of
 * `KNOWLEDGE_MAX_FILE_MB` each, so their body limit comes from the configuration (stacks/admin.ts).
 */
export const KNOWLEDGE_UPLOAD_ROUTES = /^\/api\/v1\/knowledge\/sources\/[^/]+\/(documents|faq\/import)$/;

/**
 * An agent's attachment (`POST /conversations/{id}/attachments`): one file, at most the largest any
 * channel takes (Messenger's 25 MB; each channel's own limit is checked by the route), and its form.
 */
export const ATTACHMENT_UPLOAD_ROUTES = /^\/api\/v1\/conversations\/[^/]+\/attachments$/;
export const ATTACHMENT_MAX_FILE_BYTES = 25 * 1024 * 1024;

/**
 * Platform webhooks: Meta batches up to 1,000 entries in one POST and LINE several events, each a
 * short JSON object; 1 MB holds any real batch with room to spare. Shared by the Hono stack and
 * Messenger's fast path (webhook-fast-path.ts).
 */
export const WEBHOOK_MAX_BODY_BYTES = 1024 * 1024;

/**
 * The public chat API and the widget: a message of at most 4,000 characters with its session id and
 * metadata. 64 KB is that many characters written entirely as JSON escapes, with room for metadata.
 */
export const PUBLIC_MAX_BODY_BYTES = 64 * 1024;
